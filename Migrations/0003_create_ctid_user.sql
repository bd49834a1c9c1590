-- A cTrader ID user known to a broker: a node of the referral tree. `id` is internal; `userId` is
-- the cTID user id. Every derived row names the event that created it (`eventSeq`).
CREATE TABLE ctidUser (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    userId INTEGER NOT NULL CHECK (userId > 0),
    brokerName TEXT,
    createdAt INTEGER NOT NULL,
    eventSeq INTEGER NOT NULL REFERENCES event (seq)
) STRICT;

CREATE UNIQUE INDEX ctidUser_brokerId_userId ON ctidUser (brokerId, userId);
