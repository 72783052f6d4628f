-- Coordinator search (src/web/offer-search.ts): whether an offer is inactive and whether it declares a
-- temporary closure, as columns, so that the candidate query of a dense city (thousands of offers within
-- 10 km) does not decompress every offer's JSON to test them (≈ 40 % of its time on PGlite in Paris).
ALTER TABLE healthcare_service ADD COLUMN inactive boolean GENERATED ALWAYS AS (
  coalesce(content @> '{"active": false}'::jsonb, false)
) STORED;
ALTER TABLE healthcare_service ADD COLUMN has_closure boolean GENERATED ALWAYS AS (
  coalesce(content -> 'notAvailable' @> '[{"id": "closingReopeningDate"}]'::jsonb, false)
) STORED;
