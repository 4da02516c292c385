-- An event whose last session ended long enough ago that GoTo's attendance data is final, and that was
-- reconciled after that: polls skip it, so an idle cycle costs GoTo calls only for active events.
ALTER TABLE event ADD COLUMN settled_at timestamptz;
