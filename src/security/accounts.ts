/**
 * People's accounts and consumer applications (tables of migration 060): creation, listing,
 * disabling/revoking, and credential checks. Passwords and client secrets are kept only as
 * argon2id hashes; a generated secret is returned once to the caller and never stored in clear.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Queryable } from '../db/database.ts';
import { isAccessProfile, ROLES, type AccessProfile, type AppPrincipal, type Role, type UserPrincipal } from './principal.ts';

export const MIN_PASSWORD_LENGTH = 12;
const REGION_CODE = /^\d{2}$/;
const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** argon2id with the library's defaults (OWASP-recommended memory and time costs). */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

export async function verifySecret(phc: string | null, secret: string): Promise<boolean> {
  if (!phc) return false;
  try {
    return await verify(phc, secret);
  } catch {
    return false;
  }
}

/** A random secret (URL-safe, 256 bits). */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export interface UserInput {
  email: string;
  displayName?: string;
  role: Role;
  regions?: string[];
  organizations?: string[];
  practitioner?: string;
  /** Absent: a password is generated and returned once. */
  password?: string;
}

export interface UserRow {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  regions: string[];
  organizations: string[];
  practitioner: string | null;
  disabled: boolean;
  hasPassword: boolean;
  oidcSubject: string | null;
  createdAt: string;
}

export interface AppInput {
  clientId?: string;
  name: string;
  accessProfile: AccessProfile;
  scopes?: string[];
  certSubject?: string;
}

export interface AppRow {
  clientId: string;
  name: string;
  accessProfile: AccessProfile;
  scopes: string[];
  certSubject: string | null;
  revoked: boolean;
  createdAt: string;
}

interface DbUser {
  id: string; email: string; display_name: string | null; role: Role; regions: string[]; organizations: string[];
  practitioner: string | null; password_hash: string | null; oidc_subject: string | null; disabled: boolean; created_at: Date | string;
}
interface DbApp {
  client_id: string; name: string; secret_hash: string | null; access_profile: number; scopes: string[];
  cert_subject: string | null; revoked: boolean; created_at: Date | string;
}

const userRow = (r: DbUser): UserRow => ({
  id: r.id, email: r.email, displayName: r.display_name, role: r.role, regions: r.regions, organizations: r.organizations,
  practitioner: r.practitioner, disabled: r.disabled, hasPassword: !!r.password_hash, oidcSubject: r.oidc_subject,
  createdAt: new Date(r.created_at).toISOString(),
});
const appRow = (r: DbApp): AppRow => ({
  clientId: r.client_id, name: r.name, accessProfile: r.access_profile as AccessProfile, scopes: r.scopes,
  certSubject: r.cert_subject, revoked: r.revoked, createdAt: new Date(r.created_at).toISOString(),
});

export function userPrincipal(u: Pick<UserRow, 'id' | 'email' | 'role' | 'regions' | 'organizations' | 'practitioner'>): UserPrincipal {
  return { kind: 'user', id: u.id, email: u.email, role: u.role, regions: u.regions, organizations: u.organizations, ...(u.practitioner ? { practitioner: u.practitioner } : {}) };
}

export function appPrincipal(a: Pick<AppRow, 'clientId' | 'accessProfile' | 'scopes'>): AppPrincipal {
  return { kind: 'app', id: a.clientId, accessProfile: a.accessProfile, scopes: a.scopes };
}

