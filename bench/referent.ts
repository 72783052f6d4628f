/**
 * Referent space figures on the demo dataset (PostgreSQL throw-away database, or PGlite with `pglite`):
 * the structure tree of an EJ with many sites (CH François Quesnay's EJ 780110011), of one EG (the CH) and of an
 * EHPAD — each tree runs the indicators engine's to-do list of its sites —, a confirmation, a capacity update,
 * and the reminder job over every referent.
 *   node --import tsx bench/referent.ts [pglite]
 * `ROR_BENCH_PG_URL=postgres://…/ror_bench_referent` keeps the loaded demo between runs.
 */
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { PostgresDatabase } from '../src/db/postgres.ts';
import { loadDemo } from '../src/demo/load-demo.ts';
import { withCapacity } from '../src/referent/capacity.ts';
import { confirmed } from '../src/referent/confirmation.ts';
import { runReminders } from '../src/referent/reminders.ts';
import { QualityCache } from '../src/referent/quality-cache.ts';
import { structureTree, type TreeItem } from '../src/referent/tree.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import type { RequestContext } from '../src/store/context.ts';

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const r = await fn();
  console.log(`${label.padEnd(58)} ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`);
  return r;
}
const count = (t: TreeItem): number => 1 + t.children.reduce((n, c) => n + count(c), 0);

const engine = process.argv[2] === 'pglite' ? 'pglite' : 'postgres';
let db: Database;
let drop = async () => {};
if (engine === 'pglite') {
  db = await PGliteDatabase.open();
} else if (process.env.ROR_BENCH_PG_URL) {
  // A kept database (the demo loaded once, reused by later runs).
  db = new PostgresDatabase(process.env.ROR_BENCH_PG_URL, 5);
} else {
  const created = await createPostgresTestDatabase();
  db = new PostgresDatabase(created.url, 5);
  drop = created.drop;
}
try {
  await migrate(db);
  const services = await createServices({ ...loadConfig({ ROR_DEMO: '0' }) }, { db });
  if (!(await db.query('SELECT 1 FROM healthcare_service LIMIT 1')).rows.length) {
    const report = await time('load the demo dataset', () => loadDemo(services.store));
    console.log(`demo: ${JSON.stringify(report).slice(0, 200)}`);
  }
  await db.query(`DELETE FROM web_session; DELETE FROM account WHERE email LIKE '%@bench.test'`).catch(() => undefined);
  // The quality rules over the whole directory (what the first view of a server waits for), then trees as
  // they are served: from the last evaluation (QualityCache).
  const quality = new QualityCache(db, Number.POSITIVE_INFINITY);
  await time('quality rules over the whole directory', () => quality.get());
  for (const id of ['finess-ej-780110011', 'finess-eg-780000287', 'finess-eg-780001731']) {
    await structureTree(db, id, { staleDays: 183, quality: () => quality.get() }); // warm-up
    const t = await time(`tree of ${id}`, () => structureTree(db, id, { staleDays: 183, quality: () => quality.get() }));
    console.log(`  ${t ? count(t) : 0} items`);
  }
  const ctx: RequestContext = { actor: { id: 'bench', kind: 'system' }, source: 'form', validation: 'lenient' };
  const place = (await db.query<{ id: string }>(`SELECT id FROM location WHERE id LIKE 'demo-lieu-780001731%' ORDER BY id LIMIT 1`)).rows[0]?.id;
  if (place) {
    for (let i = 0; i < 3; i++) {
      const cur = await services.store.read('Location', place);
      await time(`capacity update of ${place}`, () => services.store.update(withCapacity(cur.resource, { type: '02', status: '02', count: 3 + i }), ctx, { ifMatch: cur.versionId }));
    }
    const offer = (await db.query<{ id: string }>(`SELECT id FROM healthcare_service WHERE id LIKE 'demo-offre-780001731%' ORDER BY id LIMIT 1`)).rows[0].id;
    const cur = await services.store.read('HealthcareService', offer);
    await time(`confirmation of ${offer}`, () => services.store.update(confirmed(cur.resource), ctx, { ifMatch: cur.versionId }));
  }
  const sites = (await db.query<{ id: string }>(`SELECT id FROM organization WHERE id LIKE 'finess-eg-%' ORDER BY id LIMIT 200`)).rows.map((r) => r.id);
  for (let i = 0; i < 100; i++) {
    await services.security.accounts.addUser({ email: `referent${i}@bench.test`, password: 'bench password 1234', role: 'referent', organizations: [sites[i * 2]] });
  }
  const sent: string[] = [];
  const mailer = { delivering: false, async send(m: { to: string }) { sent.push(m.to); }, close() {} };
  const run = await time('reminder job, 100 referents, threshold 0 days', () => runReminders(db, { mailer, staleAfterDays: 0, baseUrl: 'http://localhost', trigger: 'cli' }));
  console.log(`  ${run.referents} referents, ${run.staleItems} stale items, ${run.emailsSent} digests`);
} finally {
  await db.close();
  await drop();
}
