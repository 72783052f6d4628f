import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { loadDemo } from '../../demo/load-demo.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'demo',
  summary: 'Load the demo dataset (FINESS Yvelines and neighbours, synthetic offers, kinés and sages-femmes)',
  async run() {
    const services = await createServices(loadConfig(), { log: (m) => console.error(m) });
    try {
      const report = await loadDemo(services.store, { log: (m) => console.error(m) });
      console.log(JSON.stringify(report, null, 2));
    } finally {
      await services.close();
    }
  },
};
