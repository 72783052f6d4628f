-- Coordinator search by profession (src/web/offer-search.ts): a city offer matches when one of the professionals
-- practising in it has that role. The test runs once per candidate offer (11k in Paris 15e within 10 km): offer →
-- its roles → their role codes, each step answered from these indexes alone (index-only), instead of visiting the
-- reference rows and every token row of each role (≈ 20 buffers per offer, 250–550 ms in Paris 15e).
CREATE INDEX IF NOT EXISTS search_reference_role_service_idx ON search_reference (target_id) INCLUDE (id)
  WHERE rtype = 'PractitionerRole' AND param = 'service';
CREATE INDEX IF NOT EXISTS search_token_role_idx ON search_token (id) INCLUDE (system, code)
  WHERE rtype = 'PractitionerRole' AND param = 'role';
