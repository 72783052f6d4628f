/**
 * Password reset by e-mail: `POST /auth/password-reset/request { email }` sends a link with a single-use token
 * (256 random bits, stored as its SHA-256, valid `ROR_PASSWORD_RESET_TTL` seconds) and always answers the same,
 * whether the account exists or not; requests are throttled per e-mail and per IP. `POST /auth/password-reset/confirm
 * { token, password }` sets the new password once, ends the account's sessions and voids its other tokens.
 * The link points at `ROR_BASE_URL`'s origin (never the request's Host header, which a caller controls).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database, Queryable } from '../db/database.ts';
import { errors, FhirError, fhirError } from '../fhir/outcome.ts';
import type { Mailer } from '../mail/mailer.ts';
import { generateSecret, hashSecret, MIN_PASSWORD_LENGTH } from './accounts.ts';

export interface PasswordResetDeps {
  config: Config;
  db: Database;
  mailer: Mailer;
  env?: NodeJS.ProcessEnv;
}

/** Requests per e-mail and per IP address within one hour. */
export const RESET_LIMITS = { perEmail: 3, perIp: 20, windowSeconds: 3600 };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function resetTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ROR_PASSWORD_RESET_TTL;
  const n = raw ? Number(raw) : 3600;
  if (!Number.isInteger(n) || n < 60) throw new Error(`ROR_PASSWORD_RESET_TTL must be a number of seconds ≥ 60, got "${raw}"`);
  return n;
}

async function audit(q: Queryable, actor: string, outcome: 'success' | 'failure' | 'throttled', remoteAddr: string, detail?: Record<string, unknown>) {
  await q.query(
    `INSERT INTO audit_event (actor, actor_kind, action, outcome, source, remote_addr, detail) VALUES ($1, 'user', 'password-reset', $2, 'api', $3, $4::jsonb)`,
    [actor, outcome, remoteAddr, detail ? JSON.stringify(detail) : null]);
}

/** Seconds to wait before another request for this e-mail or from this address (0: allowed). */
async function retryAfter(q: Queryable, email: string, ip: string): Promise<number> {
  const r = await q.query<{ key: string; n: number; oldest: Date | string }>(
    `SELECT key, count(*)::int AS n, min(at) AS oldest FROM auth_failure
     WHERE key = ANY($1::text[]) AND at > now() - make_interval(secs => $2) GROUP BY key`,
    [[`reset:${email}`, `reset-ip:${ip}`], RESET_LIMITS.windowSeconds]);
  let wait = 0;
  for (const row of r.rows) {
    const limit = row.key.startsWith('reset-ip:') ? RESET_LIMITS.perIp : RESET_LIMITS.perEmail;
    if (row.n >= limit) wait = Math.max(wait, Math.ceil((new Date(row.oldest).getTime() + RESET_LIMITS.windowSeconds * 1000 - Date.now()) / 1000), 1);
  }
  return wait;
}

function field(body: unknown, name: string, max: number): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

