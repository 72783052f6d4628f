-- FHIR search through the offer → place chain (`location.capacity-status`, `location.nb-capacity`, `location.near…`,
-- `_include=HealthcareService:location`), as the search compiler writes it: per candidate offer, its place
-- references, whether the place is live, and the place's capacity numbers and codes. Each step answered from one of
-- these indexes alone (index-only) instead of an index then the row: the IG capacity query (activity 288, status
-- 02, nb-capacity > 0) on the national dataset went from 700 to 394 ms at one client (bench/RESULTS.md).
CREATE INDEX IF NOT EXISTS search_reference_offer_location_idx ON search_reference (id) INCLUDE (target_type, target_id)
  WHERE rtype = 'HealthcareService' AND param = 'location';
CREATE UNIQUE INDEX IF NOT EXISTS location_live_id_idx ON location (id) WHERE NOT deleted;
CREATE INDEX IF NOT EXISTS search_number_location_idx ON search_number (id, param) INCLUDE (value) WHERE rtype = 'Location';
CREATE INDEX IF NOT EXISTS search_token_location_capacity_idx ON search_token (id, param) INCLUDE (system, code)
  WHERE rtype = 'Location' AND param IN ('capacity-status', 'capacity-type');
