-- The redaction features of migration 105 stored with each row of the types whose elements the read-side redaction
-- may withhold, instead of computed by every bulk read: the $export computed them for every row it sent, which cost
-- a second decompression of each document and a walk over it (≈ 100 µs an offer: as much as its conversion to text),
-- now paid once per write.
-- The detail systems: redaction-features.ts DETAIL_PATTERNS at the time of writing (redaction-features.test.ts checks
-- each of them against the stored column); a change there needs a migration redefining this function and the columns.
CREATE FUNCTION ror_redaction_detail_patterns() RETURNS jsonb[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT '{"[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R210-ActeSpecifique/FHIR/TRE-R210-ActeSpecifique\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R243-CompetenceSpecifique/FHIR/TRE-R243-CompetenceSpecifique\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R356-ProfessionRessource/FHIR/TRE-R356-ProfessionRessource\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R94-ProfessionSocial/FHIR/TRE-R94-ProfessionSocial\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R95-UsagerTitre/FHIR/TRE-R95-UsagerTitre\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_G16-ProfessionFormation/FHIR/TRE-G16-ProfessionFormation\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R96-AutreFonctionSanitaire/FHIR/TRE-R96-AutreFonctionSanitaire\"}]}]","[{\"coding\":[{\"system\":\"https://mos.esante.gouv.fr/NOS/TRE_R85-RolePriseCharge/FHIR/TRE-R85-RolePriseCharge\"}]}]"}'::jsonb[]
$fn$;
ALTER TABLE organization ADD COLUMN redaction_features integer GENERATED ALWAYS AS (ror_redaction_features(content, ror_redaction_detail_patterns())) STORED;
ALTER TABLE location ADD COLUMN redaction_features integer GENERATED ALWAYS AS (ror_redaction_features(content, ror_redaction_detail_patterns())) STORED;
ALTER TABLE healthcare_service ADD COLUMN redaction_features integer GENERATED ALWAYS AS (ror_redaction_features(content, ror_redaction_detail_patterns())) STORED;
ALTER TABLE practitioner ADD COLUMN redaction_features integer GENERATED ALWAYS AS (ror_redaction_features(content, ror_redaction_detail_patterns())) STORED;
ALTER TABLE practitioner_role ADD COLUMN redaction_features integer GENERATED ALWAYS AS (ror_redaction_features(content, ror_redaction_detail_patterns())) STORED;
