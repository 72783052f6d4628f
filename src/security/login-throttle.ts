/**
 * Brute-force protection of logins: failures are counted per account e-mail and per IP address
 * over a sliding window, in the database so every API node sees them. Past the limit the login
 * answers 429 without even checking the password.
 */
import type { Queryable } from '../db/database.ts';

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

const accountKey = (email: string) => `account:${email.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

export class LoginThrottle {
  constructor(private readonly db: Queryable, private readonly limits: ThrottleLimits) {}

  /** Seconds to wait before trying again, or 0 when the login may be tried. */
  async retryAfter(email: string, ip: string): Promise<number> {
    const r = await this.db.query<{ key: string; n: number; oldest: Date | string }>(
      `SELECT key, count(*)::int AS n, min(at) AS oldest FROM auth_failure
       WHERE key = ANY($1::text[]) AND at > now() - make_interval(secs => $2) GROUP BY key`,
      [[accountKey(email), ipKey(ip)], this.limits.windowSeconds],
    );
    let wait = 0;
    for (const row of r.rows) {
      const limit = row.key.startsWith('ip:') ? this.limits.perIp : this.limits.perAccount;
      if (row.n >= limit) {
        const until = new Date(row.oldest).getTime() + this.limits.windowSeconds * 1000;
        wait = Math.max(wait, Math.ceil((until - Date.now()) / 1000), 1);
      }
    }
    return wait;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await this.db.query('INSERT INTO auth_failure (key) VALUES ($1), ($2)', [accountKey(email), ipKey(ip)]);
    await this.db.query('DELETE FROM auth_failure WHERE at < now() - make_interval(secs => $1)', [this.limits.windowSeconds * 2]);
  }

  /** A successful login clears the account's count (not the IP's). */
  async recordSuccess(email: string): Promise<void> {
    await this.db.query('DELETE FROM auth_failure WHERE key = $1', [accountKey(email)]);
  }
}
