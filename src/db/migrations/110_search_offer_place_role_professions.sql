-- The coordinator search's profession filter: "a resource profession of the offer, or the profession of a
-- professional practising in it" (city offers). The second half was two index probes per candidate (the offer's
-- PractitionerRoles, then their role codes): 14,855 candidates in Paris 15e, 120 of the statement's 150 ms. Each row
-- of search_offer_place now carries the TRE_G15 professions of the live PractitionerRoles whose healthcareService
-- references the offer, each once, kept by a trigger on practitioner_role (and computed with the row when the offer or
-- the place changes).
CREATE INDEX practitioner_role_service_ref_idx ON practitioner_role USING gin ((content -> 'healthcareService') jsonb_path_ops);

-- The professions (TRE_G15 codes, as the PractitionerRole `role` search parameter indexes PractitionerRole.code) of
-- the live roles practising in an offer.
CREATE FUNCTION ror_offer_role_professions(offer_id text) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT k ->> 'code' ORDER BY k ->> 'code'), '{}'::text[])
  FROM practitioner_role pr,
       jsonb_array_elements(ror_fact_array(pr.content -> 'code')) c,
       jsonb_array_elements(ror_fact_array(c -> 'coding')) k
  WHERE pr.content -> 'healthcareService' @> jsonb_build_array(jsonb_build_object('reference', 'HealthcareService/' || offer_id))
    AND NOT pr.deleted
    AND k ->> 'system' = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante'
    AND k ->> 'code' IS NOT NULL
$$;

ALTER TABLE search_offer_place ADD COLUMN role_professions text[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE VIEW search_offer_place_source AS
SELECT h.id AS offer_id, l.id AS location_id, l.geo_cell, l.lat, l.lon, l.available_places,
       h.specialty, h.characteristic, h.service_type, h.intervention_zone,
       ARRAY(SELECT DISTINCT reverse(split_part(reverse(k), '|', 1)) FROM unnest(h.patient_type) k WHERE strpos(k, '|') > 0 ORDER BY 1) AS public_codes,
       ARRAY(SELECT DISTINCT c FROM unnest(h.f_care_modes) c WHERE c IS NOT NULL ORDER BY 1) AS care_mode_codes,
       h.f_field_code AS field_code, h.age_low, h.age_high, h.has_closure, h.last_updated,
       h.inactive, h.sensitive, l.position, ror_offer_role_professions(h.id) AS role_professions
FROM healthcare_service h
CROSS JOIN LATERAL (SELECT DISTINCT substr(x ->> 'reference', 10) AS id FROM jsonb_array_elements(ror_fact_array(h.content -> 'location')) x
                    WHERE x ->> 'reference' LIKE 'Location/%') r
JOIN location l ON l.id = r.id
WHERE NOT h.deleted AND NOT l.deleted AND l.lat IS NOT NULL AND l.lon IS NOT NULL;

-- Back-fill: one look-up per offer (not per offer × place).
UPDATE search_offer_place p SET role_professions = x.professions
FROM (SELECT o.id, ror_offer_role_professions(o.id) AS professions FROM (SELECT DISTINCT offer_id AS id FROM search_offer_place) o) x
WHERE p.offer_id = x.id AND cardinality(x.professions) > 0;

DROP INDEX search_offer_place_cell_idx;
CREATE INDEX search_offer_place_cell_idx ON search_offer_place (geo_cell)
  INCLUDE (lat, lon, offer_id, location_id, available_places, specialty, characteristic, service_type, intervention_zone,
           public_codes, care_mode_codes, field_code, age_low, age_high, has_closure, last_updated, inactive, sensitive, position,
           role_professions);

-- A role written, changed or removed: the rows of the offers it practised in before and after.
CREATE FUNCTION search_offer_place_of_role() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  refs jsonb := '[]'::jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    refs := refs || ror_fact_array(OLD.content -> 'healthcareService');
  END IF;
  IF TG_OP <> 'DELETE' THEN
    refs := refs || ror_fact_array(NEW.content -> 'healthcareService');
  END IF;
  UPDATE search_offer_place p SET role_professions = ror_offer_role_professions(p.offer_id)
  WHERE p.offer_id IN (SELECT substr(x ->> 'reference', 19) FROM jsonb_array_elements(refs) x
                       WHERE x ->> 'reference' LIKE 'HealthcareService/%');
  RETURN NULL;
END $$;

CREATE TRIGGER search_offer_place_role_insert AFTER INSERT ON practitioner_role
  FOR EACH ROW EXECUTE FUNCTION search_offer_place_of_role();
CREATE TRIGGER search_offer_place_role_update AFTER UPDATE ON practitioner_role
  FOR EACH ROW WHEN ((OLD.deleted, OLD.content -> 'code', OLD.content -> 'healthcareService')
                IS DISTINCT FROM (NEW.deleted, NEW.content -> 'code', NEW.content -> 'healthcareService'))
  EXECUTE FUNCTION search_offer_place_of_role();
CREATE TRIGGER search_offer_place_role_delete AFTER DELETE ON practitioner_role
  FOR EACH ROW EXECUTE FUNCTION search_offer_place_of_role();

ANALYZE search_offer_place;
