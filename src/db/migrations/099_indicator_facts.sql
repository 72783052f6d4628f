-- Indicators (src/indicators): the date-independent facts the population criteria and the quality rules read
-- (FINESS number, category, period, commune, parent, the codes of each offer, its places…) as generated columns,
-- written by PostgreSQL with each row in the same statement (so in the same transaction as the write), and
-- rebuilt with every row by `ror reindex` (src/indicators/facts.ts). A run then reads narrow columns instead of
-- decompressing and walking the JSON of every resource (bench/RESULTS.md, national FINESS).
-- Each column is `ror_fact_<table>_<fact>(content)` (or `(fields)` for the FINESS copy): the indicator SQL reading
-- the history as of a past instant calls the same functions on the old contents (src/indicators/facts.ts).
-- The functions never fail on malformed content (a write must not fail for a fact): non-arrays count as empty.
-- What is not date-independent (open at a reference date) or depends on reference data that an import can change
-- (value-set membership) stays computed at run time: the columns keep the codings, not the verdicts.

-- Helpers ------------------------------------------------------------------------------------------------------
CREATE FUNCTION ror_fact_array(doc jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN jsonb_typeof(doc) = 'array' THEN doc ELSE '[]'::jsonb END
$fn$;
-- The codes of a CodeableConcept array with this system, in document order (a coding without code gives NULL).
CREATE FUNCTION ror_fact_codes(ccs jsonb, sys text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(k.c->>'code' ORDER BY t.o, k.o), '{}'::text[])
  FROM jsonb_array_elements(ror_fact_array(ccs)) WITH ORDINALITY t(v, o),
       jsonb_array_elements(ror_fact_array(t.v->'coding')) WITH ORDINALITY k(c, o)
  WHERE k.c->>'system' = sys
$fn$;
-- Every coding of a CodeableConcept array as `system|code` (system empty when absent), codings without code left out.
CREATE FUNCTION ror_fact_codings(ccs jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(coalesce(k.c->>'system', '') || '|' || (k.c->>'code') ORDER BY t.o, k.o), '{}'::text[])
  FROM jsonb_array_elements(ror_fact_array(ccs)) WITH ORDINALITY t(v, o),
       jsonb_array_elements(ror_fact_array(t.v->'coding')) WITH ORDINALITY k(c, o)
  WHERE k.c->>'code' IS NOT NULL
$fn$;
-- Run time: whether one of those `system|code` codings belongs to value set `vs` (indicator_code_in, migration 080).
CREATE FUNCTION ror_fact_coded_in(vs text, codings text[]) RETURNS boolean LANGUAGE sql STABLE AS $fn$
  SELECT EXISTS (SELECT 1 FROM unnest(codings) s
                 WHERE indicator_code_in(vs, nullif(split_part(s, '|', 1), ''), substr(s, strpos(s, '|') + 1)))
$fn$;
-- First identifier value with this system.
CREATE FUNCTION ror_fact_identifier(doc jsonb, sys text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT i->>'value' FROM jsonb_array_elements(ror_fact_array(doc->'identifier')) i WHERE i->>'system' = sys LIMIT 1
$fn$;
-- First coded value of the first extension with this url.
CREATE FUNCTION ror_fact_ext_code(exts jsonb, url text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT c->>'code' FROM jsonb_array_elements(ror_fact_array(exts)) e, jsonb_array_elements(ror_fact_array(e->'valueCodeableConcept'->'coding')) c
  WHERE e->>'url' = url LIMIT 1
$fn$;
-- Start or end of the organization-period extension.
CREATE FUNCTION ror_fact_period(exts jsonb, part text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT e->'valuePeriod'->>part FROM jsonb_array_elements(ror_fact_array(exts)) e
  WHERE e->>'url' = 'http://hl7.org/fhir/StructureDefinition/organization-period' LIMIT 1
$fn$;
-- COG commune code of an address array.
CREATE FUNCTION ror_fact_insee(addresses jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT e->'valueCoding'->>'code' FROM jsonb_array_elements(ror_fact_array(addresses)) a, jsonb_array_elements(ror_fact_array(a->'extension')) e
  WHERE e->>'url' = 'http://interopsante.org/fhir/StructureDefinition/FrAddressInseeCode' LIMIT 1
$fn$;
-- `active` as FHIR reads it: absent = true (a string the boolean cast reads as false counts as false).
CREATE FUNCTION ror_fact_active(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT NOT coalesce(lower(doc->>'active') IN ('false', 'f', 'no', 'n', 'off', '0'), false)
$fn$;

-- Organization ---------------------------------------------------------------------------------------------------
CREATE FUNCTION ror_fact_organization_finess(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_identifier(doc, 'https://finess.esante.gouv.fr') $fn$;
CREATE FUNCTION ror_fact_organization_id_nat(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_identifier(doc, 'urn:oid:1.2.250.1.71.4.2.2') $fn$;
-- Establishment category: TRE_R66, else a TRE_R02 city sector (NULL: not a site).
CREATE FUNCTION ror_fact_organization_category(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce((ror_fact_codes(doc->'type', 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement'))[1],
                  (ror_fact_codes(doc->'type', 'https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite'))[1]) $fn$;
CREATE FUNCTION ror_fact_organization_parent(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT substr(doc->'partOf'->>'reference', 14) $fn$;
CREATE FUNCTION ror_fact_organization_has_parent(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT doc->'partOf' IS NOT NULL $fn$;
CREATE FUNCTION ror_fact_organization_closing_type(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_ext_code(doc->'extension', 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization-closing-type') $fn$;
CREATE FUNCTION ror_fact_organization_period_end(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_period(doc->'extension', 'end') $fn$;
CREATE FUNCTION ror_fact_organization_active(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_active(doc) $fn$;
CREATE FUNCTION ror_fact_organization_insee(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_insee(doc->'address') $fn$;
CREATE FUNCTION ror_fact_organization_name(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT doc->>'name' $fn$;
-- Internal organization types (TRE_R207: 3 = UF, …).
CREATE FUNCTION ror_fact_organization_oi_types(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codes(doc->'type', 'https://mos.esante.gouv.fr/NOS/TRE_R207-TypeOrganisationInterne/FHIR/TRE-R207-TypeOrganisationInterne') $fn$;

ALTER TABLE organization
  ADD COLUMN f_finess text GENERATED ALWAYS AS (ror_fact_organization_finess(content)) STORED,
  ADD COLUMN f_id_nat text GENERATED ALWAYS AS (ror_fact_organization_id_nat(content)) STORED,
  ADD COLUMN f_category text GENERATED ALWAYS AS (ror_fact_organization_category(content)) STORED,
  ADD COLUMN f_parent text GENERATED ALWAYS AS (ror_fact_organization_parent(content)) STORED,
  ADD COLUMN f_has_parent boolean GENERATED ALWAYS AS (ror_fact_organization_has_parent(content)) STORED,
  ADD COLUMN f_closing_type text GENERATED ALWAYS AS (ror_fact_organization_closing_type(content)) STORED,
  ADD COLUMN f_period_end text GENERATED ALWAYS AS (ror_fact_organization_period_end(content)) STORED,
  ADD COLUMN f_active boolean GENERATED ALWAYS AS (ror_fact_organization_active(content)) STORED,
  ADD COLUMN f_insee text GENERATED ALWAYS AS (ror_fact_organization_insee(content)) STORED,
  ADD COLUMN f_name text GENERATED ALWAYS AS (ror_fact_organization_name(content)) STORED,
  ADD COLUMN f_oi_types text[] GENERATED ALWAYS AS (ror_fact_organization_oi_types(content)) STORED;

-- HealthcareService ----------------------------------------------------------------------------------------------
CREATE FUNCTION ror_fact_healthcare_service_active(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_active(doc) $fn$;
CREATE FUNCTION ror_fact_healthcare_service_provider(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT substr(doc->'providedBy'->>'reference', 14) $fn$;
-- TRE_R227 field (01 MCO, 02 SMR, 03 PSY…).
CREATE FUNCTION ror_fact_healthcare_service_field_code(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT (ror_fact_codes(doc->'type', 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite'))[1] $fn$;
CREATE FUNCTION ror_fact_healthcare_service_type_codings(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codings(doc->'type') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_category_codings(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codings(doc->'category') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_specialty_codings(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codings(doc->'specialty') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_characteristic_codings(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codings(doc->'characteristic') $fn$;
-- Criterion 5: a patient type with an age range bounded on both sides.
CREATE FUNCTION ror_fact_healthcare_service_ages(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(doc->'extension')) p, jsonb_array_elements(ror_fact_array(p->'extension')) r
                 WHERE p->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-patient-type'
                   AND r->>'url' = 'ageRange'
                   AND r->'valueRange'->'low'->'value' IS NOT NULL AND r->'valueRange'->'high'->'value' IS NOT NULL) $fn$;
-- The places (Location ids) the offer refers to, in order, repeated as often as referred to.
CREATE FUNCTION ror_fact_healthcare_service_locations(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(substr(lr->>'reference', 10) ORDER BY o), '{}'::text[])
  FROM jsonb_array_elements(ror_fact_array(doc->'location')) WITH ORDINALITY t(lr, o) $fn$;
-- Criterion 7, without the value-set check: the function (resp. nature) codings of the offer contacts that have a
-- contact telecom with a channel, a confidentiality level and an address.
CREATE FUNCTION ror_fact_healthcare_service_contact_codings(doc jsonb, sub_url text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(coalesce(k->>'system', '') || '|' || (k->>'code')), '{}'::text[])
  FROM jsonb_array_elements(ror_fact_array(doc->'extension')) c, jsonb_array_elements(ror_fact_array(c->'extension')) s,
       jsonb_array_elements(ror_fact_array(s->'valueCodeableConcept'->'coding')) k
  WHERE c->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-contact'
    AND s->>'url' = sub_url AND k->>'code' IS NOT NULL
    AND EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(c->'extension')) t
                WHERE t->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-contact-telecom'
                  AND EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(t->'extension')) v WHERE v->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-telecom-communication-channel' AND v->'valueCodeableConcept'->'coding'->0->>'code' IS NOT NULL)
                  AND EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(t->'extension')) v WHERE v->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-telecom-confidentiality-level' AND v->'valueCodeableConcept'->'coding'->0->>'code' IS NOT NULL)
                  AND EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(t->'extension')) v WHERE v->>'url' = 'telecomAddress' AND coalesce(v->>'valueString', '') <> '')) $fn$;
CREATE FUNCTION ror_fact_healthcare_service_contact_functions(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_healthcare_service_contact_codings(doc, 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-function-contact') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_contact_natures(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_healthcare_service_contact_codings(doc, 'purposeContact') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_name(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT doc->>'name' $fn$;
CREATE FUNCTION ror_fact_healthcare_service_activities(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codes(doc->'specialty', 'https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_care_modes(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codes(doc->'characteristic', 'https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_org_categories(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codes(doc->'category', 'https://mos.esante.gouv.fr/NOS/TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_reception_types(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codes(doc->'characteristic', 'https://mos.esante.gouv.fr/NOS/TRE_R240-TemporaliteAccueil/FHIR/TRE-R240-TemporaliteAccueil') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_maternity_types(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_codes(doc->'characteristic', 'https://mos.esante.gouv.fr/NOS/TRE_R253-TypeMaternite/FHIR/TRE-R253-TypeMaternite') $fn$;
CREATE FUNCTION ror_fact_healthcare_service_sensitive(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce((SELECT CASE WHEN jsonb_typeof(e->'valueBoolean') = 'boolean' THEN (e->'valueBoolean')::boolean END
                   FROM jsonb_array_elements(ror_fact_array(doc->'extension')) e
                   WHERE e->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-sensitive-unit' LIMIT 1), false) $fn$;

ALTER TABLE healthcare_service
  ADD COLUMN f_active boolean GENERATED ALWAYS AS (ror_fact_healthcare_service_active(content)) STORED,
  ADD COLUMN f_provider text GENERATED ALWAYS AS (ror_fact_healthcare_service_provider(content)) STORED,
  ADD COLUMN f_field_code text GENERATED ALWAYS AS (ror_fact_healthcare_service_field_code(content)) STORED,
  ADD COLUMN f_type_codings text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_type_codings(content)) STORED,
  ADD COLUMN f_category_codings text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_category_codings(content)) STORED,
  ADD COLUMN f_specialty_codings text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_specialty_codings(content)) STORED,
  ADD COLUMN f_characteristic_codings text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_characteristic_codings(content)) STORED,
  ADD COLUMN f_ages boolean GENERATED ALWAYS AS (ror_fact_healthcare_service_ages(content)) STORED,
  ADD COLUMN f_locations text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_locations(content)) STORED,
  ADD COLUMN f_contact_functions text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_contact_functions(content)) STORED,
  ADD COLUMN f_contact_natures text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_contact_natures(content)) STORED,
  ADD COLUMN f_name text GENERATED ALWAYS AS (ror_fact_healthcare_service_name(content)) STORED,
  ADD COLUMN f_activities text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_activities(content)) STORED,
  ADD COLUMN f_care_modes text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_care_modes(content)) STORED,
  ADD COLUMN f_org_categories text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_org_categories(content)) STORED,
  ADD COLUMN f_reception_types text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_reception_types(content)) STORED,
  ADD COLUMN f_maternity_types text[] GENERATED ALWAYS AS (ror_fact_healthcare_service_maternity_types(content)) STORED,
  ADD COLUMN f_sensitive boolean GENERATED ALWAYS AS (ror_fact_healthcare_service_sensitive(content)) STORED;

-- Location -------------------------------------------------------------------------------------------------------
-- Criterion 6: an address line or a lieu-dit, a city and a postcode.
CREATE FUNCTION ror_fact_location_address_ok(doc jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT (jsonb_array_length(ror_fact_array(doc->'address'->'line')) > 0
          OR EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(doc->'address'->'extension')) x
                     WHERE x->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-lieu-dit'))
    AND coalesce(doc->'address'->>'city', '') <> '' AND coalesce(doc->'address'->>'postalCode', '') <> '' $fn$;
-- CP6: the installed capacity, Σ nbCapacity of the capacity records with status 01 (NULL: none; non-numbers ignored).
CREATE FUNCTION ror_fact_location_installed(doc jsonb) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  -- (least() skips NULL: without the CASE, no record would read as 2,000,000,000.)
  SELECT CASE WHEN sum(x.v) IS NOT NULL THEN least(sum(x.v), 2000000000)::int END FROM (SELECT CASE WHEN jsonb_typeof(n->'valueInteger') = 'number' THEN (n->'valueInteger')::numeric END AS v
  FROM jsonb_array_elements(ror_fact_array(doc->'extension')) cap, jsonb_array_elements(ror_fact_array(cap->'extension')) n
  WHERE cap->>'url' = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location-supported-capacity' AND n->>'url' = 'nbCapacity'
    AND EXISTS (SELECT 1 FROM jsonb_array_elements(ror_fact_array(cap->'extension')) s
                WHERE s->>'url' = 'capacityStatus' AND s->'valueCodeableConcept'->'coding'->0->>'code' = '01')) x $fn$;

ALTER TABLE location
  ADD COLUMN f_address_ok boolean GENERATED ALWAYS AS (ror_fact_location_address_ok(content)) STORED,
  ADD COLUMN f_installed integer GENERATED ALWAYS AS (ror_fact_location_installed(content)) STORED;

-- FINESS copy (import_provenance of the FINESS establishments): the values the last import wrote. ------------------
CREATE FUNCTION ror_fact_finess_category(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT (ror_fact_codes(fields->'type|https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement',
                         'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement'))[1] $fn$;
CREATE FUNCTION ror_fact_finess_ej(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT substr(fields->'partOf'->>'reference', 24) $fn$;
CREATE FUNCTION ror_fact_finess_name(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT fields->>'name' $fn$;
CREATE FUNCTION ror_fact_finess_opened(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_period(fields->'extension|http://hl7.org/fhir/StructureDefinition/organization-period', 'start') $fn$;
CREATE FUNCTION ror_fact_finess_closing_date(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_period(fields->'extension|http://hl7.org/fhir/StructureDefinition/organization-period', 'end') $fn$;
CREATE FUNCTION ror_fact_finess_closing_type(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_ext_code(fields->'extension|https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization-closing-type',
                           'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization-closing-type') $fn$;
CREATE FUNCTION ror_fact_finess_region(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT t->>'code' FROM jsonb_array_elements(ror_fact_array(fields->'meta.tag|https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM')) t LIMIT 1 $fn$;
CREATE FUNCTION ror_fact_finess_insee(fields jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ror_fact_insee(fields->'address') $fn$;

-- Only the FINESS establishments' rows carry them (other imports' rows: NULL, nothing computed).
ALTER TABLE import_provenance
  ADD COLUMN f_category text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_category(fields) END) STORED,
  ADD COLUMN f_finess_ej text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_ej(fields) END) STORED,
  ADD COLUMN f_name text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_name(fields) END) STORED,
  ADD COLUMN f_opened text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_opened(fields) END) STORED,
  ADD COLUMN f_closing_date text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_closing_date(fields) END) STORED,
  ADD COLUMN f_closing_type text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_closing_type(fields) END) STORED,
  ADD COLUMN f_region text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_region(fields) END) STORED,
  ADD COLUMN f_insee text GENERATED ALWAYS AS (CASE WHEN source = 'finess' THEN ror_fact_finess_insee(fields) END) STORED;
