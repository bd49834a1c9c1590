-- The closure of the referral tree: one row per (ancestor, descendant) path, with its depth
-- (1 = direct referral) and the interval during which the path existed. Rows are closed
-- (validTo set), never deleted, so the tree can be read as of any time.
--
-- The key is the client area's order (level, attribution time, userId), so a page of referrals
-- at any depth and the counts per level are range scans of this one B-tree. Why a closure table
-- and not only the adjacency list of `attribution`: see Performance.md in the DocC catalog.
CREATE TABLE lineage (
    ancestorRowId INTEGER NOT NULL REFERENCES ctidUser (id),
    depth INTEGER NOT NULL CHECK (depth >= 1),
    attributedAt INTEGER NOT NULL,
    descendantUserId INTEGER NOT NULL,
    validFrom INTEGER NOT NULL,
    validTo INTEGER,
    descendantRowId INTEGER NOT NULL REFERENCES ctidUser (id),
    CHECK (validTo IS NULL OR validTo >= validFrom),
    PRIMARY KEY (ancestorRowId, depth, attributedAt, descendantUserId, validFrom)
) STRICT, WITHOUT ROWID;
