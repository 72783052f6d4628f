import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { staleAfterDays } from '../../referent/freshness.ts';
import { listReminderRuns, runReminders } from '../../referent/reminders.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'reminders',
  usage: 'reminders [--list] [--json]',
  summary: 'Send the freshness reminder digest to every referent with stale data (or list the past runs)',
  async run(args) {
    const unknown = args.filter((a) => a !== '--list' && a !== '--json');
    if (unknown.length) {
      console.error(`Unknown option: ${unknown.join(' ')}`);
      return 2;
    }
    const config = loadConfig();
    const services = await createServices(config, { log: (m) => console.error(m) });
    try {
      const runs = args.includes('--list')
        ? await listReminderRuns(services.db, 20)
        : [await runReminders(services.db, {
          mailer: services.mailer,
          staleAfterDays: staleAfterDays(),
          baseUrl: config.baseUrl ? config.baseUrl.replace(/\/fhir\/?$/, '') : `http://localhost:${config.port}`,
          trigger: 'cli',
        })];
      if (args.includes('--json')) console.log(JSON.stringify(runs, null, 2));
      else for (const r of runs) {
        console.log(`${r.startedAt}  ${r.trigger.padEnd(8)} ${r.status.padEnd(7)} referents=${r.referents} stale=${r.staleItems} emails=${r.emailsSent}${r.error ? `  error: ${r.error}` : ''}`);
      }
      return runs.some((r) => r.status === 'failed') && !args.includes('--list') ? 1 : 0;
    } finally {
      await services.close();
    }
  },
};
