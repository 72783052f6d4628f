import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { isResourceType, RESOURCE_TYPES, type ResourceType } from '../../fhir/resource-types.ts';
import { rebuildIndicatorFacts } from '../../indicators/facts.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'reindex',
  usage: 'reindex [Type…]',
  summary: 'Rebuild the search index of every stored resource (or of the given types) and the indicator facts',
  async run(args) {
    const unknown = args.filter((a) => !isResourceType(a));
    if (unknown.length) {
      console.error(`Unknown resource type: ${unknown.join(', ')}`);
      return 2;
    }
    const types: readonly ResourceType[] = args.length ? (args as ResourceType[]) : RESOURCE_TYPES;
    const services = await createServices(loadConfig(), { log: (m) => console.error(m) });
    try {
      for (const type of types) {
        const started = Date.now();
        const n = await services.store.reindex(type, (done) => process.stderr.write(`\r${type}: ${done}`));
        if (n) process.stderr.write(`\r${type}: ${n} resources reindexed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
      // The indicator facts (generated columns, migration 099) are rewritten with each row: after a change of a
      // fact function they would otherwise keep the values computed at the last write.
      const started = Date.now();
      const counts = await rebuildIndicatorFacts(services.db);
      process.stderr.write(`indicator facts rebuilt (${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } finally {
      await services.close();
    }
  },
};
