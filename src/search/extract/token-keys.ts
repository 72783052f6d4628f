/**
 * Keys of a token value in the dedicated text[] columns: `system|code` and the bare `code`.
 * A coding without system gives `|code`, so the three FHIR query forms (`code`, `system|code`,
 * `|code`) are each one key. Codes never contain `|` in the NOS, so the forms cannot collide.
 */
export function tokenKeys(system: string | null | undefined, code: string | null | undefined): string[] {
  if (code === null || code === undefined || code === '') return [];
  return [`${system ?? ''}|${code}`, code];
}

/** The key a query token matches in a token array, or undefined for forms arrays cannot answer (`system|`). */
export function queryTokenKey(system: string | undefined, code: string | undefined): string | undefined {
  if (code === undefined || code === '') return undefined;
  return system === undefined ? code : `${system}|${code}`;
}
