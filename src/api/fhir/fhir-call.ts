/** A FHIR interaction, independent of its transport (an HTTP request or a Bundle entry). */
export interface FhirCall {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path segments below the FHIR base, e.g. ['HealthcareService', '123', '_history', '2']. */
  segments: string[];
  /** Query parameters in order (repeated names kept). */
  params: [string, string][];
  headers: {
    ifMatch?: string;
    ifNoneExist?: string;
    prefer?: string;
    contentType?: string;
  };
  body?: unknown;
  /** Id given in advance to a create inside a transaction, so other entries can reference it. */
  assignedId?: string;
}

/** The answer to a FhirCall: status, headers, and a FHIR resource (or nothing). */
export interface FhirReply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Splits a relative FHIR URL (`Patient/1/_history?x=y`) into segments and parameters. */
export function parseRelativeUrl(url: string): { segments: string[]; params: [string, string][] } {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = q >= 0 ? url.slice(q + 1) : '';
  const segments = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const params = [...new URLSearchParams(query).entries()] as [string, string][];
  return { segments, params };
}
