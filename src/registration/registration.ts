/**
 * Self-registration of private-practice professionals: identity from the imported RPPS data, account
 * (role professional, practitioner linked) kept disabled until its e-mail is confirmed by a single-use,
 * expiring token sent through the mailer.
 */
import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import type { Mailer } from '../mail/mailer.ts';
import { AccountStore, generateSecret, MIN_PASSWORD_LENGTH, type UserRow } from '../security/accounts.ts';
import { ApiFailure } from '../web/api-errors.ts';
import type { Identity } from './city-offer.ts';
import { openProfession, OPEN_PROFESSIONS } from './professions.ts';

const RPPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
const PROFESSION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class FieldErrors extends ApiFailure {
  constructor(readonly fields: Record<string, string>) {
    super(422, 'invalid', Object.values(fields).join(' ; '), 'Invalid input');
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the registration page shows once the RPPS number is found. */
export interface RppsIdentity extends Identity {
  prefix?: string;
}

/** The national ids an entered number may be: as typed, or the RPPS number with its leading 8 (idNat_PS). */
function candidateIds(entered: string): string[] {
  const n = entered.replace(/\s/g, '');
  if (!/^\d{10,12}$/.test(n)) {
    throw new FieldErrors({ rpps: 'Le numéro RPPS compte 11 chiffres (ou 12 avec le 8 initial de l\'identifiant national)' });
  }
  return n.length === 11 ? [`8${n}`, n] : [n];
}

/**
 * The practitioner of an RPPS number with the profession of its practices (PractitionerRole.code). Refused
 * when unknown, or when its profession is not open to self-registration.
 */
export async function findRppsIdentity(q: Queryable, entered: string): Promise<RppsIdentity> {
  const ids = candidateIds(entered);
  const found = await q.query<{ id: string; content: Json }>(
    `SELECT id, content FROM practitioner WHERE NOT deleted AND content -> 'identifier' @> $1::jsonb
     UNION ALL SELECT id, content FROM practitioner WHERE NOT deleted AND content -> 'identifier' @> $2::jsonb`,
    [JSON.stringify([{ system: RPPS_SYSTEM, value: ids[0] }]), JSON.stringify([{ system: RPPS_SYSTEM, value: ids[1] ?? ids[0] }])],
  );
  const row = found.rows[0];
  if (!row) {
    throw new ApiFailure(404, 'rpps-unknown', `Le numéro RPPS ${entered} est introuvable dans l'Annuaire Santé importé : vérifiez-le, ou contactez votre ordre si vous venez d'être inscrit`, 'RPPS number not found');
  }
  const roles = await q.query<{ content: Json }>(
    `SELECT content FROM practitioner_role WHERE NOT deleted AND content -> 'practitioner' ->> 'reference' = $1`, [`Practitioner/${row.id}`]);
  const professions = roles.rows.flatMap((r) => (r.content.code ?? []).flatMap((c: Json) => (c.coding ?? []).filter((x: Json) => x.system === PROFESSION_SYSTEM)));
  const open = professions.find((p: Json) => openProfession(p.code));
  if (!open) {
    const known = professions[0] as Json | undefined;
    const which = known ? `la profession « ${known.display ?? known.code} »` : 'une profession inconnue de l\'Annuaire Santé importé';
    throw new ApiFailure(403, 'profession-closed',
      `L'inscription en ligne n'est pas ouverte pour ${which} : elle l'est pour les ${OPEN_PROFESSIONS.map((p) => p.display.toLowerCase()).join(', ')}. Contactez votre référent ROR régional.`,
      'Profession not open to self-registration');
  }
  const name = (row.content.name ?? [])[0] ?? {};
  const identifier = (row.content.identifier as Json[]).find((i) => i.system === RPPS_SYSTEM)!;
  const profession = openProfession(open.code)!;
  return {
    rpps: identifier.value, practitionerId: row.id, family: name.family ?? '', given: (name.given ?? [])[0],
    ...(name.prefix?.[0] ? { prefix: name.prefix[0] } : {}),
    profession: { code: profession.code, display: profession.display },
  };
}

export interface RegistrationSettings {
  /** Lifetime of a confirmation link, seconds. */
  tokenTtlSeconds: number;
}

export function registrationSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RegistrationSettings {
  const ttl = Number(env.ROR_REGISTRATION_TTL ?? 86_400);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error(`ROR_REGISTRATION_TTL must be a number of seconds, got "${env.ROR_REGISTRATION_TTL}"`);
  return { tokenTtlSeconds: ttl };
}

/**
 * Creates the (disabled) account and its confirmation token, then e-mails the link. A previous registration
 * of the same professional that was never confirmed is replaced; a confirmed account is refused.
 */
export async function register(
  db: Database, mailer: Mailer, settings: RegistrationSettings,
  input: { rpps: string; email: string; password: string }, confirmBase: string,
): Promise<{ identity: RppsIdentity; email: string }> {
  const fields: Record<string, string> = {};
  const email = (input.email ?? '').trim().toLowerCase();
  if (!EMAIL.test(email)) fields.email = 'Adresse électronique invalide (ex. prenom.nom@exemple.fr)';
  if (typeof input.password !== 'string' || input.password.length < MIN_PASSWORD_LENGTH) fields.password = `Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères`;
  if (Object.keys(fields).length) throw new FieldErrors(fields);
  const identity = await findRppsIdentity(db, input.rpps ?? '');
  const token = generateSecret(32);
  await db.transaction(async (tx) => {
    const existing = await tx.query<{ id: string; email: string; confirmed: boolean }>(
      `SELECT a.id, a.email, (NOT a.disabled OR EXISTS (SELECT 1 FROM registration_token t WHERE t.account_id = a.id AND t.used_at IS NOT NULL)) AS confirmed
       FROM account a WHERE a.practitioner = $1 OR a.email = $2`, [identity.practitionerId, email]);
    for (const a of existing.rows) {
      const pending = !a.confirmed && (await tx.query('SELECT 1 FROM registration_token WHERE account_id = $1', [a.id])).rowCount > 0;
      if (!pending) {
        throw new ApiFailure(409, 'already-registered', a.email === email
          ? `Un compte existe déjà pour ${email} : connectez-vous`
          : 'Ce professionnel a déjà un compte : connectez-vous avec l\'adresse choisie lors de l\'inscription', 'Account already exists');
      }
      await tx.query('DELETE FROM account WHERE id = $1', [a.id]);
    }
    const { user } = await new AccountStore(tx).addUser({
      email, password: input.password, role: 'professional', practitioner: identity.practitionerId,
      displayName: [identity.given, identity.family].filter(Boolean).join(' '),
    });
    await tx.query('UPDATE account SET disabled = true WHERE id = $1', [user.id]);
    await tx.query(
      `INSERT INTO registration_token (token_hash, account_id, practitioner, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [sha256(token), user.id, identity.practitionerId, settings.tokenTtlSeconds],
    );
  });
  const link = `${confirmBase}?jeton=${encodeURIComponent(token)}`;
  const hours = Math.round(settings.tokenTtlSeconds / 3600);
  // The pending account can be replaced by a new attempt: a mail that could not leave is worth a retry.
  await mailer.send({
    to: email,
    subject: 'ROR : confirmez votre adresse électronique',
    text: `Bonjour ${[identity.given, identity.family].filter(Boolean).join(' ')},\n\n`
      + `Vous avez demandé à inscrire votre offre de ville (${identity.profession.display.toLowerCase()}) dans le Répertoire de l'Offre et des Ressources.\n`
      + `Pour activer votre compte, ouvrez ce lien (valable ${hours} h, une seule fois) :\n\n${link}\n\n`
      + 'Si vous n\'êtes pas à l\'origine de cette demande, ignorez ce message : aucun compte ne sera activé.\n',
    html: `<p>Bonjour ${escapeHtml([identity.given, identity.family].filter(Boolean).join(' '))},</p>`
      + `<p>Pour activer votre compte ROR, <a href="${escapeHtml(link)}">confirmez votre adresse électronique</a> (lien valable ${hours} h, une seule fois).</p>`,
  }).catch(() => {
    throw new ApiFailure(502, 'mail-failed', 'Le courriel de confirmation n\'a pas pu être envoyé : réessayez dans quelques minutes', 'The confirmation e-mail could not be sent');
  });
  return { identity, email };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));

/** Uses a confirmation token: enables its account, once. */
export async function confirm(db: Database, token: string): Promise<UserRow> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
    throw new ApiFailure(400, 'token-invalid', 'Lien de confirmation invalide : copiez le lien complet reçu par courriel', 'Invalid confirmation token');
  }
  const accountId = await db.transaction(async (tx) => {
    const r = await tx.query<{ account_id: string; used: boolean; expired: boolean }>(
      `SELECT account_id, used_at IS NOT NULL AS used, expires_at < now() AS expired FROM registration_token WHERE token_hash = $1 FOR UPDATE`,
      [sha256(token)]);
    const row = r.rows[0];
    if (!row) throw new ApiFailure(404, 'token-unknown', 'Lien de confirmation inconnu : recommencez l\'inscription', 'Unknown confirmation token');
    if (row.used) throw new ApiFailure(410, 'token-used', 'Ce lien de confirmation a déjà été utilisé : connectez-vous avec votre adresse et votre mot de passe', 'Token already used');
    if (row.expired) throw new ApiFailure(410, 'token-expired', 'Ce lien de confirmation a expiré : recommencez l\'inscription pour en recevoir un nouveau', 'Token expired');
    await tx.query('UPDATE registration_token SET used_at = now() WHERE token_hash = $1', [sha256(token)]);
    await tx.query('UPDATE account SET disabled = false WHERE id = $1', [row.account_id]);
    return row.account_id;
  });
  return (await new AccountStore(db).userById(accountId))!;
}

/** Reads a stored resource's current content, or null. */
export async function readCurrent(q: Queryable, table: string, id: string): Promise<Resource | null> {
  const r = await q.query<{ content: Resource }>(`SELECT content FROM ${table} WHERE id = $1 AND NOT deleted`, [id]);
  return r.rows[0]?.content ?? null;
}
