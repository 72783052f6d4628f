-- Population and quality indicators (shared/spec/ror-indicators.md §2, §3, §6.3).

-- FINESS authorisations of health-care activities (activité / modalité / forme, the cs1400103 field set),
-- loaded by `ror import finess-authorisations`: the file is the current stock, it replaces the table.
CREATE TABLE finess_authorisation (
  nofinesset text NOT NULL,
  nofinessej text,
  activite text NOT NULL,
  modalite text NOT NULL DEFAULT '',
  forme text NOT NULL DEFAULT '',
  noautor text NOT NULL DEFAULT '',
  dateautor date,
  datemeo date,
  datefin date,
  indcaduc text,
  indsupact text,
  source_line integer NOT NULL,
  import_run bigint,
  PRIMARY KEY (nofinesset, activite, modalite, forme, noautor)
);

-- Whether a code belongs to a NOS value set (JDV): the BI's "code that resolves in the NOS". A member row
-- whose code system the NOS files do not name (system_known = false) is matched on the code alone.
CREATE FUNCTION indicator_code_in(vs text, sys text, c text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT c IS NOT NULL AND EXISTS (
    SELECT 1 FROM terminology_value_set_member m
    WHERE m.value_set = vs AND m.code = c AND (NOT m.system_known OR m.system = sys))
$$;

-- Snapshots: one row per run (kind population = quarterly, quality = weekly), the figures as rows.
CREATE TABLE indicator_snapshot (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('population', 'quality')),
  -- Reference date: last day of the quarter (population) or Monday of the week (quality).
  reference_date date NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  reference_version text NOT NULL,
  -- A re-computation of the same kind and date replaces the previous one (kept: superseded_by).
  superseded_by bigint REFERENCES indicator_snapshot (id),
  summary jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX indicator_snapshot_kind_date_idx ON indicator_snapshot (kind, reference_date);

CREATE TABLE indicator_population_row (
  snapshot_id bigint NOT NULL REFERENCES indicator_snapshot (id),
  region text NOT NULL,
  departement text NOT NULL,
  field text NOT NULL,
  category text NOT NULL,
  domain text NOT NULL,
  perimeter text NOT NULL,
  perimeter_count integer NOT NULL,
  finalised integer NOT NULL,
  in_progress integer NOT NULL,
  to_do integer NOT NULL
);
CREATE INDEX indicator_population_row_snapshot_idx ON indicator_population_row (snapshot_id, region);

CREATE TABLE indicator_quality_row (
  snapshot_id bigint NOT NULL REFERENCES indicator_snapshot (id),
  rule text NOT NULL,
  region text NOT NULL,
  departement text NOT NULL,
  domain text NOT NULL,
  perimeter_count integer NOT NULL,
  deviations integer NOT NULL
);
CREATE INDEX indicator_quality_row_snapshot_idx ON indicator_quality_row (snapshot_id, region);
