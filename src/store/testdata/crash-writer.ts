// Child process of crash.test.ts: commits one resource, then opens a transaction that writes three
// more and never commits, says so on stdout, and waits to be killed with SIGKILL.
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { ResourceStore } from '../resource-store.ts';

const [target] = process.argv.slice(2);
const db = await openDatabase(target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target });
await migrate(db);
const store = new ResourceStore(db);
const ctx = { actor: { id: 'crash-test', kind: 'system' as const }, source: 'cli' as const };
await store.create({ resourceType: 'Organization', id: 'x', name: 'committed before the crash' }, ctx);
await store.transaction(async (tx) => {
  for (const name of ['partial 1', 'partial 2', 'partial 3']) await tx.create({ resourceType: 'Organization', name }, ctx);
  process.stdout.write('in-transaction\n');
  await new Promise(() => undefined);
});
