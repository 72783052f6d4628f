/**
 * Mutual TLS: when the server runs with TLS and a client CA (ROR_TLS_CA), a client certificate
 * the CA vouches for (IGC-Santé in production) identifies an application by its subject DN,
 * registered with `ror app add --cert-subject "C=FR,O=…,CN=…"`.
 */
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { AccountStore } from './accounts.ts';
import { appPrincipal } from './accounts.ts';
import type { AppPrincipal } from './principal.ts';

/** The subject DN of a certificate as `K=V` pairs in certificate order, joined by commas (e.g. `C=FR,O=ANS,CN=app`). */
export function subjectDn(subject: PeerCertificate['subject'] | undefined): string | null {
  if (!subject) return null;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(subject)) {
    for (const value of Array.isArray(v) ? v : [v]) parts.push(`${k}=${value}`);
  }
  return parts.length ? parts.join(',') : null;
}

/** The verified client-certificate subject of a TLS connection, or null (no TLS, no certificate, or not trusted). */
export function verifiedClientSubject(socket: unknown): string | null {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls || typeof tls.getPeerCertificate !== 'function' || !tls.authorized) return null;
  const cert = tls.getPeerCertificate();
  return cert && Object.keys(cert).length ? subjectDn(cert.subject) : null;
}

/** The application a verified client certificate maps to, or null. */
export async function applicationOfCertificate(accounts: AccountStore, socket: unknown): Promise<AppPrincipal | null> {
  const subject = verifiedClientSubject(socket);
  if (!subject) return null;
  const app = await accounts.appByCertSubject(subject);
  return app ? appPrincipal(app) : null;
}
