-- partnerIdHolder: who a partnerId belongs to, for ever (one row per partnerId and broker).
-- The holder is a user (level 'user') or one of the user's accounts (level 'account').
CREATE TABLE partnerIdHolder (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    partnerId TEXT NOT NULL CHECK (length(partnerId) BETWEEN 1 AND 128),
    level TEXT NOT NULL CHECK (level IN ('user', 'account')),
    userRowId INTEGER NOT NULL REFERENCES ctidUser (id),
    accountRowId INTEGER REFERENCES traderAccount (id),
    eventSeq INTEGER NOT NULL REFERENCES event (seq),
    CHECK ((level = 'user') = (accountRowId IS NULL))
) STRICT;

CREATE UNIQUE INDEX partnerIdHolder_brokerId_partnerId ON partnerIdHolder (brokerId, partnerId);
CREATE INDEX partnerIdHolder_userRowId ON partnerIdHolder (userRowId);

-- partnerIdAssignment: when a partnerId was active on its holder ([validFrom, validTo), validTo
-- NULL while active). The holder columns are repeated so that a unique index can enforce "at most
-- one active partnerId per holder and level".
CREATE TABLE partnerIdAssignment (
    id INTEGER PRIMARY KEY,
    holderRowId INTEGER NOT NULL REFERENCES partnerIdHolder (id),
    level TEXT NOT NULL CHECK (level IN ('user', 'account')),
    userRowId INTEGER NOT NULL REFERENCES ctidUser (id),
    accountRowId INTEGER REFERENCES traderAccount (id),
    partnerRowId INTEGER REFERENCES partner (id),
    validFrom INTEGER NOT NULL,
    validTo INTEGER,
    eventSeq INTEGER NOT NULL REFERENCES event (seq),
    endEventSeq INTEGER REFERENCES event (seq),
    CHECK ((level = 'user') = (accountRowId IS NULL)),
    CHECK (validTo IS NULL OR validTo >= validFrom),
    CHECK ((validTo IS NULL) = (endEventSeq IS NULL))
) STRICT;

CREATE INDEX partnerIdAssignment_holderRowId ON partnerIdAssignment (holderRowId, validFrom);
CREATE UNIQUE INDEX partnerIdAssignment_activeUser ON partnerIdAssignment (userRowId)
    WHERE level = 'user' AND validTo IS NULL;
CREATE UNIQUE INDEX partnerIdAssignment_activeAccount ON partnerIdAssignment (accountRowId)
    WHERE level = 'account' AND validTo IS NULL;
