/**
 * OpenID Connect login of people (Pro Santé Connect in production): authorization code flow with
 * PKCE (S256), state and nonce, via `openid-client`. The pending login (state → verifier, nonce)
 * is kept in the database so any API node can finish it. The identity maps to an existing
 * account: by its `issuer|sub` link, or once by a verified e-mail (then linked).
 */
import * as oidc from 'openid-client';
import type { Queryable } from '../db/database.ts';
import { AccountStore, type UserRow } from './accounts.ts';
import type { OidcSettings } from './settings.ts';

const PENDING_TTL_SECONDS = 600;

export class OidcLogin {
  private config?: Promise<oidc.Configuration>;
  private readonly accounts: AccountStore;

  constructor(private readonly db: Queryable, private readonly settings: OidcSettings) {
    this.accounts = new AccountStore(db);
  }

  /** Discovery is done on first use (the provider may start after the server) and cached. */
  private configuration(): Promise<oidc.Configuration> {
    this.config ??= oidc.discovery(
      new URL(this.settings.issuer),
      this.settings.clientId,
      undefined,
      this.settings.clientSecret ? oidc.ClientSecretBasic(this.settings.clientSecret) : oidc.None(),
      this.settings.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    ).catch((e: unknown) => {
      this.config = undefined;
      throw e;
    });
    return this.config;
  }

  redirectUri(origin: string): string {
    return this.settings.redirectUri ?? `${origin}/auth/oidc/callback`;
  }

  /** The provider's authorization URL to send the browser to. */
  async start(origin: string, returnTo?: string): Promise<URL> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.db.query('DELETE FROM oidc_login WHERE created_at < now() - make_interval(secs => $1)', [PENDING_TTL_SECONDS]);
    await this.db.query('INSERT INTO oidc_login (state, code_verifier, nonce, return_to) VALUES ($1, $2, $3, $4)',
      [state, verifier, nonce, returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : null]);
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(origin),
      scope: this.settings.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /**
   * Finishes a login from the callback URL: checks state, nonce, PKCE and the ID token, then
   * finds the account. Returns the account (null when no account matches) and where to go next.
   */
  async finish(callbackUrl: URL): Promise<{ user: UserRow | null; subject: string; returnTo: string | null }> {
    const config = await this.configuration();
    const state = callbackUrl.searchParams.get('state') ?? '';
    const pending = (await this.db.query<{ code_verifier: string; nonce: string; return_to: string | null }>(
      `DELETE FROM oidc_login WHERE state = $1 AND created_at > now() - make_interval(secs => $2) RETURNING code_verifier, nonce, return_to`,
      [state, PENDING_TTL_SECONDS],
    )).rows[0];
    if (!pending) throw new Error('unknown or expired login state');
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.code_verifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    const subject = `${claims.iss}|${claims.sub}`;
    let user = await this.accounts.userByOidcSubject(subject);
    if (!user) {
      let email = typeof claims.email === 'string' && claims.email_verified === true ? claims.email : undefined;
      if (!email) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' && info.email_verified === true ? info.email : undefined;
      }
      const byEmail = email ? await this.accounts.userByEmail(email) : null;
      if (byEmail && !byEmail.oidcSubject) {
        await this.accounts.linkOidcSubject(byEmail.id, subject);
        user = { ...byEmail, oidcSubject: subject };
      }
    }
    return { user: user && !user.disabled ? user : null, subject, returnTo: pending.return_to };
  }
}
