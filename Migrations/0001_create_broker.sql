-- A broker: the namespace of every other record. `brokerCrmName` is the key of the cTrader
-- referral API; `guaranteedAttributionDays` is set by the `broker.configured` step (0: none).
CREATE TABLE broker (
    id INTEGER PRIMARY KEY,
    brokerCrmName TEXT NOT NULL CHECK (length(brokerCrmName) BETWEEN 1 AND 64),
    guaranteedAttributionDays INTEGER NOT NULL DEFAULT 0 CHECK (guaranteedAttributionDays >= 0)
) STRICT;

CREATE UNIQUE INDEX broker_brokerCrmName ON broker (brokerCrmName);
