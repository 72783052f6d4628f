-- Core storage: one table per resource type with the current version, one history table with
-- every version of every resource (global order `seq` = the change feed), and the audit trail.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organization', 'healthcare_service', 'location', 'practitioner',
      'practitioner_role', 'task', 'questionnaire', 'measure', 'measure_report', 'subscription'] LOOP
    EXECUTE format($f$
      CREATE TABLE %1$I (
        id text PRIMARY KEY,
        version_id integer NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        region text,
        content jsonb NOT NULL
      )$f$, t);
    EXECUTE format('CREATE INDEX %1$I ON %2$I (last_updated, id)', t || '_last_updated_idx', t);
    -- Identifier look-ups (conditional update, imports) use JSON containment.
    EXECUTE format('CREATE INDEX %1$I ON %2$I USING gin ((content -> ''identifier'') jsonb_path_ops)',
      t || '_identifier_idx', t);
  END LOOP;
END $$;

CREATE TABLE resource_history (
  seq bigserial PRIMARY KEY,
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  region text,
  -- For a deletion: the last content, kept so that nothing is lost (not served as the version).
  content jsonb NOT NULL,
  UNIQUE (resource_type, id, version_id)
);
CREATE INDEX resource_history_type_seq_idx ON resource_history (resource_type, seq);
CREATE INDEX resource_history_last_updated_idx ON resource_history (last_updated, seq);

CREATE TABLE audit_event (
  seq bigserial PRIMARY KEY,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  actor_kind text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL DEFAULT 'success',
  resource_type text,
  resource_id text,
  version_id integer,
  source text NOT NULL,
  remote_addr text,
  -- RFC 6902 JSON Patch from the previous version to this one (writes).
  diff jsonb,
  detail jsonb
);
CREATE INDEX audit_event_resource_idx ON audit_event (resource_type, resource_id, seq);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, seq);

-- The audit trail is append-only: no update, delete or truncate, whoever asks.
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();

-- Profile violations of the current version of resources stored in lenient mode (legacy imports).
CREATE TABLE resource_issue (
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  issues jsonb NOT NULL,
  PRIMARY KEY (resource_type, id)
);
