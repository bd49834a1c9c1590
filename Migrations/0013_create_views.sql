-- Views: a stable, readable interface for programs in any language, and for tools such as the
-- sqlite3 shell or Datasette. They show cTrader's ids (userId, ctidTraderAccountId) instead of
-- internal row ids, times as RFC 3339 text in UTC, and hashes in hex. The tables may change in
-- later versions; these views keep their names and columns (SqlViews.md in the DocC catalog).

-- The client area: every current referral of every partner, level by level (1 = direct).
CREATE VIEW referral AS
SELECT b.brokerCrmName AS brokerCrmName,
       a.userId AS partnerUserId,
       l.depth AS level,
       l.descendantUserId AS userId,
       p.userId AS parentUserId,
       strftime('%Y-%m-%dT%H:%M:%fZ', l.attributedAt / 1000.0, 'unixepoch') AS attributedAt,
       t.partnerId AS partnerId,
       acc.ctidTraderAccountId AS partnerCtidTraderAccountId,
       k.linkId AS linkId,
       d.brokerName AS brokerName
FROM lineage l
JOIN ctidUser a ON a.id = l.ancestorRowId
JOIN ctidUser d ON d.id = l.descendantRowId
JOIN broker b ON b.id = d.brokerId
JOIN attribution t ON t.userRowId = l.descendantRowId AND t.validTo IS NULL AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED')
JOIN ctidUser p ON p.id = t.parentRowId
LEFT JOIN traderAccount acc ON acc.id = t.accountRowId
LEFT JOIN link k ON k.id = t.linkRowId
WHERE l.validTo IS NULL;

-- The auditor: the event log as it is hashed, readable.
CREATE VIEW eventLog AS
SELECT e.seq AS seq,
       b.brokerCrmName AS brokerCrmName,
       e.eventId AS eventId,
       e.step AS step,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.at / 1000.0, 'unixepoch') AS at,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.recordedAt / 1000.0, 'unixepoch') AS recordedAt,
       e.outcome ->> '$.result' AS result,
       e.payload AS payload,
       e.outcome AS outcome,
       lower(hex(e.prevHash)) AS prevHash,
       lower(hex(e.hash)) AS hash
FROM event e
JOIN broker b ON b.id = e.brokerId;

-- The auditor and the reports: every attribution decision, accepted or not, with its interval.
CREATE VIEW attributionHistory AS
SELECT t.eventSeq AS seq,
       b.brokerCrmName AS brokerCrmName,
       u.userId AS userId,
       t.outcome AS outcome,
       t.via AS via,
       t.partnerId AS partnerId,
       p.userId AS parentUserId,
       h.level AS holderLevel,
       acc.ctidTraderAccountId AS holderCtidTraderAccountId,
       k.linkId AS linkId,
       strftime('%Y-%m-%dT%H:%M:%fZ', t.decidedAt / 1000.0, 'unixepoch') AS decidedAt,
       strftime('%Y-%m-%dT%H:%M:%fZ', t.validTo / 1000.0, 'unixepoch') AS validTo,
       t.forced AS forced,
       t.reason AS reason,
       t.operator AS operator
FROM attribution t
JOIN broker b ON b.id = t.brokerId
JOIN ctidUser u ON u.id = t.userRowId
LEFT JOIN ctidUser p ON p.id = t.parentRowId
LEFT JOIN partnerIdHolder h ON h.id = t.holderRowId
LEFT JOIN traderAccount acc ON acc.id = h.accountRowId
LEFT JOIN link k ON k.id = t.linkRowId;

-- The client area and the reports: each partnerId, who holds it, and while it is (was) active.
CREATE VIEW partnerIdAssignmentHistory AS
SELECT b.brokerCrmName AS brokerCrmName,
       h.partnerId AS partnerId,
       h.level AS level,
       u.userId AS userId,
       acc.ctidTraderAccountId AS ctidTraderAccountId,
       pr.crmPartnerRef AS crmPartnerRef,
       strftime('%Y-%m-%dT%H:%M:%fZ', s.validFrom / 1000.0, 'unixepoch') AS validFrom,
       strftime('%Y-%m-%dT%H:%M:%fZ', s.validTo / 1000.0, 'unixepoch') AS validTo
FROM partnerIdAssignment s
JOIN partnerIdHolder h ON h.id = s.holderRowId
JOIN broker b ON b.id = h.brokerId
JOIN ctidUser u ON u.id = h.userRowId
LEFT JOIN traderAccount acc ON acc.id = h.accountRowId
LEFT JOIN partner pr ON pr.userRowId = h.userRowId;
