import fs from 'node:fs';
import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { importFiness, type FinessImportProgress, type FinessImportReport } from '../../ingest/finess/import-finess.ts';
import type { FinessFormat } from '../../ingest/finess/input.ts';
import type { Command } from '../command.ts';

function progressLine(p: FinessImportProgress): string {
  const width = 24;
  const done = Math.round(p.fraction * width);
  return `[${'='.repeat(done)}${' '.repeat(width - done)}] ${Math.round(p.fraction * 100)} % · lus ${p.read} · créés ${p.created} · modifiés ${p.updated} · inchangés ${p.unchanged} · rejetés ${p.rejected} · ${p.resourcesPerSecond} ressources/s`;
}

function printReport(r: FinessImportReport): void {
  const out = [
    `Import FINESS ${r.dryRun ? '(simulation, rien n\'est écrit) ' : ''}de ${r.file} — format ${r.format}${r.encoding ? `, encodage ${r.encoding}` : ''}${r.snapshotDate ? `, extraction du ${r.snapshotDate}` : ''}`,
    `  lignes lues       ${r.read}`,
    `  établissements    ${r.establishments}`,
    `  ressources créées ${r.created}, modifiées ${r.updated}, inchangées ${r.unchanged}`,
    `  fermés            ${r.closed}`,
    `  champs de référent conservés ${r.referentFieldsKept}`,
    `  rejetés           ${r.rejected}`,
    ...r.rejectedLines.slice(0, 50).map((p) => `    ligne ${p.line}${p.nofinesset ? ` (${p.nofinesset})` : ''} : ${p.fr}`),
    ...(r.rejectedLines.length > 50 ? [`    … et ${r.rejectedLines.length - 50} autres`] : []),
    `  validation ROR    ${r.validation.mode === 'all' ? 'chaque ressource' : `échantillon : ${r.validation.validated} validées, ${r.validation.skipped} non tirées, ${r.validation.failed} en erreur`}`,
    ...r.validation.failures.map((f) => `    ${f}`),
    `  avertissements    ${r.warningCount}`,
    ...r.warnings.slice(0, 20).map((p) => `    ligne ${p.line}${p.nofinesset ? ` (${p.nofinesset})` : ''} : ${p.fr}`),
    `  durée ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.resourcesPerSecond} ressources/s`,
  ];
  console.log(out.join('\n'));
}

/**
 * `ror import finess <file> [--dry-run] [--no-close] [--format …] [--batch-size n] [--validate sample|all] [--json]`. Establishments of the
 * file's départements that it no longer lists are closed, unless `--no-close` (partial extracts).
 */
export const command: Command = {
  name: 'import-finess',
  summary: 'Import FINESS establishments (etalab CSV, FHIR ndjson or flat CSV; gzip accepted) as EJ/EG Organizations and Locations',
  usage: 'ror import finess <file> [--dry-run] [--no-close] [--format etalab|ndjson|flat] [--batch-size n] [--validate sample|all] [--json]',
  async run(args) {
    const dryRun = args.includes('--dry-run');
    const json = args.includes('--json');
    const bi = args.indexOf('--batch-size');
    const batchSize = bi >= 0 ? Number(args[bi + 1]) : undefined;
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
      console.error('--batch-size attend un entier positif');
      return 2;
    }
    const fi = args.indexOf('--format');
    const format = fi >= 0 ? (args[fi + 1] as FinessFormat | undefined) : undefined;
    if (format !== undefined && !['etalab', 'ndjson', 'flat'].includes(format)) {
      console.error('Format inconnu : etalab, ndjson ou flat');
      return 2;
    }
    const vi = args.indexOf('--validate');
    const validate = vi >= 0 ? args[vi + 1] : undefined;
    if (validate !== undefined && validate !== 'all' && validate !== 'sample') {
      console.error('--validate attend all (chaque ressource) ou sample (échantillon, par défaut)');
      return 2;
    }
    const file = args.find((a, i) => !a.startsWith('--') && (fi < 0 || i !== fi + 1) && (bi < 0 || i !== bi + 1) && (vi < 0 || i !== vi + 1));
    if (!file) {
      console.error('Usage : ror import finess <fichier> [--dry-run] [--format etalab|ndjson|flat] [--json]');
      return 2;
    }
    if (!fs.existsSync(file)) {
      console.error(`Fichier introuvable : ${file}`);
      return 2;
    }
    const services = await createServices(loadConfig(), { log: (m) => console.error(m) });
    const tty = process.stderr.isTTY;
    try {
      const report = await importFiness(services.store, file, {
        format,
        dryRun,
        batchSize,
        validate,
        // A partial extract (a radius, a sample) does not tell what closed: nothing is closed.
        closeMissing: !args.includes('--no-close'),
        onProgress: (p) => process.stderr.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`),
      });
      if (tty) process.stderr.write('\n');
      if (json) console.log(JSON.stringify(report));
      else printReport(report);
      return 0;
    } finally {
      await services.close();
    }
  },
};
