-- A trading account linked to exactly one user (`ctidTraderAccountId` is the link's id).
CREATE TABLE traderAccount (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    ctidTraderAccountId INTEGER NOT NULL CHECK (ctidTraderAccountId > 0),
    userRowId INTEGER NOT NULL REFERENCES ctidUser (id),
    traderLogin INTEGER,
    linkedAt INTEGER NOT NULL,
    eventSeq INTEGER NOT NULL REFERENCES event (seq)
) STRICT;

CREATE UNIQUE INDEX traderAccount_brokerId_ctidTraderAccountId ON traderAccount (brokerId, ctidTraderAccountId);
CREATE INDEX traderAccount_userRowId ON traderAccount (userRowId);
