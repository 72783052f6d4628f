import fs from 'node:fs';
import type { Issue } from '../../fhir/outcome.ts';
import { operationOutcome } from '../../fhir/outcome.ts';
import type { Resource } from '../../fhir/types.ts';
import { defaultIgDir, loadTerminologyFromFiles } from '../../terminology/terminology.ts';
import { validateResource } from '../../validation/index.ts';
import type { Command } from '../command.ts';

/**
 * `ror validate <file>…`: checks resources (JSON, Bundle or NDJSON) against the ROR profiles and the
 * NOS files, offline, without a database. Exit code 1 when a resource has errors.
 */
export const command: Command = {
  name: 'validate',
  summary: 'Validate FHIR resources (JSON, Bundle, NDJSON) against the ROR profiles and the NOS nomenclatures',
  usage: 'ror validate [--en] [--json] [--unchecked] <file.json|file.ndjson>…',
  async run(args) {
    const files = args.filter((a) => !a.startsWith('--'));
    const en = args.includes('--en');
    const json = args.includes('--json');
    if (!files.length) {
      console.error('Usage : ror validate [--en] [--json] [--unchecked] <fichier.json|fichier.ndjson>…');
      return 2;
    }
    const terminology = await loadTerminologyFromFiles(undefined, defaultIgDir());
    let failed = 0;
    let total = 0;
    for (const file of files) {
      let resources: { where: string; resource: Resource }[];
      try {
        resources = readResources(file);
      } catch (err) {
        console.error(`${file} : illisible (${(err as Error).message})`);
        failed++;
        continue;
      }
      for (const { where, resource } of resources) {
        total++;
        const issues = validateResource(resource, terminology, { reportUncheckedValueSets: args.includes('--unchecked') });
        const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
        if (errors.length) failed++;
        const name = `${where} ${resource.resourceType}/${resource.id ?? '(sans id)'}`;
        if (json) console.log(JSON.stringify({ resource: name, outcome: operationOutcome(issues) }));
        else print(name, issues, en);
      }
    }
    console.error(`${total} ressource(s) vérifiée(s), ${failed} en erreur`);
    return failed ? 1 : 0;
  },
};

/** The resources of a file: one JSON resource, the entries of a Bundle, or one resource per NDJSON line. */
function readResources(file: string): { where: string; resource: Resource }[] {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.ndjson')) {
    return text
      .split('\n')
      .map((line, i) => ({ line: line.trim(), n: i + 1 }))
      .filter((l) => l.line)
      .map((l) => ({ where: `${file}:${l.n}`, resource: JSON.parse(l.line) as Resource }));
  }
  const parsed = JSON.parse(text) as Resource;
  if (parsed.resourceType === 'Bundle' && Array.isArray(parsed.entry)) {
    return (parsed.entry as { resource?: Resource }[])
      .map((e, i) => ({ where: `${file}#entry[${i}]`, resource: e.resource }))
      .filter((e): e is { where: string; resource: Resource } => Boolean(e.resource));
  }
  return [{ where: file, resource: parsed }];
}

function print(name: string, issues: Issue[], en: boolean): void {
  if (!issues.length) {
    console.log(`✔ ${name}`);
    return;
  }
  const bad = issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
  console.log(`${bad ? '✖' : '⚠'} ${name}`);
  for (const i of issues) console.log(`  ${i.severity.padEnd(11)} ${i.expression ?? ''}\n              ${en ? i.en : i.fr}`);
}
