-- Marks the file as an invite-ledger ledger for any tool that reads SQLite's header (`file` names
-- it, `PRAGMA application_id` reads it): 0x494E564C, "INVL". invite-ledger refuses to write to a
-- file that carries another program's application id.
PRAGMA application_id = 1229870668;