/** Checks a user definition: the perimeter must match the role. Throws with a French message. */
export function checkUserInput(u: UserInput): void {
  if (!EMAIL.test(u.email)) throw new Error(`Adresse e-mail invalide : ${u.email}`);
  if (!ROLES.includes(u.role)) throw new Error(`Rôle inconnu : ${u.role} (attendu : ${ROLES.join(', ')})`);
  if (u.role === 'regional-admin' && !(u.regions?.length)) throw new Error('Un administrateur régional a au moins une région (code TRE_R30, ex. 11)');
  for (const r of u.regions ?? []) if (!REGION_CODE.test(r)) throw new Error(`Code région invalide : ${r} (TRE_R30, deux chiffres)`);
  if (u.role === 'referent' && !(u.organizations?.length)) throw new Error('Un référent a au moins une structure (id d\'Organization EJ ou EG)');
  for (const o of u.organizations ?? []) if (!RESOURCE_ID.test(o)) throw new Error(`Id d'Organization invalide : ${o}`);
  if (u.role === 'professional' && (!u.practitioner || !RESOURCE_ID.test(u.practitioner))) throw new Error('Un professionnel est rattaché à un Practitioner (id)');
  if (u.password !== undefined && u.password.length < MIN_PASSWORD_LENGTH) throw new Error(`Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères`);
}

export class AccountStore {
  constructor(private readonly db: Queryable) {}

  /** Creates a person's account; returns it, with the generated password when none was given. */
  async addUser(input: UserInput): Promise<{ user: UserRow; generatedPassword?: string }> {
    checkUserInput(input);
    const generatedPassword = input.password === undefined ? generateSecret(18) : undefined;
    const passwordHash = await hashSecret(input.password ?? generatedPassword!);
    const r = await this.db.query<DbUser>(
      `INSERT INTO account (id, email, display_name, role, regions, organizations, practitioner, password_hash)
       VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7, $8) RETURNING *`,
      [randomUUID(), input.email.toLowerCase(), input.displayName ?? null, input.role, input.regions ?? [],
        input.organizations ?? [], input.practitioner ?? null, passwordHash],
    ).catch((e: Error) => {
      if (/duplicate|unique/i.test(e.message)) throw new Error(`Un compte existe déjà pour ${input.email}`);
      throw e;
    });
    return { user: userRow(r.rows[0]), ...(generatedPassword ? { generatedPassword } : {}) };
  }

  async listUsers(): Promise<UserRow[]> {
    const r = await this.db.query<DbUser>('SELECT * FROM account ORDER BY email');
    return r.rows.map(userRow);
  }

  async userByEmail(email: string): Promise<UserRow | null> {
    const r = await this.db.query<DbUser>('SELECT * FROM account WHERE email = $1', [email.toLowerCase()]);
    return r.rows[0] ? userRow(r.rows[0]) : null;
  }

  async userById(id: string): Promise<UserRow | null> {
    const r = await this.db.query<DbUser>('SELECT * FROM account WHERE id = $1', [id]);
    return r.rows[0] ? userRow(r.rows[0]) : null;
  }

  async userByOidcSubject(subject: string): Promise<UserRow | null> {
    const r = await this.db.query<DbUser>('SELECT * FROM account WHERE oidc_subject = $1', [subject]);
    return r.rows[0] ? userRow(r.rows[0]) : null;
  }

  /** Links an OpenID Connect identity (`issuer|sub`) to an existing account. */
  async linkOidcSubject(accountId: string, subject: string): Promise<void> {
    await this.db.query('UPDATE account SET oidc_subject = $2 WHERE id = $1', [accountId, subject]);
  }

  async disableUser(email: string): Promise<boolean> {
    const r = await this.db.query<{ id: string }>('UPDATE account SET disabled = true WHERE email = $1 RETURNING id', [email.toLowerCase()]);
    if (r.rows[0]) await this.db.query('DELETE FROM web_session WHERE account_id = $1', [r.rows[0].id]);
    return r.rowCount > 0;
  }

  /** The enabled account whose password matches, or null (same answer for unknown e-mail and bad password). */
  async checkPassword(email: string, password: string): Promise<UserRow | null> {
    const r = await this.db.query<DbUser>('SELECT * FROM account WHERE email = $1', [email.toLowerCase()]);
    const row = r.rows[0];
    // Hash even for an unknown account, so timing does not tell which e-mails exist.
    const ok = await verifySecret(row?.password_hash ?? (await dummy()), password);
    return row && ok && !row.disabled ? userRow(row) : null;
  }

