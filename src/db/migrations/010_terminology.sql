-- Terminology: NOS code systems (TRE) and value sets (JDV), and the IG's own ones.
-- Loaded by the code migration 011_load_nos and refreshed by `ror import nos <dir>`; rows are never
-- deleted: a code gone from a file is flagged retired. `search_text` is the labels and code,
-- lower-case and without accents (computed by the application), indexed by trigrams for $expand.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE terminology_code_system (
  url text PRIMARY KEY,
  name text NOT NULL,
  oid text,
  version text,
  title text,
  kind text NOT NULL CHECK (kind IN ('nos', 'ig')),
  source text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX terminology_code_system_oid_idx ON terminology_code_system (oid);

CREATE TABLE terminology_value_set (
  url text PRIMARY KEY,
  name text NOT NULL,
  oid text,
  version text,
  title text,
  kind text NOT NULL CHECK (kind IN ('nos', 'ig')),
  source text NOT NULL,
  -- Whole code systems included but not loaded, and included value sets (IG value sets).
  include_systems text[] NOT NULL DEFAULT '{}',
  include_value_sets text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE terminology_concept (
  system text NOT NULL REFERENCES terminology_code_system (url),
  code text NOT NULL,
  display text NOT NULL,
  short_label text,
  long_label text,
  retired boolean NOT NULL DEFAULT false,
  valid_from date,
  valid_to date,
  version text,
  search_text text NOT NULL,
  PRIMARY KEY (system, code)
);
CREATE INDEX terminology_concept_search_idx ON terminology_concept USING gin (search_text gin_trgm_ops);

CREATE TABLE terminology_value_set_member (
  value_set text NOT NULL REFERENCES terminology_value_set (url),
  -- The code system URL, or `urn:oid:<oid>` with system_known = false when the NOS files name no
  -- code system for the row (the code is then checked alone).
  system text NOT NULL,
  system_known boolean NOT NULL,
  -- OID the file gives for the row's code system.
  oid text,
  code text NOT NULL,
  display text NOT NULL,
  ord integer NOT NULL,
  -- Retired in its code system, or gone from the value set file.
  retired boolean NOT NULL DEFAULT false,
  removed boolean NOT NULL DEFAULT false,
  search_text text NOT NULL,
  PRIMARY KEY (value_set, system, code)
);
CREATE INDEX terminology_value_set_member_search_idx ON terminology_value_set_member USING gin (search_text gin_trgm_ops);
CREATE INDEX terminology_value_set_member_code_idx ON terminology_value_set_member (system, code);
