import { loadCommands } from './commands/index.ts';

/** `ror <command> [args…]`: dispatches to the registered sub-commands. `ror import <kind>` = `ror import-<kind>`. */
async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  let [name, ...args] = argv;
  if (name === 'import' && args[0]) {
    name = `import-${args[0]}`;
    args = args.slice(1);
  }
  const command = commands.find((c) => c.name === name);
  if (!name || name === 'help' || name === '--help' || !command) {
    if (name && name !== 'help' && name !== '--help') console.error(`Unknown command: ${name}\n`);
    console.log('Usage: ror <command> [options]\n\nCommands:');
    for (const c of commands) console.log(`  ${(c.usage ?? c.name).padEnd(44)} ${c.summary}`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  return (await command.run(args)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
