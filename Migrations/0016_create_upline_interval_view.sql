-- A commission engine's question, "who was this user's level-k partner at time T", as a view:
-- one row per (user, level, partner) interval, levels 1 to 20. An interval ends at every change
-- of the path to that level (a new partner of the user or of anyone between); validFrom <= T <
-- validTo, validTo NULL while current. openedSeq/closedSeq are the events whose changes began and
-- ended it. SQLite computes every user's intervals before it filters: for one user ask `upline
-- --as-of`, for a whole broker `report upline-intervals` (the same rows, in a single pass).
CREATE VIEW uplineInterval AS
WITH RECURSIVE up(userRowId, level, edgeId, parentRowId, validFrom, validTo, openEdgeId, closeEdgeId) AS (
    SELECT e.userRowId, 1, e.id, e.parentRowId, e.decidedAt, e.validTo, e.id, e.id
    FROM attribution e
    WHERE e.outcome IN ('ATTRIBUTED', 'REASSIGNED') AND (e.validTo IS NULL OR e.validTo > e.decidedAt)
    UNION ALL
    SELECT up.userRowId, up.level + 1, e.id, e.parentRowId, max(up.validFrom, e.decidedAt),
           CASE WHEN up.validTo IS NULL THEN e.validTo WHEN e.validTo IS NULL THEN up.validTo
                ELSE min(up.validTo, e.validTo) END,
           CASE WHEN e.decidedAt > up.validFrom OR (e.decidedAt = up.validFrom AND e.id > up.openEdgeId)
                THEN e.id ELSE up.openEdgeId END,
           CASE WHEN e.validTo IS NOT NULL AND (up.validTo IS NULL OR e.validTo < up.validTo)
                THEN e.id ELSE up.closeEdgeId END
    FROM up
    JOIN attribution e ON e.userRowId = up.parentRowId AND e.outcome IN ('ATTRIBUTED', 'REASSIGNED')
        AND (e.validTo IS NULL OR e.validTo > e.decidedAt)
        AND (up.validTo IS NULL OR e.decidedAt < up.validTo) AND (e.validTo IS NULL OR e.validTo > up.validFrom)
    WHERE up.level < 20
)
SELECT b.brokerCrmName AS brokerCrmName,
       u.userId AS userId,
       up.level AS level,
       p.userId AS partnerUserId,
       e.partnerId AS partnerId,
       acc.ctidTraderAccountId AS partnerCtidTraderAccountId,
       strftime('%Y-%m-%dT%H:%M:%fZ', up.validFrom / 1000.0, 'unixepoch') AS validFrom,
       strftime('%Y-%m-%dT%H:%M:%fZ', up.validTo / 1000.0, 'unixepoch') AS validTo,
       o.eventSeq AS openedSeq,
       oe.step AS openedStep,
       c.eventSeq AS closedSeq,
       ce.step AS closedStep
FROM up
JOIN attribution e ON e.id = up.edgeId
JOIN ctidUser u ON u.id = up.userRowId
JOIN broker b ON b.id = u.brokerId
JOIN ctidUser p ON p.id = e.parentRowId
LEFT JOIN traderAccount acc ON acc.id = e.accountRowId
JOIN attribution o ON o.id = up.openEdgeId
JOIN event oe ON oe.seq = o.eventSeq
LEFT JOIN attribution c ON c.id = CASE WHEN up.validTo IS NOT NULL THEN (
        SELECT min(x.id) FROM attribution x
        WHERE x.userRowId = (SELECT k.userRowId FROM attribution k WHERE k.id = up.closeEdgeId)
          AND x.id > up.closeEdgeId AND x.outcome IN ('ATTRIBUTED', 'REASSIGNED', 'DETACHED'))
    END
LEFT JOIN event ce ON ce.seq = c.eventSeq;