export async function registerPasswordReset(app: FastifyInstance, deps: PasswordResetDeps): Promise<void> {
  const ttl = resetTtlSeconds(deps.env ?? process.env);
  const origin = deps.config.baseUrl ? new URL(deps.config.baseUrl).origin : `http://localhost:${deps.config.port}`;
  const { db } = deps;
  const jsonOnly = (body: unknown) => {
    // JSON only: a cross-site HTML form cannot send it.
    if (body instanceof URLSearchParams || typeof body !== 'object' || body === null) {
      throw fhirError(415, 'not-supported', 'Corps JSON attendu', 'JSON body expected');
    }
  };

  app.post('/auth/password-reset/request', async (req, reply) => {
    jsonOnly(req.body);
    const email = field(req.body, 'email', 320)?.trim().toLowerCase();
    if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw errors.invalid('Adresse électronique invalide', 'Invalid e-mail address', 'email');
    const wait = await retryAfter(db, email, req.ip);
    if (wait > 0) {
      await audit(db, email, 'throttled', req.ip);
      throw new FhirError(429, [{ severity: 'error', code: 'throttled', fr: `Trop de demandes : réessayez dans ${Math.ceil(wait / 60)} min`, en: `Too many requests: retry in ${wait} s` }],
        { 'retry-after': String(wait) });
    }
    await db.query('INSERT INTO auth_failure (key) VALUES ($1), ($2)', [`reset:${email}`, `reset-ip:${req.ip}`]);
    const account = (await db.query<{ id: string; disabled: boolean; password_hash: string | null }>(
      'SELECT id, disabled, password_hash FROM account WHERE email = $1', [email])).rows[0];
    if (account && !account.disabled) {
      const token = generateSecret();
      await db.query(
        `INSERT INTO password_reset (token_hash, account_id, expires_at, remote_addr) VALUES ($1, $2, now() + make_interval(secs => $3), $4)`,
        [sha256(token), account.id, ttl, req.ip]);
      const link = `${origin}/mot-de-passe-oublie?jeton=${token}`;
      try {
        await deps.mailer.send({
          to: email,
          subject: 'ROR : réinitialisation de votre mot de passe',
          text: [
            'Bonjour,', '',
            'Une réinitialisation du mot de passe de votre compte ROR a été demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien :', '',
            link, '',
            `Ce lien ne sert qu’une fois et expire dans ${Math.round(ttl / 60)} minutes. Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.`,
          ].join('\n'),
        });
        await audit(db, account.id, 'success', req.ip, { step: 'request' });
      } catch (err) {
        req.log.error({ err: (err as Error).message }, 'password reset e-mail not sent');
        await audit(db, account.id, 'failure', req.ip, { step: 'request', reason: 'mail' });
      }
    } else {
      await audit(db, email, 'failure', req.ip, { step: 'request', reason: 'no account' });
    }
    // The same answer whether the account exists or not.
    return reply.code(202).send({ message: 'Si un compte correspond à cette adresse, un lien de réinitialisation vient de lui être envoyé.' });
  });

  app.post('/auth/password-reset/confirm', async (req) => {
    jsonOnly(req.body);
    const token = field(req.body, 'token', 200);
    const password = field(req.body, 'password', 1024);
    if (!token) throw errors.invalid('Lien de réinitialisation incomplet', 'Missing token', 'token');
    if (!password || password.length < MIN_PASSWORD_LENGTH) {
      throw errors.invalid(`Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères`, `The password needs at least ${MIN_PASSWORD_LENGTH} characters`, 'password');
    }
    const hash = await hashSecret(password);
    const done = await db.transaction(async (tx) => {
      // Single use, even under concurrent confirmations: the row is claimed by the UPDATE itself.
      const claimed = await tx.query<{ account_id: string }>(
        `UPDATE password_reset r SET used_at = now() FROM account a
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND a.id = r.account_id AND NOT a.disabled
         RETURNING r.account_id`, [sha256(token)]);
      const accountId = claimed.rows[0]?.account_id;
      if (!accountId) return null;
      const acc = await tx.query<{ email: string }>('UPDATE account SET password_hash = $2 WHERE id = $1 RETURNING email', [accountId, hash]);
      await tx.query('UPDATE password_reset SET used_at = now() WHERE account_id = $1 AND used_at IS NULL', [accountId]);
      await tx.query('DELETE FROM web_session WHERE account_id = $1', [accountId]);
      await tx.query('DELETE FROM auth_failure WHERE key = $1', [`account:${acc.rows[0].email}`]);
      return accountId;
    });
    if (!done) {
      await audit(db, 'unknown', 'failure', req.ip, { step: 'confirm', reason: 'invalid token' });
      throw fhirError(400, 'invalid', 'Ce lien de réinitialisation n’est plus valable (déjà utilisé ou expiré) : faites une nouvelle demande',
        'This reset link is no longer valid (used or expired)', 'token');
    }
    await audit(db, done, 'success', req.ip, { step: 'confirm' });
    return { message: 'Mot de passe modifié : vous pouvez vous connecter.' };
  });
}
