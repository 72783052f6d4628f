import { parseArgs } from 'node:util';
import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { publishMeasures } from '../../indicators/measures.ts';
import { takePopulationSnapshot, takeQualitySnapshot } from '../../indicators/snapshots.ts';
import fs from 'node:fs';
import { toXlsx } from '../../indicators/xlsx.ts';
import { deviations, formatRows, segurRows, populationView, POPULATION_KEYS, QUALITY_KEYS, qualityView, type PopulationKey, type QualityKey } from '../../indicators/views.ts';
import { RULE_CODES_LIST, type RuleCode } from '../../indicators/quality.ts';
import { segurObjectives } from '../../indicators/segur.ts';
import type { Command } from '../command.ts';

const USAGE = `ror indicators [--region R] [--format table|csv|json|xlsx] [--out fichier] [--quality] [--by k1,k2] [--snapshot] [--date AAAA-MM-JJ] [--rule CODE] [--deviations]
  (défaut)       taux de peuplement par région × champ, calculés maintenant
  --by           regroupement : ${POPULATION_KEYS.join(', ')} (qualité : ${QUALITY_KEYS.join(', ')})
  --quality      exigences qualité (conformité = 1 − écarts / périmètre)
  --deviations   liste des écarts, objet par objet, avec leur motif
  --segur        objectifs SEGUR de peuplement (2.3d) par région × champ et reste à faire
  --snapshot     enregistre les instantanés (peuplement du trimestre, qualité de la semaine de --date) et publie Measure / MeasureReport
  --source snapshot  lit le dernier instantané au lieu de calculer
  --format xlsx  classeur Excel, écrit dans le fichier --out (obligatoire) ; --out écrit aussi CSV et JSON dans un fichier`;

/** `ror indicators`: population and quality indicators in the terminal. */
export const command: Command = {
  name: 'indicators',
  summary: 'Population and quality indicators (ROR definitions): table, CSV or JSON; snapshots and FHIR MeasureReports',
  usage: USAGE,
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          region: { type: 'string' }, format: { type: 'string', default: 'table' }, quality: { type: 'boolean' }, by: { type: 'string' },
          snapshot: { type: 'boolean' }, date: { type: 'string' }, rule: { type: 'string' }, deviations: { type: 'boolean' }, segur: { type: 'boolean' }, source: { type: 'string', default: 'live' }, out: { type: 'string' },
        },
      }));
    } catch (err) {
      console.error(`${(err as Error).message}\nUsage : ${USAGE}`);
      return 2;
    }
    const format = values.format as 'table' | 'csv' | 'json' | 'xlsx';
    if (format === 'xlsx' && !values.out) {
      console.error(`--format xlsx écrit un fichier : précisez --out fichier.xlsx\nUsage : ${USAGE}`);
      return 2;
    }
    if (!['table', 'csv', 'json', 'xlsx'].includes(format) || !['live', 'snapshot'].includes(values.source!)
      || (values.date && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) || (values.region && !/^\d{2}$/.test(values.region))) {
      console.error(`Option invalide.\nUsage : ${USAGE}`);
      return 2;
    }
    const rules = values.rule?.split(',') as RuleCode[] | undefined;
    if (rules?.some((r) => !RULE_CODES_LIST.includes(r))) {
      console.error(`Exigence inconnue : ${values.rule} (possibles : ${RULE_CODES_LIST.join(', ')})`);
      return 2;
    }
    const services = await createServices(loadConfig(), { log: (m) => console.error(m) });
    try {
      const db = services.db;
      if (values.snapshot) {
        const pop = await takePopulationSnapshot(db, { day: values.date });
        const qual = await takeQualitySnapshot(db, { day: values.date });
        const written = [...(await publishMeasures(services.store, pop)), ...(await publishMeasures(services.store, qual))];
        const out = { population: pop, quality: qual, fhir: written };
        if (format === 'json') console.log(JSON.stringify(out, null, 2));
        else console.log(`Instantané peuplement n° ${pop.id} au ${pop.referenceDate}, qualité n° ${qual.id} au ${qual.referenceDate} ; ${written.length} ressources FHIR publiées.`);
        return 0;
      }
      const base = { region: values.region, referenceDate: values.date, source: values.source as 'live' | 'snapshot' };
      let rows: Record<string, unknown>[];
      let payload: unknown;
      if (values.segur) {
        const lines = await segurObjectives(db, { region: values.region, referenceDate: values.date });
        rows = segurRows(lines);
        payload = { lines };
      } else if (values.deviations) {
        rows = (await deviations(db, { ...base, rules })) as unknown as Record<string, unknown>[];
        payload = { deviations: rows };
      } else if (values.quality) {
        const by = (values.by?.split(',') ?? ['rule', 'region']) as QualityKey[];
        const view = await qualityView(db, by, { ...base, rules });
        rows = view.rows as unknown as Record<string, unknown>[];
        payload = view;
      } else {
        const by = (values.by?.split(',') ?? ['region', 'field']) as PopulationKey[];
        if (by.some((k) => !POPULATION_KEYS.includes(k))) {
          console.error(`Regroupement inconnu : ${values.by}`);
          return 2;
        }
        const view = await populationView(db, by, base);
        rows = view.rows as unknown as Record<string, unknown>[];
        payload = view;
      }
      const name = values.segur ? 'Objectifs SEGUR' : values.deviations ? 'Écarts' : values.quality ? 'Qualité' : 'Peuplement';
      if (format === 'xlsx') {
        fs.writeFileSync(values.out!, await toXlsx([{ name, rows }]));
        console.error(`${rows.length} lignes écrites dans ${values.out}`);
        return 0;
      }
      const text = format === 'json' ? JSON.stringify(payload, null, 2) : formatRows(rows, format);
      if (values.out) fs.writeFileSync(values.out, format === 'csv' ? `\uFEFF${text}\n` : `${text}\n`);
      else console.log(text);
      return 0;
    } finally {
      await services.close();
    }
  },
};
