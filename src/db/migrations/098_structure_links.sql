-- The organization each offer is provided by, and each organization's parent, as expression indexes:
-- one site's indicators (the referent's to-do list) read the site's own organizations and offers without
-- scanning the directory, whether or not the search index is maintained (bulk benchmark loads).
CREATE INDEX healthcare_service_provider_idx ON healthcare_service ((substr(content->'providedBy'->>'reference', 14)));
CREATE INDEX organization_part_of_idx ON organization ((substr(content->'partOf'->>'reference', 14)));
