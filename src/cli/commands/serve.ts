import { buildApp } from '../../api/app.ts';
import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { isEmptyDirectory, loadDemo } from '../../demo/load-demo.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'serve',
  summary: 'Start the server: FHIR API at /fhir and the web app at / (PORT, DATABASE_URL, ROR_DATA_DIR)',
  async run() {
    const config = loadConfig();
    const services = await createServices(config, { log: (m) => console.error(m) });
    // First start of an empty embedded database: the demo dataset, unless ROR_DEMO=0.
    if (config.demo && !config.databaseUrl && (await isEmptyDirectory(services.db))) {
      await loadDemo(services.store, { log: (m) => console.error(m) });
    }
    const app = await buildApp(services, { logger: { level: config.logLevel } });
    const close = async () => {
      await app.close();
      await services.close();
      process.exit(0);
    };
    process.once('SIGINT', close);
    process.once('SIGTERM', close);
    await app.listen({ port: config.port, host: config.host });
    console.error(`ROR server on http://localhost:${config.port} (${services.db.kind}${config.databaseUrl ? '' : ` in ${config.dataDir}`})`);
    await new Promise(() => undefined);
  },
};
