-- Change feed (area: src/sync). `resource_history.seq` is taken at insert time, so a transaction
-- that commits late can make a lower seq appear after a consumer already read higher ones. Each
-- history row also records the id of the transaction that wrote it (`txid`): the feed is ordered
-- by (txid, seq) and serves only rows of transactions older than the oldest one still running
-- (pg_snapshot_xmin of the current snapshot). Every row that can still appear then sorts after
-- every row already served: a consumer that follows the feed never misses a version.
ALTER TABLE resource_history ADD COLUMN txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX resource_history_feed_idx ON resource_history (txid, seq);
CREATE INDEX resource_history_type_feed_idx ON resource_history (resource_type, txid, seq);

-- Bulk Data $export jobs: kept in the database so that they survive a restart and any API node can
-- answer the status poll. `lease_*`: the node working on the job and until when (renewed while it
-- runs); a job whose lease lapsed is taken over by another node (or the same one after a restart).
CREATE TABLE export_job (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('accepted', 'in-progress', 'completed', 'failed', 'cancelled')),
  -- The kick-off request as understood: level, types, _since, _typeFilter, includeAssociatedData, base URL.
  request jsonb NOT NULL,
  -- The caller (request context with its principal): the access profile applied to the output.
  caller jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  transaction_time timestamptz NOT NULL,
  -- The change-feed position taken before the first row was read: follow the feed from there.
  feed_cursor text NOT NULL,
  finished_at timestamptz,
  progress text,
  -- Completed output files [{type, file, count}] and deletion files, in order.
  output jsonb NOT NULL DEFAULT '[]',
  deleted jsonb NOT NULL DEFAULT '[]',
  error jsonb,
  lease_owner text,
  lease_until timestamptz
);
CREATE INDEX export_job_pending_idx ON export_job (lease_until) WHERE status IN ('accepted', 'in-progress');

-- The resources an export job will write, per type (set-based selection, so that the export
-- streams pages of ids instead of holding sets in memory).
CREATE TABLE export_member (
  job_id text NOT NULL REFERENCES export_job (id) ON DELETE CASCADE,
  resource_type text NOT NULL,
  id text NOT NULL,
  PRIMARY KEY (job_id, resource_type, id)
);

-- Reference consumer (`ror sync`): where the mirror of each source server stands.
CREATE TABLE sync_state (
  source text PRIMARY KEY,
  -- 'export': initial bulk export under way (export_url = its status URL); 'feed': following the change feed.
  phase text NOT NULL CHECK (phase IN ('export', 'feed')),
  export_url text,
  -- Feed position: the URL to poll next (our server), or the _since instant (other servers).
  cursor text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
