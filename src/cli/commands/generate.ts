import { parseArgs } from 'node:util';
import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { generate, type Scale } from '../../generate/generate.ts';
import type { Command } from '../command.ts';

/**
 * `ror generate --scale national|region [--region <code>] [--seed n] [--fraction f] [--validate sample|all] [--skip-finess] [--dry-run]`:
 * synthetic ROR data at national scale on the real FINESS establishments and COG communes (src/generate).
 */
export const command: Command = {
  name: 'generate',
  summary: 'Generate a national-scale synthetic ROR (real FINESS sites and COG communes, synthetic offers, places, professionals)',
  usage: 'ror generate --scale national|region [--region <TRE_R30 code>] [--seed n] [--fraction 0..1] [--batch-size n] [--validate sample|all] [--concurrency n] [--skip-finess] [--dry-run]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        scale: { type: 'string' },
        region: { type: 'string' },
        seed: { type: 'string' },
        fraction: { type: 'string' },
        'batch-size': { type: 'string' },
        validate: { type: 'string' },
        concurrency: { type: 'string' },
        'skip-finess': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    });
    const scale = values.scale as Scale | undefined;
    if (scale !== 'national' && scale !== 'region') {
      console.error('usage: ' + this.usage);
      return 2;
    }
    const opts = {
      scale,
      region: values.region,
      seed: values.seed !== undefined ? Number(values.seed) : undefined,
      fraction: values.fraction !== undefined ? Number(values.fraction) : undefined,
      batchSize: values['batch-size'] !== undefined ? Number(values['batch-size']) : undefined,
      validate: values.validate as 'all' | 'sample' | undefined,
      concurrency: values.concurrency !== undefined ? Number(values.concurrency) : undefined,
      skipFiness: values['skip-finess'],
      dryRun: values['dry-run'],
      log: (m: string) => console.error(m),
    };
    if (opts.dryRun) {
      console.log(JSON.stringify(await generate(null, opts), null, 2));
      return;
    }
    const services = await createServices(loadConfig(), { log: (m) => console.error(m) });
    try {
      console.log(JSON.stringify(await generate(services.store, opts), null, 2));
    } finally {
      await services.close();
    }
  },
};
