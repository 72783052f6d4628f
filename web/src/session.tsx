import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';

/** The signed-in person as `/auth/me` describes them (see src/security/http-auth.ts). */
export interface SessionUser {
  id: string;
  email: string;
  displayName: string | null;
  role: 'national-admin' | 'regional-admin' | 'referent' | 'professional';
  regions: string[];
  organizations: string[];
  practitioner: string | null;
}

export interface Session {
  /** undefined while `/auth/me` is pending, null when nobody is signed in. */
  user: SessionUser | null | undefined;
  csrfToken: string | null;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** The French message of an API error body (OperationOutcome or `{ error: { fr } }`), else the status. */
export async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { fr?: string }; issue?: { diagnostics?: string; details?: { text?: string } }[] };
    const fromOutcome = body.issue?.map((i) => i.details?.text ?? i.diagnostics).filter(Boolean).join(' ; ');
    return body.error?.fr ?? (fromOutcome || `Erreur ${res.status}`);
  } catch {
    return `Erreur ${res.status}`;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [csrfToken, setCsrf] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const res = await fetch('/auth/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error('anonymous');
      const body = (await res.json()) as { kind: string; user?: SessionUser; csrfToken?: string };
      setUser(body.kind === 'user' ? body.user ?? null : null);
      setCsrf(body.csrfToken ?? null);
    } catch {
      setUser(null);
      setCsrf(null);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signIn = useCallback(async (email: string, password: string) => {
    const res = await fetch('/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(await errorMessage(res));
    const body = (await res.json()) as { user: SessionUser; csrfToken: string };
    setUser(body.user);
    setCsrf(body.csrfToken);
  }, []);

  const signOut = useCallback(async () => {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: csrfToken ? { 'x-csrf-token': csrfToken } : {} });
    setUser(null);
    setCsrf(null);
  }, [csrfToken]);

  return <SessionContext.Provider value={{ user, csrfToken, signIn, signOut, refresh }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/**
 * fetch for the signed-in web app: same-origin cookie, the session's CSRF token on writes, JSON by default.
 * Errors are thrown as Error with the server's French message.
 */
export function useApi() {
  const { csrfToken } = useSession();
  return useCallback(async <T,>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<{ body: T; res: Response }> => {
    const headers = new Headers(init.headers);
    if (!headers.has('Accept')) headers.set('Accept', url.startsWith('/fhir') ? 'application/fhir+json' : 'application/json');
    if (init.json !== undefined) headers.set('Content-Type', url.startsWith('/fhir') ? 'application/fhir+json' : 'application/json');
    if (csrfToken && init.method && init.method !== 'GET') headers.set('x-csrf-token', csrfToken);
    const res = await fetch(url, { ...init, headers, credentials: 'same-origin', body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
    if (!res.ok) {
      const err = new Error(await errorMessage(res)) as Error & { status?: number };
      err.status = res.status;
      throw err;
    }
    const body = res.status === 204 ? (undefined as T) : ((await res.json()) as T);
    return { body, res };
  }, [csrfToken]);
}