  async hasNationalAdmin(): Promise<boolean> {
    const r = await this.db.query("SELECT 1 FROM account WHERE role = 'national-admin' AND NOT disabled LIMIT 1");
    return r.rowCount > 0;
  }

  /** Registers an application; returns it with its client secret, shown once. */
  async addApp(input: AppInput): Promise<{ app: AppRow; clientSecret: string }> {
    if (!input.name.trim()) throw new Error('Le nom de l\'application est obligatoire');
    if (!isAccessProfile(input.accessProfile)) throw new Error(`Profil d'accès invalide : ${input.accessProfile} (0 à 5)`);
    const clientId = input.clientId ?? `app-${randomBytes(6).toString('hex')}`;
    if (!/^[A-Za-z0-9_.\-]{3,64}$/.test(clientId)) throw new Error(`Identifiant client invalide : ${clientId}`);
    const clientSecret = generateSecret();
    const r = await this.db.query<DbApp>(
      `INSERT INTO application (client_id, name, secret_hash, access_profile, scopes, cert_subject)
       VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING *`,
      [clientId, input.name, await hashSecret(clientSecret), input.accessProfile, input.scopes ?? [], input.certSubject ?? null],
    ).catch((e: Error) => {
      if (/duplicate|unique/i.test(e.message)) throw new Error(`L'application ${clientId} (ou ce sujet de certificat) existe déjà`);
      throw e;
    });
    return { app: appRow(r.rows[0]), clientSecret };
  }

  async listApps(): Promise<AppRow[]> {
    const r = await this.db.query<DbApp>('SELECT * FROM application ORDER BY client_id');
    return r.rows.map(appRow);
  }

  async revokeApp(clientId: string): Promise<boolean> {
    const r = await this.db.query('UPDATE application SET revoked = true WHERE client_id = $1', [clientId]);
    return r.rowCount > 0;
  }

  /** The live application whose secret matches, or null. */
  async checkClient(clientId: string, secret: string): Promise<AppRow | null> {
    const r = await this.db.query<DbApp>('SELECT * FROM application WHERE client_id = $1', [clientId]);
    const row = r.rows[0];
    const ok = await verifySecret(row?.secret_hash ?? (await dummy()), secret);
    return row && ok && !row.revoked ? appRow(row) : null;
  }

  async appById(clientId: string): Promise<AppRow | null> {
    const r = await this.db.query<DbApp>('SELECT * FROM application WHERE client_id = $1', [clientId]);
    return r.rows[0] ? appRow(r.rows[0]) : null;
  }

  /** The live application registered for a client-certificate subject DN (mTLS). */
  async appByCertSubject(subject: string): Promise<AppRow | null> {
    const r = await this.db.query<DbApp>('SELECT * FROM application WHERE cert_subject = $1 AND NOT revoked', [subject]);
    return r.rows[0] ? appRow(r.rows[0]) : null;
  }
}

// A valid argon2id hash of a random value: verified against when the account does not exist.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashSecret(randomBytes(16).toString('hex')));

/**
 * First start: creates the national administrator from ROR_ADMIN_EMAIL + ROR_ADMIN_PASSWORD when
 * no enabled national administrator exists. Never a default password. Returns the e-mail created.
 */
export async function ensureFirstAdmin(accounts: AccountStore, env: NodeJS.ProcessEnv): Promise<string | null> {
  const email = env.ROR_ADMIN_EMAIL;
  const password = env.ROR_ADMIN_PASSWORD;
  if (!email || !password) return null;
  if (await accounts.hasNationalAdmin()) return null;
  if (await accounts.userByEmail(email)) return null;
  await accounts.addUser({ email, password, role: 'national-admin', displayName: 'Administrateur national' });
  return email.toLowerCase();
}
