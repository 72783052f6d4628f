-- The telecom filter of the read-side redaction (src/security/redact.ts) for the types where it is all the
-- redaction does to a visible resource (Practitioner, PractitionerRole), so that a bulk reader (the $export) can
-- have PostgreSQL send such a row already redacted instead of parsing, redacting and serialising it in node
-- (562k practitioners of the national data set carry an "accès restreint" MSSanté address). Only functions.
-- redaction-features.test.ts checks both against redact() on every edge case of the levels, for every profile.

-- The confidentiality level of a telecom or contact as redact.ts levelOf() reads it and levelShown() ranks it:
-- '1' (accès libre), '2' (accès restreint), '3' for anything else (très restreint, no level, a code that is not a
-- string). A shape redact() cannot read (an extension without a string url, a coding that is not a list) gets '3':
-- withheld, as an unknown level is.
CREATE OR REPLACE FUNCTION ror_confidentiality_level(x jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  e jsonb;
  c jsonb;
  codings jsonb;
BEGIN
  IF jsonb_typeof(x) IS DISTINCT FROM 'object' OR jsonb_typeof(x -> 'extension') IS DISTINCT FROM 'array' THEN
    RETURN '3';
  END IF;
  -- Index loops, not FOR … IN SELECT: no query (and cursor) per element, a third of the time.
  FOR i IN 0 .. jsonb_array_length(x -> 'extension') - 1 LOOP
    e := x -> 'extension' -> i;
    IF jsonb_typeof(e) IS DISTINCT FROM 'object' OR jsonb_typeof(e -> 'url') IS DISTINCT FROM 'string' THEN
      RETURN '3';
    END IF;
    IF (e ->> 'url') LIKE '%confidentiality-level' THEN
      codings := e -> 'valueCodeableConcept' -> 'coding';
      IF jsonb_typeof(codings) IS DISTINCT FROM 'array' THEN
        RETURN '3';
      END IF;
      FOR j IN 0 .. jsonb_array_length(codings) - 1 LOOP
        c := codings -> j;
        IF jsonb_typeof(c) = 'object' AND c ? 'code' THEN
          RETURN CASE WHEN (c -> 'code') = '"1"'::jsonb THEN '1' WHEN (c -> 'code') = '"2"'::jsonb THEN '2' ELSE '3' END;
        END IF;
      END LOOP;
      RETURN '3';
    END IF;
  END LOOP;
  RETURN '3';
END $$;

-- `content` without the telecoms whose level is not in `shown`, marked REDACTED in meta.security (once) when one
-- was removed, the telecom list dropped when none is left; unchanged when nothing was removed.
-- PL/pgSQL rather than one SQL statement: a SQL function with a sub-query is not inlined, and ran through the
-- function executor at ≈ 70 µs a row.
CREATE OR REPLACE FUNCTION ror_redact_telecoms(content jsonb, shown text[]) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  kept jsonb := '[]'::jsonb;
  removed boolean := false;
  t jsonb;
  security jsonb;
BEGIN
  IF jsonb_typeof(content -> 'telecom') IS DISTINCT FROM 'array' THEN
    RETURN content;
  END IF;
  FOR i IN 0 .. jsonb_array_length(content -> 'telecom') - 1 LOOP
    t := content -> 'telecom' -> i;
    IF ror_confidentiality_level(t) = ANY (shown) THEN
      kept := kept || jsonb_build_array(t);
    ELSE
      removed := true;
    END IF;
  END LOOP;
  IF NOT removed THEN
    RETURN content;
  END IF;
  security := coalesce(content #> '{meta,security}', '[]'::jsonb);
  IF NOT security @> '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "REDACTED"}]'::jsonb THEN
    security := security || '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "REDACTED", "display": "redacted"}]'::jsonb;
  END IF;
  content := CASE WHEN kept = '[]'::jsonb THEN content - 'telecom' ELSE jsonb_set(content, '{telecom}', kept) END;
  RETURN content || jsonb_build_object('meta', coalesce(content -> 'meta', '{}'::jsonb) || jsonb_build_object('security', security));
END $$;
