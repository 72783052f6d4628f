-- search_offer_place (migrations 108–111) was kept by row triggers: per offer or place written, a trigger call and its
-- own statements (a delete, an insert from the view, for a place a probe of the offer → place reference index). Bulk
-- imports write thousands of rows per statement: the synthetic RPPS import of 50,000 lines went from 43 to 73 s
-- (bench/RESULTS.md). Statement triggers with transition tables do the same work once per statement, as joins over the
-- rows the statement wrote. Same rules as before: the table is what the view search_offer_place_source gives. An offer
-- and its place written by one statement are found by both triggers: the second insert of the same row does nothing.
--
-- Plans: PL/pgSQL plans a statement once per session, with the sizes of the transition tables of its first call. A
-- join of two transition tables (or of one with this table) planned on a statement of one row is a nested loop, which
-- on the next statement of 1,000 rows is a million comparisons (5,000 rows: 4.3 s instead of 0.1). Those statements
-- are run with EXECUTE (planned at each call, on the actual sizes); the others are driven by an index on an array.
-- And the functions run with enable_seqscan off: they only ever touch the rows of the ids they are given, which the
-- indexes find, but statistics can say otherwise — on a server without autovacuum (this project's CI machine) the
-- table is still "empty" to the planner after a national import, and every statement read all of it (0.6 s each,
-- growing with the table, on the national generation).
DROP TRIGGER search_offer_place_offer_insert ON healthcare_service;
DROP TRIGGER search_offer_place_offer_update ON healthcare_service;
DROP TRIGGER search_offer_place_offer_delete ON healthcare_service;
DROP TRIGGER search_offer_place_location_insert ON location;
DROP TRIGGER search_offer_place_location_update ON location;
DROP TRIGGER search_offer_place_location_delete ON location;
DROP FUNCTION search_offer_place_of_offer();
DROP FUNCTION search_offer_place_of_location();

-- Offers: the rows of the offers written are replaced by what the view gives for them.
CREATE FUNCTION search_offer_place_offers_inserted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  INSERT INTO search_offer_place SELECT s.* FROM search_offer_place_source s WHERE s.offer_id = ANY (ARRAY(SELECT id FROM new_rows))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION search_offer_place_offers_updated() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  changed text[];
BEGIN
  -- Only the offers where something the table copies changed (the facts refresh rewrites rows unchanged).
  EXECUTE $q$
    SELECT array_agg(n.id)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.deleted, o.inactive, o.sensitive, o.last_updated, o.content -> 'location', o.specialty, o.characteristic,
           o.service_type, o.intervention_zone, o.patient_type, o.f_care_modes, o.f_field_code, o.age_low, o.age_high, o.has_closure)
          IS DISTINCT FROM
          (n.deleted, n.inactive, n.sensitive, n.last_updated, n.content -> 'location', n.specialty, n.characteristic,
           n.service_type, n.intervention_zone, n.patient_type, n.f_care_modes, n.f_field_code, n.age_low, n.age_high, n.has_closure)
  $q$ INTO changed;
  IF changed IS NULL THEN
    RETURN NULL;
  END IF;
  DELETE FROM search_offer_place WHERE offer_id = ANY (changed);
  INSERT INTO search_offer_place SELECT s.* FROM search_offer_place_source s WHERE s.offer_id = ANY (changed)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION search_offer_place_offers_deleted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  DELETE FROM search_offer_place WHERE offer_id = ANY (ARRAY(SELECT id FROM old_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER search_offer_place_offer_insert AFTER INSERT ON healthcare_service
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_offers_inserted();
CREATE TRIGGER search_offer_place_offer_update AFTER UPDATE ON healthcare_service
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_offers_updated();
CREATE TRIGGER search_offer_place_offer_delete AFTER DELETE ON healthcare_service
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_offers_deleted();

-- Places: a place listed before and after (a move, a new availability) keeps its rows with new place columns; a place
-- that appears (created, undeleted, given a position) gets a row per offer referencing it, found through the GIN index
-- on the offers' place references; a place that disappears loses its rows.
CREATE FUNCTION search_offer_place_add_places(ids text[]) RETURNS void LANGUAGE sql SET enable_seqscan = off AS $$
  INSERT INTO search_offer_place
  SELECT s.* FROM unnest(ids) AS n(id)
  CROSS JOIN LATERAL (
    SELECT s.* FROM search_offer_place_source s
    WHERE s.location_id = n.id
      AND s.offer_id IN (SELECT h.id FROM healthcare_service h
                         WHERE h.content -> 'location' @> jsonb_build_array(jsonb_build_object('reference', 'Location/' || n.id)))) s
  ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION search_offer_place_locations_inserted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  PERFORM search_offer_place_add_places(ARRAY(SELECT id FROM new_rows WHERE NOT deleted AND lat IS NOT NULL AND lon IS NOT NULL));
  RETURN NULL;
END $$;

CREATE FUNCTION search_offer_place_locations_updated() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  moved text[];
  relisted text[];
BEGIN
  -- The places whose copied columns changed, split by whether they were listed both before and after.
  EXECUTE $q$
    SELECT array_agg(n.id) FILTER (WHERE listed_before AND listed_after),
           array_agg(n.id) FILTER (WHERE NOT (listed_before AND listed_after))
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (SELECT NOT o.deleted AND o.lat IS NOT NULL AND o.lon IS NOT NULL AS listed_before,
                               NOT n.deleted AND n.lat IS NOT NULL AND n.lon IS NOT NULL AS listed_after) f
    WHERE (o.deleted, o.lat, o.lon, o.geo_cell, o.available_places, o.position)
          IS DISTINCT FROM (n.deleted, n.lat, n.lon, n.geo_cell, n.available_places, n.position)
  $q$ INTO moved, relisted;
  IF moved IS NOT NULL THEN
    -- The condition on s.location_id, not only on n.id: the plan starts from the index on the table's location ids.
    EXECUTE $q$
      UPDATE search_offer_place s SET geo_cell = n.geo_cell, lat = n.lat, lon = n.lon, available_places = n.available_places,
             position = n.position
      FROM new_rows n
      WHERE s.location_id = ANY ($1) AND n.id = s.location_id
    $q$ USING moved;
  END IF;
  IF relisted IS NOT NULL THEN
    DELETE FROM search_offer_place WHERE location_id = ANY (relisted);
    -- Those listed now (the view leaves the others out).
    PERFORM search_offer_place_add_places(relisted);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION search_offer_place_locations_deleted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  DELETE FROM search_offer_place WHERE location_id = ANY (ARRAY(SELECT id FROM old_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER search_offer_place_location_insert AFTER INSERT ON location
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_locations_inserted();
CREATE TRIGGER search_offer_place_location_update AFTER UPDATE ON location
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_locations_updated();
CREATE TRIGGER search_offer_place_location_delete AFTER DELETE ON location
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_offer_place_locations_deleted();
