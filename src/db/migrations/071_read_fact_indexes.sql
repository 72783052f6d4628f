-- The read guard (src/security/read-guard.ts) finds, for each Location and Practitioner it redacts,
-- the offers at that place and the practices of that person, with JSON containment on the content.
-- Without these indexes each look-up scans the whole table: an export or a feed page of N places
-- cost N scans of healthcare_service (area: src/sync, measured in bench/export.ts).
CREATE INDEX healthcare_service_location_ref_idx ON healthcare_service USING gin ((content -> 'location') jsonb_path_ops);
CREATE INDEX practitioner_role_practitioner_ref_idx ON practitioner_role USING gin ((content -> 'practitioner') jsonb_path_ops);
