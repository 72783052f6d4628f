-- The public and care-mode codes of an offer, each once, as search_offer_place holds them (migrations 108–109) and
-- as the coordinator search computes them for the offers it finds through their intervention zone only
-- (src/web/offer-search.ts): one definition for both.
CREATE FUNCTION ror_public_codes(patient_type text[]) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- The code after the last "|" of each system-keyed token (publics come in several systems).
  SELECT ARRAY(SELECT DISTINCT reverse(split_part(reverse(k), '|', 1)) FROM unnest(patient_type) k WHERE strpos(k, '|') > 0 ORDER BY 1)
$$;
CREATE FUNCTION ror_code_set(codes text[]) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT DISTINCT c FROM unnest(codes) c WHERE c IS NOT NULL ORDER BY 1)
$$;

CREATE OR REPLACE VIEW search_offer_place_source AS
SELECT h.id AS offer_id, l.id AS location_id, l.geo_cell, l.lat, l.lon, l.available_places,
       h.specialty, h.characteristic, h.service_type, h.intervention_zone,
       ror_public_codes(h.patient_type) AS public_codes, ror_code_set(h.f_care_modes) AS care_mode_codes,
       h.f_field_code AS field_code, h.age_low, h.age_high, h.has_closure, h.last_updated,
       h.inactive, h.sensitive, l.position
FROM healthcare_service h
CROSS JOIN LATERAL (SELECT DISTINCT substr(x ->> 'reference', 10) AS id FROM jsonb_array_elements(ror_fact_array(h.content -> 'location')) x
                    WHERE x ->> 'reference' LIKE 'Location/%') r
JOIN location l ON l.id = r.id
WHERE NOT h.deleted AND NOT l.deleted AND l.lat IS NOT NULL AND l.lon IS NOT NULL;
