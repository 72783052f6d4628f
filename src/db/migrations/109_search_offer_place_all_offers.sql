-- search_offer_place (migration 108) also serves the FHIR search `HealthcareService?location.near…` (and
-- `location.near-insee-code`), the IG's main consumer query (src/search/compile/driving-set.ts): the offers with a place
-- within the radius from one range scan of the geo-cell index, instead of the places, then each place's offer
-- references. A FHIR search returns inactive offers and, to whom may see them, sensitive units: the table now holds
-- every live offer, with those two flags for the coordinator search to leave them out, and each place's `position`
-- (the earthdistance point of migration 020, copied) for the same distance test as on the places themselves.
ALTER TABLE search_offer_place
  ADD COLUMN inactive boolean NOT NULL DEFAULT false,
  ADD COLUMN sensitive boolean NOT NULL DEFAULT false,
  ADD COLUMN position cube;

CREATE OR REPLACE VIEW search_offer_place_source AS
SELECT h.id AS offer_id, l.id AS location_id, l.geo_cell, l.lat, l.lon, l.available_places,
       h.specialty, h.characteristic, h.service_type, h.intervention_zone,
       ARRAY(SELECT DISTINCT reverse(split_part(reverse(k), '|', 1)) FROM unnest(h.patient_type) k WHERE strpos(k, '|') > 0 ORDER BY 1) AS public_codes,
       ARRAY(SELECT DISTINCT c FROM unnest(h.f_care_modes) c WHERE c IS NOT NULL ORDER BY 1) AS care_mode_codes,
       h.f_field_code AS field_code, h.age_low, h.age_high, h.has_closure, h.last_updated,
       h.inactive, h.sensitive, l.position
FROM healthcare_service h
CROSS JOIN LATERAL (SELECT DISTINCT substr(x ->> 'reference', 10) AS id FROM jsonb_array_elements(ror_fact_array(h.content -> 'location')) x
                    WHERE x ->> 'reference' LIKE 'Location/%') r
JOIN location l ON l.id = r.id
WHERE NOT h.deleted AND NOT l.deleted AND l.lat IS NOT NULL AND l.lon IS NOT NULL;

DROP INDEX search_offer_place_cell_idx;
DELETE FROM search_offer_place;
INSERT INTO search_offer_place SELECT * FROM search_offer_place_source;
CREATE INDEX search_offer_place_cell_idx ON search_offer_place (geo_cell)
  INCLUDE (lat, lon, offer_id, location_id, available_places, specialty, characteristic, service_type, intervention_zone,
           public_codes, care_mode_codes, field_code, age_low, age_high, has_closure, last_updated, inactive, sensitive, position);

-- A place that moves keeps its rows: its point moves with them.
CREATE OR REPLACE FUNCTION search_offer_place_of_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT OLD.deleted AND OLD.lat IS NOT NULL AND OLD.lon IS NOT NULL
     AND NOT NEW.deleted AND NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL THEN
    UPDATE search_offer_place SET geo_cell = NEW.geo_cell, lat = NEW.lat, lon = NEW.lon, available_places = NEW.available_places,
           position = NEW.position
    WHERE location_id = NEW.id;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM search_offer_place WHERE location_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO search_offer_place
    SELECT s.* FROM search_offer_place_source s
    WHERE s.location_id = NEW.id
      AND s.offer_id IN (SELECT h.id FROM healthcare_service h
                         WHERE h.content -> 'location' @> jsonb_build_array(jsonb_build_object('reference', 'Location/' || NEW.id)));
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER search_offer_place_location_update ON location;
CREATE TRIGGER search_offer_place_location_update AFTER UPDATE ON location
  FOR EACH ROW WHEN ((OLD.deleted, OLD.lat, OLD.lon, OLD.geo_cell, OLD.available_places, OLD.position)
                IS DISTINCT FROM (NEW.deleted, NEW.lat, NEW.lon, NEW.geo_cell, NEW.available_places, NEW.position))
  EXECUTE FUNCTION search_offer_place_of_location();

ANALYZE search_offer_place;
