import { errors } from '../../fhir/outcome.ts';

/** Weak ETag of a version, as FHIR servers send it: W/"3". */
export function etagOf(versionId: number | string): string {
  return `W/"${versionId}"`;
}

/** HTTP-date (RFC 7231) of an ISO instant, for Last-Modified. */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Version number named by an If-Match header (`W/"3"`, `"3"` or `3`). */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  if (!m) {
    throw errors.invalid(
      `En-tête If-Match invalide « ${header.slice(0, 40)} » : attendu W/"<version>"`,
      `Invalid If-Match header "${header.slice(0, 40)}": expected W/"<versionId>"`,
    );
  }
  return Number(m[1]);
}

export type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

/** The `return=` and `handling=` preferences of a Prefer header. */
export function parsePrefer(header: string | undefined): { return: PreferReturn; lenient: boolean; respondAsync: boolean } {
  const parts = (header ?? '').split(/[;,]/).map((p) => p.trim());
  const ret = parts.find((p) => p.startsWith('return='))?.slice('return='.length) as PreferReturn | undefined;
  return {
    return: ret === 'minimal' || ret === 'OperationOutcome' ? ret : 'representation',
    lenient: parts.includes('handling=lenient'),
    respondAsync: parts.includes('respond-async'),
  };
}
