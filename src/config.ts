import path from 'node:path';
import { mailSettingsFromEnv, type MailSettings } from './mail/mailer.ts';
import { securitySettingsFromEnv, type SecuritySettings } from './security/settings.ts';

/** Runtime configuration, read from the environment only (secrets never from files in the repo). */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL server URL; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Load the demo dataset on first start of an empty embedded database. */
  demo: boolean;
  /** Public base URL used in links (Bundle.link, Location headers). */
  baseUrl?: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  logLevel: string;
  /** Authentication, sessions, rate limits, CORS, TLS (src/security/settings.ts). */
  security: SecuritySettings;
  /** Outgoing e-mail (src/mail). */
  mail: MailSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port, got "${env.PORT}"`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.ROR_DATA_DIR ?? './.ror'),
    demo: env.ROR_DEMO !== '0',
    baseUrl: env.ROR_BASE_URL || undefined,
    bodyLimit: Number(env.ROR_BODY_LIMIT ?? 20 * 1024 * 1024),
    logLevel: env.LOG_LEVEL ?? 'info',
    security: securitySettingsFromEnv(env),
    mail: mailSettingsFromEnv(env),
  };
}
