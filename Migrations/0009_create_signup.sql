-- A signup sent by the browser to the broker's backend; `userRowId` is set when `user.created`
-- completes it. `clickRowId` is the visitor's last click on the same partnerId before the signup.
CREATE TABLE signup (
    id INTEGER PRIMARY KEY,
    brokerId INTEGER NOT NULL REFERENCES broker (id),
    signupId TEXT NOT NULL,
    partnerId TEXT,
    holderRowId INTEGER REFERENCES partnerIdHolder (id),
    visitorId TEXT,
    clickRowId INTEGER REFERENCES click (id),
    submittedAt INTEGER NOT NULL,
    userRowId INTEGER REFERENCES ctidUser (id),
    eventSeq INTEGER NOT NULL REFERENCES event (seq)
) STRICT;

CREATE UNIQUE INDEX signup_brokerId_signupId ON signup (brokerId, signupId);
CREATE INDEX signup_userRowId ON signup (userRowId) WHERE userRowId IS NOT NULL;
