-- The coordinator search (src/web/offer-search.ts) starts from the places in a few geo cells, then the offers that
-- reference them: both lookups answered from the index alone (index-only scans), without visiting the wide rows.
-- Paris 15e within 10 km on the national dataset (18,773 places, 12,191 offers): places 70–210 ms → 8 ms, offers
-- of those places 260–350 ms → 42 ms (bench/RESULTS.md).
CREATE INDEX IF NOT EXISTS location_geo_cell_cover_idx ON location (geo_cell) INCLUDE (lat, lon, available_places, id) WHERE NOT deleted;
CREATE INDEX IF NOT EXISTS search_reference_offer_place_idx ON search_reference (target_id) INCLUDE (id)
  WHERE rtype = 'HealthcareService' AND param = 'location';
