import type { Command } from '../command.ts';

/** Every `ror` sub-command. Each lives in its own module; add a line here to register one. */
export async function loadCommands(): Promise<Command[]> {
  const modules = await Promise.all([
    import('./serve.ts'),
    import('./migrate.ts'),
    import('./demo.ts'),
    import('./reindex.ts'),
    import('./import-nos.ts'),
    import('./import-finess.ts'),
    import('./import-rpps.ts'),
    import('./import-finess-authorisations.ts'),
    import('./indicators.ts'),
    import('./validate.ts'),
    import('./user.ts'),
    import('./app.ts'),
    import('./audit.ts'),
    import('./sync.ts'),
    import('./reminders.ts'),
    import('./generate.ts'),
  ]);
  return modules.map((m) => m.command);
}
