-- A partner registration in the broker's CRM. `userRowId` is set once the partner has a cTID
-- (given at registration, by `user.created` with `crmPartnerRef`, or by `referral.set`); a user
-- is at most one partner.
CREATE TABLE partner (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    crmPartnerRef TEXT NOT NULL CHECK (length(crmPartnerRef) BETWEEN 1 AND 64),
    userRowId INTEGER REFERENCES ctidUser (id),
    accountRowId INTEGER REFERENCES traderAccount (id),
    registeredAt INTEGER NOT NULL,
    eventSeq INTEGER NOT NULL REFERENCES event (seq)
) STRICT;

CREATE UNIQUE INDEX partner_brokerId_crmPartnerRef ON partner (brokerId, crmPartnerRef);
CREATE UNIQUE INDEX partner_userRowId ON partner (userRowId) WHERE userRowId IS NOT NULL;
