/** Error body of the /api routes, with the per-field French messages of the registration routes. */
export interface ApiProblem {
  error: { code: string; fr: string; en: string };
  fields?: Record<string, string>;
}

export type JsonResult<T> = { ok: true; body: T } | { ok: false; status: number; problem: ApiProblem };

/** JSON request; the session's CSRF token on writes when there is one. */
export async function sendJson<T>(method: string, url: string, body?: unknown, csrfToken?: string | null): Promise<JsonResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', body: body !== undefined ? JSON.stringify(body) : undefined });
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    parsed = null;
  }
  if (res.ok) return { ok: true, body: parsed as T };
  const problem = (parsed && typeof parsed === 'object' && 'error' in parsed ? parsed : { error: { code: 'http', fr: `Erreur ${res.status}`, en: `HTTP ${res.status}` } }) as ApiProblem;
  return { ok: false, status: res.status, problem };
}

export const postJson = <T = unknown>(url: string, body: unknown, csrfToken?: string | null) => sendJson<T>('POST', url, body, csrfToken);
