-- Runs of the freshness reminder job (src/referent/reminders.ts): listed in the administrators' view.
CREATE TABLE reminder_run (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- 'interval' (the server's timer), 'cli' (ror reminders), 'admin' (run from the web view)
  trigger text NOT NULL,
  stale_after_days integer NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  referents integer NOT NULL DEFAULT 0,
  stale_items integer NOT NULL DEFAULT 0,
  emails_sent integer NOT NULL DEFAULT 0,
  error text
);
CREATE INDEX reminder_run_started_idx ON reminder_run (started_at DESC);
