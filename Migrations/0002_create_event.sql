-- The append-only event log: one row per accepted step, chained by SHA-256.
--
-- hash = SHA-256(prevHash || payload || 0x0A || outcome), prevHash of seq 1 = 32 zero bytes.
-- `payload` and `outcome` are canonical JSON (see LedgerFormat.md in the DocC catalog). Times are
-- milliseconds since 1970-01-01T00:00:00Z. `recordedAt` is when this database recorded the step;
-- it is not hashed, so two replays of the same steps produce the same chain.
CREATE TABLE event (
    seq INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    eventId TEXT NOT NULL,
    step TEXT NOT NULL,
    at INTEGER NOT NULL,
    recordedAt INTEGER NOT NULL,
    payload TEXT NOT NULL,
    outcome TEXT NOT NULL,
    prevHash BLOB NOT NULL CHECK (length(prevHash) = 32),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

CREATE UNIQUE INDEX event_brokerId_eventId ON event (brokerId, eventId);

-- Nothing in the log is updated or deleted; corrections are new steps. `verify` checks that these
-- triggers are still in place, and the hash chain catches an edit made without them.
--
-- The one exception is inside the transaction that records a step: the event is inserted first
-- with an empty outcome (so that derived rows can reference it), and its outcome and hash are
-- filled in once the rules have decided. A recorded event's outcome is never empty, so every
-- committed event is frozen.
CREATE TRIGGER event_no_update BEFORE UPDATE ON event WHEN OLD.outcome != ''
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: DELETE is not allowed');
END;
