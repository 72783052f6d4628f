/**
 * Who is calling, as the access rules see it: a person with a role and a perimeter, an application
 * with a ROR access profile (0–5), an anonymous visitor, or the system itself (CLI, imports).
 */
export type Role = 'national-admin' | 'regional-admin' | 'referent' | 'professional';
export const ROLES: readonly Role[] = ['national-admin', 'regional-admin', 'referent', 'professional'];

/** ROR access profiles "Profil 0…5" of the data access policy (ror-ig.md §4). */
export type AccessProfile = 0 | 1 | 2 | 3 | 4 | 5;
export const ACCESS_PROFILES: readonly AccessProfile[] = [0, 1, 2, 3, 4, 5];

export interface UserPrincipal {
  kind: 'user';
  /** Account id. */
  id: string;
  email: string;
  role: Role;
  /** TRE_R30 region codes (regional-admin). */
  regions: string[];
  /** Organization ids of the EJ/EG the person answers for (referent). */
  organizations: string[];
  /** Practitioner id (professional). */
  practitioner?: string;
}

export interface AppPrincipal {
  kind: 'app';
  /** OAuth2 client id. */
  id: string;
  accessProfile: AccessProfile;
  scopes: string[];
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
}

/** Trusted server-side work (CLI commands, imports, migrations): no restriction. */
export interface SystemPrincipal {
  kind: 'system';
}

export type Principal = UserPrincipal | AppPrincipal | AnonymousPrincipal | SystemPrincipal;

export const ANONYMOUS: AnonymousPrincipal = { kind: 'anonymous' };
export const SYSTEM: SystemPrincipal = { kind: 'system' };

export function isAccessProfile(n: unknown): n is AccessProfile {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 5;
}

/**
 * The access profile whose read rules apply to a caller. People read as the profile of their
 * job: administrators see everything (`full`), referents and professionals read as a
 * non-emergency health actor (profile 2); anonymous visitors see public data (profile 0 rules).
 */
export function readProfileOf(p: Principal): AccessProfile | 'full' {
  switch (p.kind) {
    case 'system':
      return 'full';
    case 'app':
      return p.accessProfile;
    case 'anonymous':
      return 0;
    case 'user':
      return p.role === 'national-admin' || p.role === 'regional-admin' ? 'full' : 2;
  }
}
