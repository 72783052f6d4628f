/** HTTP access to the source server of a mirror: headers, OAuth2 client credentials, retries. */

export interface SourceAuth {
  /** Extra headers sent with every request (e.g. `authorization`, `cookie`). */
  headers: Record<string, string>;
  /** OAuth2 client credentials: a token is fetched (and fetched again on 401). */
  client?: { id: string; secret: string; tokenUrl: string };
}

export class SourceClient {
  private token?: string;

  constructor(readonly base: string, private readonly auth: SourceAuth) {}

  private async fetchToken(): Promise<string> {
    const c = this.auth.client!;
    const res = await fetch(c.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret }).toString(),
    });
    if (res.status !== 200) throw new Error(`token request to ${c.tokenUrl} failed: HTTP ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** GET/DELETE with the source's credentials; transient failures (network, 5xx, 429) are retried with back-off. */
  async request(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      if (this.auth.client && !this.token) this.token = await this.fetchToken();
      const headers = { accept: 'application/fhir+json', ...this.auth.headers, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...init.headers };
      let res: Response | undefined;
      try {
        res = await fetch(url, { method: init.method ?? 'GET', headers });
      } catch (err) {
        if (attempt >= 5) throw err;
      }
      if (res?.status === 401 && this.auth.client && !refreshed) {
        refreshed = true;
        this.token = undefined;
        continue;
      }
      if (res && res.status < 500 && res.status !== 429) return res;
      if (attempt >= 5) return res!;
      await res?.body?.cancel();
      await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)));
    }
  }

  async json<T>(url: string): Promise<T> {
    const res = await this.request(url);
    if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as T;
  }
}
