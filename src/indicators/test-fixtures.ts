/**
 * Test fixtures of the indicators: real Yvelines establishments imported with the FINESS importer, the
 * authorisation fixture, and hand-built offers whose criteria are chosen one by one. Codes are real NOS
 * codes (TRE_R227, TRE_R211 via JDV_J17, TRE_R213, TRE_R244, JDV_J220, TRE_R287, TRE_R240).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import { CommuneIndex } from '../ingest/geo/commune-index.ts';
import { importFiness } from '../ingest/finess/import-finess.ts';
import { loadFinessNos } from '../ingest/finess/nos-reference.ts';
import { defaultFinessDir } from '../ingest/reference-data.ts';
import type { RequestContext } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { rorExt, tre } from '../validation/profiles/urls.ts';
import { importFinessAuthorisations } from './finess-authorisations.ts';

export const AUTHORISATIONS_FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'testdata/finess-authorisations-78.csv');
export const DEP78 = path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv');
export const TEST_CONTEXT: RequestContext = { actor: { id: 'test:indicators', kind: 'system' }, source: 'cli', validation: 'lenient' };

/** Imports the given real rows of the Yvelines extract (flat FINESS CSV) and the authorisation fixture. */
export async function importYvelines(db: Database, finess: string[]): Promise<ResourceStore> {
  const [header, ...rows] = fs.readFileSync(DEP78, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const kept = rows.filter((r) => finess.includes(r.slice(0, 9)));
  if (kept.length !== finess.length) throw new Error(`FINESS absent de l'extrait : ${finess.filter((f) => !kept.some((r) => r.startsWith(f))).join(', ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-indicators-'));
  const file = path.join(dir, 'finess-78.csv');
  fs.writeFileSync(file, [header, ...kept].join('\n') + '\n');
  const store = new ResourceStore(db);
  try {
    await importFiness(store, file, { communes: CommuneIndex.load(), nos: loadFinessNos() });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await importFinessAuthorisations(db, AUTHORISATIONS_FIXTURE);
  return store;
}

const cc = (system: string, code: string) => ({ coding: [{ system, code }] });

export interface OfferSpec {
  id: string;
  /** Organization id of the provider (site or internal unit). */
  provider: string;
  /** TRE_R227 code (01 MCO, 02 SMR, 03 PSY, 04 MS); omitted = criterion 1 missing. */
  field?: string;
  /** TRE_R244 code (catégorie d'organisation). */
  organisationCategory?: string;
  /** TRE_R211 code. */
  activity?: string;
  /** Several activities. */
  activities?: string[];
  /** TRE_R213 code. */
  careMode?: string;
  ages?: [number, number] | [number, undefined];
  /** Location id whose address is the offer's. */
  location?: string;
  /** Contact: JDV_J220 function code, and whether its telecom is complete. */
  contact?: { function?: string; purpose?: string; telecomComplete: boolean };
  /** TRE_R240 temporalité d'accueil. */
  receptionType?: string;
  /** TRE_R253 TypeMaternite. */
  maternityType?: string;
  name?: string;
  active?: boolean;
  sensitive?: boolean;
  region?: string;
}

/** Everything filled: the seven criteria met (catégorie d'organisation too). */
export function complete(id: string, provider: string, field: string, activity: string, careMode: string, location: string): OfferSpec {
  return { id, provider, field, activity, careMode, ages: [18, 99], location, contact: { function: '01', telecomComplete: true }, organisationCategory: '28' };
}

export function offer(s: OfferSpec): Resource {
  const ext: Record<string, unknown>[] = [{ url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: !!s.sensitive }];
  if (s.ages) {
    ext.push({
      url: rorExt('ror-healthcareservice-patient-type'),
      extension: [{ url: 'ageRange', valueRange: { low: { value: s.ages[0] }, ...(s.ages[1] !== undefined ? { high: { value: s.ages[1] } } : {}) } }],
    });
  }
  if (s.contact) {
    const sub: Record<string, unknown>[] = [{ url: rorExt('ror-confidentiality-level'), valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), '1') }];
    if (s.contact.function) sub.push({ url: rorExt('ror-function-contact'), valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.250.1.213.3.3.48', code: s.contact.function }] } });
    if (s.contact.purpose) sub.push({ url: 'purposeContact', valueCodeableConcept: cc(tre('R287-NatureContact'), s.contact.purpose) });
    sub.push({
      url: rorExt('ror-healthcareservice-contact-telecom'),
      extension: [
        { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(tre('R200-CanalCommunication'), '2') },
        ...(s.contact.telecomComplete ? [{ url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), '1') }] : []),
        { url: 'telecomAddress', valueString: '0130000000' },
      ],
    });
    ext.push({ url: rorExt('ror-healthcareservice-contact'), extension: sub });
  }
  const characteristic = [
    ...(s.careMode ? [cc(tre('R213-ModePriseEnCharge'), s.careMode)] : []),
    ...(s.receptionType ? [cc(tre('R240-TemporaliteAccueil'), s.receptionType)] : []),
    ...(s.maternityType ? [cc(tre('R253-TypeMaternite'), s.maternityType)] : []),
  ];
  const activities = s.activities ?? (s.activity ? [s.activity] : []);
  return {
    resourceType: 'HealthcareService',
    id: s.id,
    meta: { tag: [{ system: tre('R30-RegionOM'), code: s.region ?? '11' }] },
    extension: ext,
    identifier: [{ system: 'urn:ror:identifiant-offre', value: s.id }],
    active: s.active ?? true,
    providedBy: { reference: `Organization/${s.provider}` },
    ...(s.organisationCategory ? { category: [cc(tre('R244-CategorieOrganisation'), s.organisationCategory)] } : {}),
    ...(s.field ? { type: [cc(tre('R227-ChampActivite'), s.field)] } : {}),
    ...(activities.length ? { specialty: activities.map((a) => cc(tre('R211-ActiviteOperationnelle'), a)) } : {}),
    ...(s.location ? { location: [{ reference: `Location/${s.location}` }] } : {}),
    ...(s.name ? { name: s.name } : {}),
    ...(characteristic.length ? { characteristic } : {}),
  };
}

export async function writeAll(store: ResourceStore, resources: Resource[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const r of resources) await tx.update(r, TEST_CONTEXT);
  });
}

/** An internal unit (OI) under a site: TRE_R207 type (3 UF, 4 UE…). */
export function internalUnit(id: string, siteId: string, type: string, name: string): Resource {
  return {
    resourceType: 'Organization',
    id,
    meta: { tag: [{ system: tre('R30-RegionOM'), code: '11' }] },
    type: [cc(tre('R207-TypeOrganisationInterne'), type)],
    name,
    partOf: { reference: `Organization/${siteId}` },
  };
}
