-- The coordinator search (src/web/offer-search.ts) reads, for each place near the patient, the offers held there and
-- what its filters and facets need of them. Read through the place index, then the offer → place references, then
-- each offer's row, that was three lookups per candidate: Paris 15e within 10 km is 15k places and 12k offers
-- (bench/RESULTS.md). This table holds one row per (live offer, live located place it references), with the place's
-- position and availability and the offer's search columns, so that the candidates come from one range scan of one
-- index over the geo cells.
--
-- It is derived data, kept by triggers on the two tables it copies from, whatever writes them (the store, the search
-- indexer's second write of the dedicated columns, bulk imports). An offer is listed while it is not deleted, active
-- and not a sensitive unit (never listed by this search); a place while it is not deleted and has a position.
CREATE TABLE search_offer_place (
  offer_id text NOT NULL,
  location_id text NOT NULL,
  geo_cell integer,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  available_places integer,
  specialty text[],
  characteristic text[],
  service_type text[],
  intervention_zone text[],
  -- The public codes (TRE_R239 and the other patient-type systems), each once: the public facet and filter.
  public_codes text[],
  -- The care-mode codes (TRE_R213), each once: the care-mode facet.
  care_mode_codes text[],
  field_code text,
  age_low numeric,
  age_high numeric,
  has_closure boolean NOT NULL,
  last_updated timestamptz NOT NULL,
  PRIMARY KEY (offer_id, location_id)
);

-- What the table must hold, one definition for the back-fill, the triggers and the tests.
CREATE VIEW search_offer_place_source AS
SELECT h.id AS offer_id, l.id AS location_id, l.geo_cell, l.lat, l.lon, l.available_places,
       h.specialty, h.characteristic, h.service_type, h.intervention_zone,
       ARRAY(SELECT DISTINCT reverse(split_part(reverse(k), '|', 1)) FROM unnest(h.patient_type) k WHERE strpos(k, '|') > 0 ORDER BY 1) AS public_codes,
       ARRAY(SELECT DISTINCT c FROM unnest(h.f_care_modes) c WHERE c IS NOT NULL ORDER BY 1) AS care_mode_codes,
       h.f_field_code AS field_code, h.age_low, h.age_high, h.has_closure, h.last_updated
FROM healthcare_service h
CROSS JOIN LATERAL (SELECT DISTINCT substr(x ->> 'reference', 10) AS id FROM jsonb_array_elements(ror_fact_array(h.content -> 'location')) x
                    WHERE x ->> 'reference' LIKE 'Location/%') r
JOIN location l ON l.id = r.id
WHERE NOT h.deleted AND NOT h.inactive AND NOT h.sensitive
  AND NOT l.deleted AND l.lat IS NOT NULL AND l.lon IS NOT NULL;

INSERT INTO search_offer_place SELECT * FROM search_offer_place_source;

-- Candidates by geo cell, everything the search reads in the index itself (index-only: the rows are not visited).
CREATE INDEX search_offer_place_cell_idx ON search_offer_place (geo_cell)
  INCLUDE (lat, lon, offer_id, location_id, available_places, specialty, characteristic, service_type, intervention_zone,
           public_codes, care_mode_codes, field_code, age_low, age_high, has_closure, last_updated);
CREATE INDEX search_offer_place_location_idx ON search_offer_place (location_id);

CREATE FUNCTION search_offer_place_of_offer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM search_offer_place WHERE offer_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO search_offer_place SELECT * FROM search_offer_place_source WHERE offer_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER search_offer_place_offer_insert AFTER INSERT ON healthcare_service
  FOR EACH ROW EXECUTE FUNCTION search_offer_place_of_offer();
-- Only when something the table copies changed (a no-op UPDATE, as the facts refresh runs, costs nothing here).
CREATE TRIGGER search_offer_place_offer_update AFTER UPDATE ON healthcare_service
  FOR EACH ROW WHEN ((OLD.deleted, OLD.inactive, OLD.sensitive, OLD.last_updated, OLD.content -> 'location', OLD.specialty,
                      OLD.characteristic, OLD.service_type, OLD.intervention_zone, OLD.patient_type, OLD.f_care_modes,
                      OLD.f_field_code, OLD.age_low, OLD.age_high, OLD.has_closure)
                IS DISTINCT FROM (NEW.deleted, NEW.inactive, NEW.sensitive, NEW.last_updated, NEW.content -> 'location', NEW.specialty,
                      NEW.characteristic, NEW.service_type, NEW.intervention_zone, NEW.patient_type, NEW.f_care_modes,
                      NEW.f_field_code, NEW.age_low, NEW.age_high, NEW.has_closure))
  EXECUTE FUNCTION search_offer_place_of_offer();
CREATE TRIGGER search_offer_place_offer_delete AFTER DELETE ON healthcare_service
  FOR EACH ROW EXECUTE FUNCTION search_offer_place_of_offer();

CREATE FUNCTION search_offer_place_of_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT OLD.deleted AND OLD.lat IS NOT NULL AND OLD.lon IS NOT NULL
     AND NOT NEW.deleted AND NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL THEN
    -- Listed before and after (a move, a new availability): the same rows, new place columns.
    UPDATE search_offer_place SET geo_cell = NEW.geo_cell, lat = NEW.lat, lon = NEW.lon, available_places = NEW.available_places
    WHERE location_id = NEW.id;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM search_offer_place WHERE location_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    -- The offers referencing the place, found through the GIN index on their location references.
    INSERT INTO search_offer_place
    SELECT s.* FROM search_offer_place_source s
    WHERE s.location_id = NEW.id
      AND s.offer_id IN (SELECT h.id FROM healthcare_service h
                         WHERE h.content -> 'location' @> jsonb_build_array(jsonb_build_object('reference', 'Location/' || NEW.id)));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER search_offer_place_location_insert AFTER INSERT ON location
  FOR EACH ROW EXECUTE FUNCTION search_offer_place_of_location();
CREATE TRIGGER search_offer_place_location_update AFTER UPDATE ON location
  FOR EACH ROW WHEN ((OLD.deleted, OLD.lat, OLD.lon, OLD.geo_cell, OLD.available_places)
                IS DISTINCT FROM (NEW.deleted, NEW.lat, NEW.lon, NEW.geo_cell, NEW.available_places))
  EXECUTE FUNCTION search_offer_place_of_location();
CREATE TRIGGER search_offer_place_location_delete AFTER DELETE ON location
  FOR EACH ROW EXECUTE FUNCTION search_offer_place_of_location();

ANALYZE search_offer_place;
