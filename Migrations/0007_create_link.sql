-- Referral links issued by the broker ('referral') and share links generated in the app ('share').
CREATE TABLE link (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    linkId TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('referral', 'share')),
    holderRowId INTEGER NOT NULL REFERENCES partnerIdHolder (id),
    url TEXT NOT NULL,
    target TEXT,
    createdAt INTEGER NOT NULL,
    eventSeq INTEGER NOT NULL REFERENCES event (seq)
) STRICT;

CREATE UNIQUE INDEX link_brokerId_linkId ON link (brokerId, linkId);
