-- What of a resource the read-side redaction (src/security/redact.ts) could ever remove, as bits, computed by
-- PostgreSQL from the stored JSON so that a bulk reader (the $export) can stream a row it may pass unchanged as
-- the text PostgreSQL gives, without parsing it in node (src/security/redaction-features.ts says which bits
-- matter for which access profile). A bit is set whenever redact() might remove the element; when in doubt
-- (a shape redact() would read differently) the bit is set: a set bit only sends the row to the full guard.
--   1  a telecom or contact (Organization contact, its telecom, HealthcareService contact extension, its
--      contact-telecom) whose confidentiality level is not "1" (accès libre), or has none
--   2  an Organization ORSAN level or helicopter drop zone extension
--   4  a HealthcareService characteristic with a coding of a restricted detail system (detail_patterns:
--      one [{"coding": [{"system": S}]}] per system S, from redaction-features.ts)
--   8  a Location capacity (ror-location-supported-capacity)
--   16 a HealthcareService sensitive-unit extension with valueBoolean true (what makes it sensitive)
-- Only functions: nothing is stored, no table is rewritten.

-- Is the confidentiality level of this telecom / contact / extension "1"? As redact.ts levelOf(): the first
-- extension whose url ends with confidentiality-level decides, through its first coding that has a code.
CREATE OR REPLACE FUNCTION ror_level_is_public(x jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  e jsonb;
  c jsonb;
BEGIN
  IF jsonb_typeof(x) IS DISTINCT FROM 'object' OR jsonb_typeof(x -> 'extension') IS DISTINCT FROM 'array' THEN
    RETURN false;
  END IF;
  FOR e IN SELECT value FROM jsonb_array_elements(x -> 'extension') LOOP
    IF jsonb_typeof(e) IS DISTINCT FROM 'object' OR jsonb_typeof(e -> 'url') IS DISTINCT FROM 'string' THEN
      RETURN false;
    END IF;
    IF (e ->> 'url') LIKE '%confidentiality-level' THEN
      IF jsonb_typeof(e -> 'valueCodeableConcept' -> 'coding') IS DISTINCT FROM 'array' THEN
        RETURN false;
      END IF;
      FOR c IN SELECT value FROM jsonb_array_elements(e -> 'valueCodeableConcept' -> 'coding') LOOP
        IF jsonb_typeof(c) = 'object' AND c ? 'code' THEN
          RETURN (c -> 'code') = '"1"'::jsonb;
        END IF;
      END LOOP;
      RETURN false;
    END IF;
  END LOOP;
  RETURN false;
END $$;

-- Any element of the array `list` (when it is one) that is not public?
CREATE OR REPLACE FUNCTION ror_any_not_public(list jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_typeof(list) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements(list) x WHERE NOT ror_level_is_public(x.value))
$$;

CREATE OR REPLACE FUNCTION ror_redaction_features(content jsonb, detail_patterns jsonb[]) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  bits integer := 0;
  rtype text := content ->> 'resourceType';
  x jsonb;
  url text;
BEGIN
  IF ror_any_not_public(content -> 'telecom') THEN
    bits := bits | 1;
  END IF;
  IF rtype = 'Organization' AND content ? 'contact' THEN
    IF jsonb_typeof(content -> 'contact') = 'array' THEN
      FOR x IN SELECT value FROM jsonb_array_elements(content -> 'contact') LOOP
        IF NOT ror_level_is_public(x) OR ror_any_not_public(x -> 'telecom') THEN
          bits := bits | 1;
        END IF;
      END LOOP;
    ELSE
      bits := bits | 1;
    END IF;
  END IF;
  -- One walk over the extensions (an extension without a string url cannot be one redact() withholds).
  IF rtype IN ('Organization', 'Location', 'HealthcareService') AND jsonb_typeof(content -> 'extension') = 'array' THEN
    FOR x IN SELECT value FROM jsonb_array_elements(content -> 'extension') LOOP
      url := CASE WHEN jsonb_typeof(x -> 'url') = 'string' THEN x ->> 'url' END;
      IF url IS NULL THEN
        CONTINUE;
      ELSIF rtype = 'Organization' AND (url LIKE '%ror-organization-level-recourse-orsan' OR url LIKE '%ror-organization-drop-zone') THEN
        bits := bits | 2;
      ELSIF rtype = 'Location' AND url LIKE '%ror-location-supported-capacity' THEN
        bits := bits | 8;
      ELSIF rtype = 'HealthcareService' AND url LIKE '%ror-healthcareservice-contact' THEN
        IF NOT ror_level_is_public(x) OR ror_any_not_public(jsonb_path_query_array(x,
            'lax $.extension[*] ? (@.url like_regex "ror-healthcareservice-contact-telecom$")')) THEN
          bits := bits | 1;
        END IF;
      END IF;
    END LOOP;
  END IF;
  IF rtype = 'HealthcareService' THEN
    -- Exactly redact.ts factsOfOffer(): an extension with this url and valueBoolean true.
    IF (content -> 'extension') @>
       '[{"url": "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-sensitive-unit", "valueBoolean": true}]' THEN
      bits := bits | 16;
    END IF;
    IF content ? 'characteristic' AND (
      jsonb_typeof(content -> 'characteristic') IS DISTINCT FROM 'array'
      -- a characteristic whose coding is not a list: redact() would fail on it, let it
      OR jsonb_path_exists(content, 'strict $.characteristic[*] ? (exists(@.coding) && @.coding.type() != "array")')
      -- a coding of a restricted detail system: [{coding: [{system}]}] contained in the list, for one of them
      OR (content -> 'characteristic') @> ANY (detail_patterns)) THEN
      bits := bits | 4;
    END IF;
  END IF;
  RETURN bits;
END $$;
