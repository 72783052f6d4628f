-- The coordinator search's profession filter: "a resource profession of the offer, or the profession of a
-- professional practising in it" (city offers). The second half is two index probes per candidate (the offer's
-- PractitionerRoles, then their role codes): 14,855 candidates in Paris 15e, most of the kiné search's time. Each row
-- of search_offer_place now carries the TRE_G15 professions of the live PractitionerRoles whose healthcareService
-- references the offer, each once. Tried in session 6 with row triggers, reverted for what they cost the RPPS import
-- (bench/RESULTS.md); kept here by statement triggers (as the rest of the table since migration 112).
CREATE INDEX practitioner_role_service_ref_idx ON practitioner_role USING gin ((content -> 'healthcareService') jsonb_path_ops)
  WITH (fastupdate = off);

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
       ror_public_codes(h.patient_type) AS public_codes, ror_code_set(h.f_care_modes) AS care_mode_codes,
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

-- Roles written, changed or removed: the rows of the offers they practised in before or after, recomputed once each.
-- The condition on p.offer_id itself: the table's index on offer ids drives the update (a join on the list alone let
-- the planner read the whole table at every statement).
CREATE FUNCTION search_offer_place_roles_changed(refs jsonb) RETURNS void LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  offers text[] := ARRAY(SELECT DISTINCT substr(r ->> 'reference', 19) FROM jsonb_array_elements(refs) r
                         WHERE r ->> 'reference' LIKE 'HealthcareService/%');
BEGIN
  UPDATE search_offer_place p SET role_professions = x.professions
  FROM (SELECT o AS id, ror_offer_role_professions(o) AS professions FROM unnest(offers) o) x
  WHERE p.offer_id = ANY (offers) AND x.id = p.offer_id AND p.role_professions IS DISTINCT FROM x.professions;
END $$;

-- One function for the three triggers: each statement names only the transition tables its trigger has.
CREATE FUNCTION search_offer_place_roles_written() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  refs jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(r) INTO refs FROM new_rows n, jsonb_array_elements(ror_fact_array(n.content -> 'healthcareService')) r;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(r) INTO refs FROM old_rows o, jsonb_array_elements(ror_fact_array(o.content -> 'healthcareService')) r;
  ELSE
    -- Only the roles whose state, professions or offers changed; their offers before and after.
    -- Planned at each call (a join of the two transition tables: see migration 112).
    EXECUTE $q$
      SELECT jsonb_agg(r)
      FROM new_rows n JOIN old_rows o ON o.id = n.id,
           jsonb_array_elements(ror_fact_array(o.content -> 'healthcareService') || ror_fact_array(n.content -> 'healthcareService')) r
      WHERE (o.deleted, o.content -> 'code', o.content -> 'healthcareService')
            IS DISTINCT FROM (n.deleted, n.content -> 'code', n.content -> 'healthcareService')
    $q$ INTO refs;
  END IF;
  IF refs IS NOT NULL THEN
    PERFORM search_offer_place_roles_changed(refs);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER search_offer_place_role_insert AFTER INSERT ON practitioner_role
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_roles_written();
CREATE TRIGGER search_offer_place_role_update AFTER UPDATE ON practitioner_role
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_roles_written();
CREATE TRIGGER search_offer_place_role_delete AFTER DELETE ON practitioner_role
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_roles_written();

ANALYZE search_offer_place;
