/** The security features of a running server, built once from the settings and the database. */
import type { Queryable } from '../db/database.ts';
import { AccountStore, ensureFirstAdmin } from './accounts.ts';
import { LoginThrottle } from './login-throttle.ts';
import { OidcLogin } from './oidc.ts';
import { SessionStore } from './sessions.ts';
import type { SecuritySettings } from './settings.ts';
import { TokenService } from './tokens.ts';
import { MatrixWriteAuthorizer } from './write-authorizer.ts';

export interface SecurityServices {
  settings: SecuritySettings;
  accounts: AccountStore;
  tokens: TokenService;
  sessions: SessionStore;
  throttle: LoginThrottle;
  authorizer: MatrixWriteAuthorizer;
  oidc?: OidcLogin;
}

export async function createSecurityServices(db: Queryable, settings: SecuritySettings, log: (m: string) => void = () => undefined): Promise<SecurityServices> {
  const accounts = new AccountStore(db);
  if (settings.firstAdmin) {
    const created = await ensureFirstAdmin(accounts, { ROR_ADMIN_EMAIL: settings.firstAdmin.email, ROR_ADMIN_PASSWORD: settings.firstAdmin.password });
    if (created) log(`first national administrator created: ${created}`);
  }
  return {
    settings,
    accounts,
    tokens: await TokenService.create(db, settings.tokens),
    sessions: new SessionStore(db, settings.sessionTtlSeconds),
    throttle: new LoginThrottle(db, {
      perAccount: settings.loginMaxFailuresPerAccount, perIp: settings.loginMaxFailuresPerIp, windowSeconds: settings.loginWindowSeconds,
    }),
    authorizer: new MatrixWriteAuthorizer(),
    oidc: settings.oidc ? new OidcLogin(db, settings.oidc) : undefined,
  };
}
