-- A click on a link: the signup screen opened with ?partnerId=. The partnerId is kept as given,
-- even when no holder has it (`holderRowId` NULL).
CREATE TABLE click (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    partnerId TEXT NOT NULL,
    holderRowId INTEGER REFERENCES partnerIdHolder (id),
    linkRowId INTEGER REFERENCES link (id),
    visitorId TEXT,
    clickedAt INTEGER NOT NULL,
    eventSeq INTEGER NOT NULL REFERENCES event (seq)
) STRICT;

CREATE INDEX click_brokerId_visitorId ON click (brokerId, visitorId, clickedAt) WHERE visitorId IS NOT NULL;
