import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { createSearchIndexer } from '../../search/indexer.ts';
import { ResourceStore } from '../../store/resource-store.ts';
import { Mirror } from '../../sync/consumer/mirror.ts';
import { SourceClient } from '../../sync/consumer/source-client.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'sync',
  summary: 'Mirror a ROR FHIR server into a database: $export, then the change feed (resumable; see docs/sync.md)',
  usage: 'sync --from <base-url> --to <DATABASE_URL|dir> [--once]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        once: { type: 'boolean', default: false },
        type: { type: 'string' },
        interval: { type: 'string', default: '5' },
        count: { type: 'string', default: '500' },
        header: { type: 'string', multiple: true },
        'client-id': { type: 'string' },
        'token-url': { type: 'string' },
      },
    });
    if (!values.from || !values.to) {
      console.error('Usage: ror sync --from <base-url> --to <DATABASE_URL|dir> [--once] [--type T1,T2] [--interval s] [--count n]\n'
        + '  [--header "Name: value"]… [--client-id id --token-url url] (client secret in ROR_SYNC_CLIENT_SECRET)\n'
        + '  (a Bearer token may also be given in ROR_SYNC_TOKEN)');
      return 2;
    }
    const from = values.from.replace(/\/+$/, '');
    const headers: Record<string, string> = {};
    for (const h of values.header ?? []) {
      const i = h.indexOf(':');
      if (i <= 0) throw new Error(`--header expects "Name: value", got "${h}"`);
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    if (process.env.ROR_SYNC_TOKEN) headers.authorization = `Bearer ${process.env.ROR_SYNC_TOKEN}`;
    const clientId = values['client-id'];
    const secret = process.env.ROR_SYNC_CLIENT_SECRET;
    if (clientId && !secret) throw new Error('--client-id needs the secret in ROR_SYNC_CLIENT_SECRET');
    const client = clientId ? { id: clientId, secret: secret!, tokenUrl: values['token-url'] ?? `${new URL(from).origin}/oauth/token` } : undefined;

    const isUrl = /^postgres(ql)?:\/\//.test(values.to);
    const db = await openDatabase(isUrl ? { databaseUrl: values.to } : { dataDir: path.resolve(values.to) });
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await migrate(db);
      const store = new ResourceStore(db, { indexers: [createSearchIndexer()] });
      const mirror = new Mirror({
        source: new SourceClient(from, { headers, client }), db, store,
        types: values.type?.split(',').filter(Boolean), once: values.once,
        pollIntervalMs: Number(values.interval) * 1000, pageSize: Number(values.count),
        log: (m) => console.error(`[sync] ${m}`), signal: abort.signal,
      });
      await mirror.run();
      return 0;
    } finally {
      await db.close();
    }
  },
};
