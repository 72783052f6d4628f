-- The place trigger of search_offer_place (migrations 108–109) finds the offers referencing a place through this GIN
-- index, once per place written (and again when the search indexer positions it). With GIN's fast update, every such
-- look-up also scanned the index's pending list of recent entries, up to 4 MB, which bulk imports keep full.
ALTER INDEX healthcare_service_location_ref_idx SET (fastupdate = off);
