/**
 * Web sessions of people: an opaque random cookie value, of which only the SHA-256 is stored,
 * with the session's CSRF token (synchroniser token, sent back by the web app in `x-csrf-token`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import type { UserRow } from './accounts.ts';
import { AccountStore } from './accounts.ts';

export const SESSION_COOKIE = 'ror_session';
export const CSRF_HEADER = 'x-csrf-token';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly accounts: AccountStore;
  constructor(private readonly db: Queryable, private readonly ttlSeconds: number) {
    this.accounts = new AccountStore(db);
  }

  async create(accountId: string): Promise<{ cookie: string; csrfToken: string; expiresAt: Date }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    await this.db.query('INSERT INTO web_session (id_hash, account_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)',
      [sha256(cookie), accountId, csrfToken, expiresAt.toISOString()]);
    // Expired sessions of anyone are swept now and then, on logins.
    await this.db.query('DELETE FROM web_session WHERE expires_at < now()');
    return { cookie, csrfToken, expiresAt };
  }

  /** The enabled account and CSRF token of a live session, or null. */
  async lookup(cookie: string): Promise<{ user: UserRow; csrfToken: string } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(cookie)) return null;
    const r = await this.db.query<{ account_id: string; csrf_token: string }>(
      'SELECT account_id, csrf_token FROM web_session WHERE id_hash = $1 AND expires_at > now()', [sha256(cookie)]);
    const row = r.rows[0];
    if (!row) return null;
    const user = await this.accounts.userById(row.account_id);
    return user && !user.disabled ? { user, csrfToken: row.csrf_token } : null;
  }

  async destroy(cookie: string): Promise<void> {
    await this.db.query('DELETE FROM web_session WHERE id_hash = $1', [sha256(cookie)]);
  }
}
