-- The registrant's GoTo detail (fields beyond the listing's, and the answers to the registration questions), fetched
-- once per registrant when a bridge.mautic.map needs it: {"fields": {...}, "answers": [{"question", "answer"}]}.
-- NULL = not fetched (yet).
ALTER TABLE registration ADD COLUMN goto_details jsonb;
