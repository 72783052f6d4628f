/**
 * Copies a PostgreSQL database of the project (e.g. one filled by `ror generate`) into a PGlite data folder,
 * table by table, rows as JSON (json_populate_recordset): the same data, index rows included, on both
 * engines for bench/search.ts — regenerating through the store on PGlite would take hours here.
 * Tables a migration already fills in PGlite (communes, terminology…) and the audit trail are skipped.
 *   node --import tsx bench/pglite-copy.ts postgres://postgres@127.0.0.1:5432/ror_bench_gen /tmp/ror-pglite [table,…]
 */
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';

const [url, dir] = process.argv.slice(2);
if (!url || !dir) throw new Error('usage: bench/pglite-copy.ts <postgres-url> <pglite-dir>');
const CHUNK = 5000;
const started = performance.now();
const source = new pg.Client({ connectionString: url });
await source.connect();
const target = await PGliteDatabase.open(dir);
await migrate(target);
const only = process.argv[4]?.split(',');
const tables = (await source.query<{ relname: string }>(
  `SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0 AND relname NOT IN ('audit_event') ORDER BY relname`,
)).rows.map((r) => r.relname).filter((t) => !only || only.includes(t));
for (const table of tables) {
  const present = await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table} LIMIT 1) x`);
  // Tables the migrations already filled: only the rows of the FINESS import and of the generator.
  let where = '';
  if (present.rows[0].n > 0) {
    const hasId = (await source.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'id'`, [table])).rowCount;
    if (!hasId || table === 'commune') {
      console.error(`${table}: already filled by the migrations, skipped`);
      continue;
    }
    where = ` WHERE id LIKE 'gen-%' OR id LIKE 'finess-%'`;
  }
  // Generated columns (e.g. healthcare_service.sensitive) are computed again by PGlite.
  const cols = (await source.query<{ c: string }>(
    `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, [table],
  )).rows.map((r) => `"${r.c}"`).join(', ');
  const t0 = performance.now();
  let copied = 0;
  await source.query('BEGIN');
  await source.query(`DECLARE c NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${table} t${where}`);
  for (;;) {
    const rows = (await source.query<{ j: string }>(`FETCH ${CHUNK} FROM c`)).rows;
    if (!rows.length) break;
    await target.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${table}, $1::json)`, [`[${rows.map((r) => r.j).join(',')}]`])
      .catch((e: Error) => { throw new Error(`${table}: ${e.message}`); });
    copied += rows.length;
  }
  await source.query('COMMIT');
  console.error(`${table}: ${copied} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
// Sequences follow the copied ids (history seq, import runs…).
const seqs = await target.query<{ t: string; c: string; s: string }>(
  `SELECT c.table_name AS t, c.column_name AS c, pg_get_serial_sequence(c.table_name, c.column_name) AS s
   FROM information_schema.columns c WHERE c.table_schema = 'public' AND pg_get_serial_sequence(c.table_name, c.column_name) IS NOT NULL`,
);
for (const r of seqs.rows) await target.query(`SELECT setval('${r.s}', GREATEST((SELECT max(${r.c}) FROM ${r.t}), 1))`);
await target.exec('VACUUM ANALYZE');
await target.close();
await source.end();
console.error(`copied in ${((performance.now() - started) / 1000).toFixed(0)} s`);
