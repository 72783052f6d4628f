-- The capacity filter of the read-side redaction (src/security/redact.ts) for the profiles that withhold every
-- Location capacity (profile 0), so that the $export can have PostgreSQL send such a place already redacted, as it
-- does for the practitioners' telecoms (migration 115): 104k places of the national data set carry capacities, and
-- each was decoded, parsed, redacted and serialised in node. Only functions.
-- redaction-features.test.ts checks them against redact() for every caller, on every edge case.

-- `content` marked REDACTED in meta.security (once), as redact() marks a resource it removed something from.
CREATE OR REPLACE FUNCTION ror_mark_redacted(content jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  security jsonb := coalesce(content #> '{meta,security}', '[]'::jsonb);
BEGIN
  IF NOT security @> '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "REDACTED"}]'::jsonb THEN
    security := security || '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "REDACTED", "display": "redacted"}]'::jsonb;
  END IF;
  RETURN content || jsonb_build_object('meta', coalesce(content -> 'meta', '{}'::jsonb) || jsonb_build_object('security', security));
END $$;

-- `content` without its capacity extensions (url ending in ror-location-supported-capacity, as redact() tells
-- them), marked REDACTED when one was removed, the extension list dropped when none is left; unchanged otherwise.
CREATE OR REPLACE FUNCTION ror_redact_capacities(content jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  kept jsonb := '[]'::jsonb;
  removed boolean := false;
  e jsonb;
BEGIN
  IF jsonb_typeof(content -> 'extension') IS DISTINCT FROM 'array' THEN
    RETURN content;
  END IF;
  FOR i IN 0 .. jsonb_array_length(content -> 'extension') - 1 LOOP
    e := content -> 'extension' -> i;
    IF jsonb_typeof(e -> 'url') = 'string' AND (e ->> 'url') LIKE '%ror-location-supported-capacity' THEN
      removed := true;
    ELSE
      kept := kept || jsonb_build_array(e);
    END IF;
  END LOOP;
  IF NOT removed THEN
    RETURN content;
  END IF;
  RETURN ror_mark_redacted(CASE WHEN kept = '[]'::jsonb THEN content - 'extension' ELSE jsonb_set(content, '{extension}', kept) END);
END $$;
