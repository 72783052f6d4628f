/**
 * Coordinator search latency from the browser's point of view: Debian's chromium (playwright-core) on the web
 * app, "Rechercher" clicked → the list of results rendered (measured inside the page: click, then the first
 * animation frame after the button is enabled again with results in the list), ~30 searches per commune.
 * Usage: node --import tsx bench/web-latency.ts <pglite-dir | postgres://…> [searches-per-commune] [communes] [need]
 * The database is filled beforehand, e.g. by `ROR_DATA_DIR=<dir> ROR_DEMO=0 ror generate --scale region
 * --region 11` (PGlite) or `DATABASE_URL=… ror generate --scale national` (PostgreSQL); it is migrated, not
 * modified otherwise. Communes default to Limay, Mantes-la-Jolie and
 * Paris 15e (78335,78361,75115), radius 10 km with widening, no need (the broadest, densest search); `need` adds the
 * app's own query string for one, e.g. `profession=70&besoin=Masseur-Kinésithérapeute` or `field=02`.
 */
import os from 'node:os';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { startTestServer } from '../src/testing/server.ts';
import { browserUnavailable, ensureWebBuilt, launchBrowser } from '../test/browser/browser.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bench/web-latency.ts <pglite-dir | postgres://…> [searches-per-commune] [communes]');
const runs = Number(process.argv[3] ?? 30);
const communes = (process.argv[4] ?? '78335,78361,75115').split(',');
const need = process.argv[5] ? `&${process.argv[5]}` : '';
const unavailable = browserUnavailable();
if (unavailable) throw new Error(unavailable);

ensureWebBuilt();
const db = await openDatabase(/^postgres(ql)?:\/\//.test(dir) ? { databaseUrl: dir } : { dataDir: dir });
await migrate(db);
await db.exec('ANALYZE');
const server = await startTestServer(db);
const base = server.fhirBase.replace(/\/fhir$/, '');
const browser = await launchBrowser();
const page = await browser.context.newPage();
const counts = await db.query<{ offers: number; places: number }>(
  'SELECT (SELECT count(*) FROM healthcare_service WHERE NOT deleted)::int AS offers, (SELECT count(*) FROM location WHERE NOT deleted)::int AS places');
const rows: string[] = [];
try {
  for (const code of communes) {
    // The search in the address fills the form and runs once (warm-up); then "Rechercher" again and again.
    await page.goto(`${base}/?commune=${code}&radius=10${need}`);
    await page.waitForSelector('ol.ror-results > li', { timeout: 120_000 });
    const heading = (await page.textContent('#titre-resultats'))?.trim();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      times.push(await page.evaluate(() => new Promise<number>((resolve) => {
        const btn = document.querySelector('#recherche button[type="submit"]') as HTMLButtonElement;
        let busy = false;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (btn.disabled) busy = true;
          else if (busy && document.querySelector('ol.ror-results > li')) {
            obs.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - t0));
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        btn.click();
      })));
    }
    times.sort((a, b) => a - b);
    const pct = (x: number) => Math.round(times[Math.min(times.length - 1, Math.floor(x * times.length))]);
    rows.push(`| ${code} | ${heading} | ${times.length} | ${pct(0.5)} | ${pct(0.95)} | ${Math.round(times[times.length - 1])} |`);
    console.error(rows[rows.length - 1]);
  }
} finally {
  await browser.close();
  await server.close();
  await db.close();
}
console.log(`${/^postgres/.test(dir) ? "PostgreSQL" : "PGlite"} data: ${counts.rows[0].offers} offers, ${counts.rows[0].places} places; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`need: ${need.slice(1) || 'none'}`);
console.log('| commune | results heading | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|\n' + rows.join('\n'));
