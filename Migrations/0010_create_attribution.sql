-- Every attribution decision: accepted ('ATTRIBUTED', 'REASSIGNED'), 'DETACHED', or rejected with
-- its reason. Accepted rows are the edges of the tree: the user (child) under `parentRowId`
-- (the partnerId holder's user) from `decidedAt` until `validTo` (NULL while current).
CREATE TABLE attribution (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    userRowId INTEGER NOT NULL REFERENCES ctidUser (id),
    outcome TEXT NOT NULL CHECK (outcome IN (
        'ATTRIBUTED', 'REASSIGNED', 'DETACHED', 'UNKNOWN_PARTNER_ID', 'PARTNER_ID_INACTIVE',
        'SELF_REFERRAL', 'CYCLE', 'ALREADY_ATTRIBUTED')),
    via TEXT NOT NULL CHECK (via IN ('signup', 'creation', 'invite', 'reassignment')),
    partnerId TEXT,
    holderRowId INTEGER REFERENCES partnerIdHolder (id),
    parentRowId INTEGER REFERENCES ctidUser (id),
    accountRowId INTEGER REFERENCES traderAccount (id),
    signupRowId INTEGER REFERENCES signup (id),
    linkRowId INTEGER REFERENCES link (id),
    decidedAt INTEGER NOT NULL,
    validTo INTEGER,
    forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    reason TEXT,
    operator TEXT,
    eventSeq INTEGER NOT NULL REFERENCES event (seq),
    CHECK ((outcome IN ('ATTRIBUTED', 'REASSIGNED')) = (parentRowId IS NOT NULL)),
    CHECK (validTo IS NULL OR (outcome IN ('ATTRIBUTED', 'REASSIGNED') AND validTo >= decidedAt))
) STRICT;

CREATE UNIQUE INDEX attribution_current ON attribution (userRowId)
    WHERE validTo IS NULL AND outcome IN ('ATTRIBUTED', 'REASSIGNED');
CREATE INDEX attribution_userRowId ON attribution (userRowId, decidedAt);
CREATE INDEX attribution_brokerId_decidedAt ON attribution (brokerId, decidedAt);
