import { after, before, describe } from 'node:test';
import type { Database } from '../db/database.ts';
import { testBackends } from './databases.ts';

/**
 * Declares `body` once per database engine. `body` receives a getter for the suite's database,
 * opened (and migrated) before its tests and closed after.
 */
export async function describeWithDatabases(name: string, body: (db: () => Database) => void): Promise<void> {
  for (const backend of await testBackends()) {
    describe(`${name} [${backend.name}]`, { skip: backend.unavailable }, () => {
      let db: Database | undefined;
      before(async () => {
        db = await backend.open();
      });
      after(async () => {
        await db?.close();
      });
      body(() => {
        if (!db) throw new Error('database not open');
        return db;
      });
    });
  }
}
