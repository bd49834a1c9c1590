-- The closure table keeps the paths up to 32 levels apart; deeper levels are read by joining
-- stored paths (a descendant at level 32 + k of a node is a descendant at level k of one of its
-- descendants at level 32). A chain of users then costs at most 32 paths per user, not its depth.
-- Paths written deeper by earlier versions are dropped; every answer stays the same.
DELETE FROM lineage WHERE depth > 32;
