/**
 * Access tokens for applications (OAuth2 client credentials): short-lived signed JWTs (jose).
 * Key: HS256 from ROR_JWT_SECRET when set (every API node shares it), else an ES256 key pair
 * generated at first start and kept in the `signing_key` table (shared by the nodes through the
 * database; the public key is served at /oauth/jwks). Issuer and audience are always checked.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { Queryable } from '../db/database.ts';
import { isAccessProfile, type AccessProfile } from './principal.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
  /** Lifetime of an access token, in seconds. */
  ttlSeconds: number;
  /** Shared secret for HS256 (ROR_JWT_SECRET); absent = ES256 key pair from the database. */
  secret?: string;
}

export function tokenSettingsFromEnv(env: NodeJS.ProcessEnv): TokenSettings {
  const secret = env.ROR_JWT_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) throw new Error('ROR_JWT_SECRET must be at least 32 characters long');
  const ttl = Number(env.ROR_JWT_TTL ?? 600);
  if (!Number.isInteger(ttl) || ttl < 10 || ttl > 86_400) throw new Error('ROR_JWT_TTL must be a number of seconds between 10 and 86400');
  return { issuer: env.ROR_JWT_ISSUER ?? 'urn:ror:server', audience: env.ROR_JWT_AUDIENCE ?? 'urn:ror:api', ttlSeconds: ttl, secret };
}

export interface AccessTokenClaims {
  clientId: string;
  accessProfile: AccessProfile;
  scopes: string[];
}

type Key = Awaited<ReturnType<typeof importJWK>>;

export class TokenService {
  private constructor(
    private readonly settings: TokenSettings,
    private readonly alg: 'HS256' | 'ES256',
    private readonly kid: string,
    private readonly signKey: Key | Uint8Array,
    private readonly verifyKey: Key | Uint8Array,
    readonly publicJwk?: JWK,
  ) {}

  static async create(db: Queryable, settings: TokenSettings): Promise<TokenService> {
    if (settings.secret) {
      const key = new TextEncoder().encode(settings.secret);
      return new TokenService(settings, 'HS256', 'shared-secret', key, key);
    }
    let row = (await db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
      "SELECT kid, private_jwk, public_jwk FROM signing_key WHERE alg = 'ES256' ORDER BY created_at DESC LIMIT 1",
    )).rows[0];
    if (!row) {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = randomUUID();
      await db.query(
        `INSERT INTO signing_key (kid, alg, private_jwk, public_jwk) SELECT $1, 'ES256', $2::jsonb, $3::jsonb
         WHERE NOT EXISTS (SELECT 1 FROM signing_key WHERE alg = 'ES256')`,
        [kid, JSON.stringify(await exportJWK(privateKey)), JSON.stringify(await exportJWK(publicKey))],
      );
      // Another node may have created it first: everyone uses the one stored.
      row = (await db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
        "SELECT kid, private_jwk, public_jwk FROM signing_key WHERE alg = 'ES256' ORDER BY created_at DESC LIMIT 1",
      )).rows[0];
    }
    const publicJwk = { ...row.public_jwk, kid: row.kid, alg: 'ES256', use: 'sig' };
    return new TokenService(settings, 'ES256', row.kid, await importJWK(row.private_jwk, 'ES256'), await importJWK(row.public_jwk, 'ES256'), publicJwk);
  }

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  async issue(claims: AccessTokenClaims): Promise<string> {
    return new SignJWT({ client_id: claims.clientId, access_profile: claims.accessProfile, scope: claims.scopes.join(' ') })
      .setProtectedHeader({ alg: this.alg, kid: this.kid, typ: 'at+jwt' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(claims.clientId)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.settings.ttlSeconds}s`)
      .sign(this.signKey);
  }

  /** The claims of a valid token; throws when the signature, issuer, audience, expiry or content is wrong. */
  async verify(token: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.verifyKey, {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      algorithms: [this.alg],
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    return claimsOf(payload);
  }
}

function claimsOf(p: JWTPayload): AccessTokenClaims {
  const profile = p.access_profile;
  if (typeof p.sub !== 'string' || !isAccessProfile(profile)) throw new Error('invalid token claims');
  return { clientId: p.sub, accessProfile: profile, scopes: typeof p.scope === 'string' && p.scope ? p.scope.split(' ') : [] };
}
