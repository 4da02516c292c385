-- The state of each outside part (mautic, goto) as the queues last met it, shared by every instance and read by
-- /health and `status` (another process). fix is set while a refusal that concerns every change holds the queue:
-- the one line saying what the operator must mend. error and error_since describe the current failure, if any.
CREATE TABLE part_state (
    part         text        PRIMARY KEY,
    last_success timestamptz,
    error        text,
    error_since  timestamptz,
    fix          text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
