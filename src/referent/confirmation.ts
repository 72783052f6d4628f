/**
 * "Confirmer comme exact": the referent states that an item is correct. The verification status tag becomes
 * `verifie` and the resource carries the confirmation instant, so that confirming again later still writes a
 * new, dated version (an unchanged resource would not be written at all).
 */
import type { Resource } from '../fhir/types.ts';
import { withVerificationStatus } from '../ingest/verification-status.ts';

/** Local extension (the ROR IG has no such element): when a referent last confirmed the item as correct. */
export const CONFIRMATION_DATE_URL = 'urn:ror:date-confirmation';

type Ext = { url: string; valueDateTime?: string };

/** The last confirmation instant the resource carries, if any. */
export function confirmationDateOf(resource: Resource): string | undefined {
  return ((resource.extension ?? []) as Ext[]).find((e) => e.url === CONFIRMATION_DATE_URL)?.valueDateTime;
}

/** A copy of `resource` confirmed at `at`: status vérifié and the confirmation date (replacing any previous one). */
export function confirmed(resource: Resource, at: Date = new Date()): Resource {
  const extension = ((resource.extension ?? []) as Ext[]).filter((e) => e.url !== CONFIRMATION_DATE_URL);
  extension.push({ url: CONFIRMATION_DATE_URL, valueDateTime: at.toISOString() });
  return withVerificationStatus({ ...resource, extension }, 'verifie');
}
