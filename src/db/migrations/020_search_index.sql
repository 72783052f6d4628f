-- Search index (area: src/search). Rows are written by the search indexer inside each write
-- transaction, from the SearchParameter FHIRPath expressions (src/search/extract). Generic tables
-- keyed by (rtype, id); high-traffic parameters also get columns on the resource tables.

-- token: Coding / CodeableConcept / Identifier / code / boolean / ContactPoint / uri values.
CREATE TABLE search_token (
  rtype text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  system text,
  code text,
  -- normalised display / text (for :text)
  display text,
  -- identifier type `system|code` (for :of-type)
  ident_type text
);
CREATE INDEX search_token_code_idx ON search_token (rtype, param, code, system);
CREATE INDEX search_token_res_idx ON search_token (rtype, id);

-- string: normalised (unaccented, lower-case) for the default starts-with and :contains; raw for :exact.
CREATE TABLE search_string (
  rtype text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  norm text NOT NULL,
  raw text NOT NULL
);
CREATE INDEX search_string_norm_idx ON search_string (rtype, param, norm text_pattern_ops);
CREATE INDEX search_string_trgm_idx ON search_string USING gin (norm gin_trgm_ops);
CREATE INDEX search_string_res_idx ON search_string (rtype, id);

-- reference: one row per reference, target split for joins (chaining, _include, _revinclude, _has).
CREATE TABLE search_reference (
  rtype text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  target_type text,
  target_id text,
  -- the reference as written (absolute URL, canonical) when it is not `Type/id`
  url text
);
CREATE INDEX search_reference_target_idx ON search_reference (rtype, param, target_id);
CREATE INDEX search_reference_res_idx ON search_reference (rtype, id);

-- date: the range a value covers, [lo, hi) (a date of day precision covers the whole day).
CREATE TABLE search_date (
  rtype text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  lo timestamptz NOT NULL,
  hi timestamptz NOT NULL
);
CREATE INDEX search_date_lo_idx ON search_date (rtype, param, lo);
CREATE INDEX search_date_hi_idx ON search_date (rtype, param, hi);
CREATE INDEX search_date_res_idx ON search_date (rtype, id);

-- number and quantity (system/code set for quantities).
CREATE TABLE search_number (
  rtype text NOT NULL,
  id text NOT NULL,
  param text NOT NULL,
  value numeric NOT NULL,
  system text,
  code text
);
CREATE INDEX search_number_value_idx ON search_number (rtype, param, value);
CREATE INDEX search_number_res_idx ON search_number (rtype, id);

-- _content: names and nomenclature labels of a resource, unaccented; French stemming + trigrams (typos).
CREATE TABLE search_text (
  rtype text NOT NULL,
  id text NOT NULL,
  doc text NOT NULL,
  tsv tsvector NOT NULL
);
CREATE INDEX search_text_res_idx ON search_text (rtype, id);
CREATE INDEX search_text_tsv_idx ON search_text USING gin (tsv);
CREATE INDEX search_text_trgm_idx ON search_text USING gin (doc gin_trgm_ops);

-- Dedicated columns. Token arrays hold `system|code` and `code` keys (src/search/extract/token-keys.ts).
ALTER TABLE healthcare_service
  ADD COLUMN specialty text[],
  ADD COLUMN service_type text[],
  ADD COLUMN characteristic text[],
  ADD COLUMN patient_type text[],
  ADD COLUMN intervention_zone text[],
  ADD COLUMN age_low numeric,
  ADD COLUMN age_high numeric;
CREATE INDEX healthcare_service_specialty_idx ON healthcare_service USING gin (specialty);
CREATE INDEX healthcare_service_service_type_idx ON healthcare_service USING gin (service_type);
CREATE INDEX healthcare_service_characteristic_idx ON healthcare_service USING gin (characteristic);
CREATE INDEX healthcare_service_patient_type_idx ON healthcare_service USING gin (patient_type);
CREATE INDEX healthcare_service_intervention_zone_idx ON healthcare_service USING gin (intervention_zone);
CREATE INDEX healthcare_service_age_idx ON healthcare_service (age_low, age_high);

ALTER TABLE location
  ADD COLUMN commune_cog text[],
  ADD COLUMN lat double precision,
  ADD COLUMN lon double precision,
  ADD COLUMN position cube;
CREATE INDEX location_commune_cog_idx ON location USING gin (commune_cog);
CREATE INDEX location_position_idx ON location USING gist (position);

-- Source region (_tag TRE_R30) is the `region` column of 001: index it for regional extractions.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organization', 'healthcare_service', 'location', 'practitioner',
      'practitioner_role', 'task', 'questionnaire'] LOOP
    EXECUTE format('CREATE INDEX %1$I ON %2$I (region, id)', t || '_region_idx', t);
  END LOOP;
END $$;

-- COG communes with their centroid (near-insee-code, intervention-zone expansion); loaded by the
-- code migration 021_commune (src/search/geo/communes.ts).
CREATE TABLE commune (
  cog text PRIMARY KEY,
  name text NOT NULL,
  departement text,
  region text,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  postal_codes text[]
);
