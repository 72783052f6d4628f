-- Imports of national registers (FINESS, RPPS): one row per run, and per imported resource the values
-- the import last wrote, field by field. A re-import only overwrites a field whose current value still
-- equals what the import last wrote: what a referent changed since is kept (field provenance).
CREATE TABLE import_run (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  file text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- running (or killed while running), completed, failed
  status text NOT NULL DEFAULT 'running',
  report jsonb
);

CREATE TABLE import_provenance (
  source text NOT NULL,
  resource_type text NOT NULL,
  id text NOT NULL,
  -- field key (`name`, `extension|<url>`, `identifier|<system>`, `type|<system>`, `meta.tag|<system>`) → value last imported
  fields jsonb NOT NULL,
  -- the last run whose file held this resource
  last_run bigint NOT NULL,
  -- closure scope: a resource absent from a new file is closed only if the file covers its scope
  -- (FINESS: the département prefix of the ET number; NULL for legal entities, closed with their last site)
  scope text,
  closed_at timestamptz,
  PRIMARY KEY (source, resource_type, id)
);
CREATE INDEX import_provenance_scope_idx ON import_provenance (source, scope, last_run);
