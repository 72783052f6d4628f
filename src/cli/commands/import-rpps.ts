import fs from 'node:fs';
import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { importRpps } from '../../ingest/rpps/import-rpps.ts';
import { importSavoirFaire } from '../../ingest/rpps/import-savoir-faire.ts';
import { firstLine, isSavoirFaireHeader } from '../../ingest/rpps/savoir-faire-reader.ts';
import type { Command } from '../command.ts';

/**
 * `ror import rpps <file> [--dry-run] [--validate sample|all] [--json]`: the public Annuaire Santé extraction
 * (PS_LibreAcces_Personne_activite; or PS_LibreAcces_SavoirFaire, recognised by its header).
 */
export const command: Command = {
  name: 'import-rpps',
  summary: 'Import professionals from the Annuaire Santé extraction (PS_LibreAcces_Personne_activite): Practitioner, PractitionerRole, practice places, draft city offers; PS_LibreAcces_SavoirFaire: savoir-faire of the roles',
  usage: 'ror import rpps <file> [--dry-run] [--validate sample|all] [--json]',
  async run(args) {
    const vi = args.indexOf('--validate');
    const validate = vi >= 0 ? args[vi + 1] : undefined;
    if (validate !== undefined && validate !== 'all' && validate !== 'sample') {
      console.error('--validate attend all (chaque ressource) ou sample (échantillon, par défaut)');
      return 2;
    }
    const file = args.find((a, i) => !a.startsWith('--') && (vi < 0 || i !== vi + 1));
    if (!file || !fs.existsSync(file)) {
      console.error(file ? `Fichier introuvable : ${file}` : 'Usage : ror import rpps <fichier> [--dry-run] [--json]');
      return 2;
    }
    const services = await createServices(loadConfig(), { log: (m) => console.error(m) });
    try {
      // The SavoirFaire file (savoir-faire of the roles already imported) is told by its header.
      const importer = isSavoirFaireHeader(await firstLine(file)) ? importSavoirFaire : importRpps;
      const r = await importer(services.store, file, {
        dryRun: args.includes('--dry-run'),
        validate,
        onProgress: (p) =>
          process.stderr.write(`[${'='.repeat(Math.round(p.fraction * 24)).padEnd(24)}] ${Math.round(p.fraction * 100)} % · lus ${p.read} · créés ${p.created} · modifiés ${p.updated} · inchangés ${p.unchanged} · rejetés ${p.rejected} · ${p.resourcesPerSecond} ressources/s\n`),
      });
      if (args.includes('--json')) console.log(JSON.stringify(r));
      else {
        console.log(
          [
            `Import RPPS ${r.dryRun ? "(simulation, rien n'est écrit) " : ''}de ${r.file}`,
            `  lignes lues ${r.read}, activités ${r.activities}, professionnels ${r.practitioners}`,
            `  ressources créées ${r.created}, modifiées ${r.updated}, inchangées ${r.unchanged}`,
            `  champs de référent conservés ${r.referentFieldsKept}`,
            `  rejetés ${r.rejected}`,
            `  validation ROR ${r.validation.mode === 'all' ? 'chaque ressource' : `échantillon : ${r.validation.validated} validées, ${r.validation.skipped} non tirées, ${r.validation.failed} en erreur`}`,
            ...r.validation.failures.map((f) => `    ${f}`),
            ...r.rejectedLines.slice(0, 50).map((p) => `    ligne ${p.line} : ${p.fr}`),
            `  avertissements ${r.warningCount}`,
            ...r.warnings.slice(0, 20).map((p) => `    ligne ${p.line} : ${p.fr}`),
            `  durée ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.resourcesPerSecond} ressources/s`,
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};
