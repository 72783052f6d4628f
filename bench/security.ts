// What security costs per request: argon2id hash/verify, JWT issue/verify, and HTTP reads of one
// offer by an anonymous caller, a profile-0 application (Bearer, redaction) and an administrator
// (session cookie), on embedded PGlite. Usage: node --import tsx bench/security.ts [reads]
import { performance } from 'node:perf_hooks';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { hashSecret, verifySecret } from '../src/security/accounts.ts';
import { TokenService } from '../src/security/tokens.ts';
import { startTestServer } from '../src/testing/server.ts';
import { migrate } from '../src/db/migrate.ts';
import { completedHealthcareService, rorTelecom } from '../src/validation/fixtures.ts';

const reads = Number(process.argv[2] ?? 300);
const ms = (t0: number, n: number) => ((performance.now() - t0) / n).toFixed(2);

const db = await PGliteDatabase.open();
await migrate(db);

let t0 = performance.now();
const phc = await hashSecret('un-mot-de-passe-de-mesure');
for (let i = 0; i < 9; i++) await hashSecret('un-mot-de-passe-de-mesure');
console.log(`argon2id hash: ${ms(t0, 10)} ms`);
t0 = performance.now();
for (let i = 0; i < 10; i++) await verifySecret(phc, 'un-mot-de-passe-de-mesure');
console.log(`argon2id verify: ${ms(t0, 10)} ms`);

const tokens = await TokenService.create(db, { issuer: 'urn:ror:server', audience: 'urn:ror:api', ttlSeconds: 600 });
t0 = performance.now();
let token = '';
for (let i = 0; i < 1000; i++) token = await tokens.issue({ clientId: 'bench', accessProfile: 0, scopes: [] });
console.log(`JWT ES256 issue: ${ms(t0, 1000)} ms`);
t0 = performance.now();
for (let i = 0; i < 1000; i++) await tokens.verify(token);
console.log(`JWT ES256 verify: ${ms(t0, 1000)} ms`);

const server = await startTestServer(db);
const hs = completedHealthcareService();
hs.telecom = [rorTelecom('0100000001', '2', '1'), rorTelecom('0100000003', '2', '3')];
await server.services.store.update(hs, { actor: { id: 'bench', kind: 'system' }, source: 'cli', validation: 'lenient' });
const callers: [string, Record<string, string>][] = [
  ['anonymous', {}],
  ['application profile 0 (Bearer, redacted)', await server.appHeaders(0)],
  ['national admin (cookie, full)', await server.adminHeaders()],
];
for (const [name, headers] of callers) {
  for (let i = 0; i < 20; i++) await fetch(`${server.fhirBase}/HealthcareService/${hs.id}`, { headers });
  t0 = performance.now();
  for (let i = 0; i < reads; i++) {
    const r = await fetch(`${server.fhirBase}/HealthcareService/${hs.id}`, { headers });
    if (r.status !== 200) throw new Error(`${name}: ${r.status}`);
    await r.arrayBuffer();
  }
  console.log(`read ${name}: ${ms(t0, reads)} ms/request`);
}
await server.close();
await db.close();
