/**
 * Small real test data for search: FINESS Yvelines establishments (EJ, EG, place, offer) with
 * real NOS codes taken from the value sets (cycled deterministically), COG communes from the
 * centroid file. Not synthetic names or codes: only the combination is made up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../../fhir/types.ts';
import { REGION_TAG_SYSTEM } from '../../fhir/resource-types.ts';
import { loadTerminologyFromFiles } from '../../terminology/terminology.ts';
import { communesCsvPath, parseCommunes, type Commune } from '../geo/communes.ts';
import { normalizeText } from '../extract/normalize.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FINESS_78 = path.resolve(REPO_ROOT, '../shared/data/finess/finess-etablissements-20210108-wgs84-dep78.csv');

const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const NOS = (id: string) => `https://mos.esante.gouv.fr/NOS/${id}/FHIR/${id.replace('_', '-')}`;
export const SYS = {
  activity: NOS('TRE_R211-ActiviteOperationnelle'),
  careMode: NOS('TRE_R213-ModePriseEnCharge'),
  field: NOS('TRE_R227-ChampActivite'),
  audience: NOS('TRE_R239-PublicPrisEnCharge'),
  capacityStatus: NOS('TRE_R330-TypeStatutCapacite'),
  capacityType: NOS('TRE_R329-NatureCapacite'),
  categoryEG: NOS('TRE_R66-CategorieEtablissement'),
  commune: NOS('TRE_R13-CommuneOM'),
  departement: NOS('TRE_G09-DepartementOM'),
  region: REGION_TAG_SYSTEM,
  finess: 'https://finess.esante.gouv.fr',
  offer: 'https://ror.esante.gouv.fr/identifiant-offre',
  rpps: 'urn:oid:1.2.250.1.71.4.2.1',
};

export interface FinessRow {
  nofinesset: string; nofinessej: string; rs: string; code_postal: string; ville: string;
  categetab: string; libcategetab: string; latitude: string; longitude: string; dateouv: string;
}

export function readFinessYvelines(): FinessRow[] {
  const lines = fs.readFileSync(FINESS_78, 'utf8').split(/\r?\n/).filter(Boolean);
  const header = lines[0].split(';');
  return lines.slice(1).map((l) => {
    const f = l.split(';');
    return Object.fromEntries(header.map((h, i) => [h, f[i] ?? ''])) as unknown as FinessRow;
  });
}

function communeOf(row: FinessRow, communes: Commune[]): Commune | undefined {
  const ville = row.ville.replace(/\s+CEDEX.*$/, '').replace(/\bST\b/g, 'SAINT').replace(/\bSTE\b/g, 'SAINTE');
  const key = (s: string) => normalizeText(s).replace(/[-' ]/g, '');
  const byName = communes.filter((c) => c.departement === row.nofinesset.slice(0, 2) && key(c.name) === key(ville));
  const byPostal = communes.filter((c) => c.postalCodes.includes(row.code_postal));
  return byName.find((c) => byPostal.includes(c)) ?? byName[0] ?? byPostal[0];
}

export interface Fixture {
  resources: Resource[];
  /** The FINESS rows used, in order (index i ↔ ids `eg-…`, `loc-…`, `hs-…`). */
  rows: FinessRow[];
  communes: Map<string, Commune>;
}

/** Builds `count` establishments (every `step`-th geolocated row of the Yvelines file). */
export async function buildYvelinesFixture(count = 30, step = 47): Promise<Fixture> {
  const terminology = await loadTerminologyFromFiles();
  const members = (jdv: string) => {
    const url = terminology.valueSetUrls().find((u) => u.includes(`/${jdv}-`));
    if (!url) throw new Error(`value set ${jdv} not loaded`);
    return terminology.valueSet(url)!.members;
  };
  const activities = members('JDV_J17').slice(0, 12);
  const careModes = members('JDV_J19').slice(0, 4);
  const fields = members('JDV_J20');
  const audiences = members('JDV_J29');
  const statuses = members('JDV_J188');
  const capTypes = members('JDV_J187');
  const allCommunes = parseCommunes(fs.readFileSync(communesCsvPath(), 'utf8'));
  // Rows whose town has merged since 2021 (no COG 2026 commune of that name or postcode) are skipped.
  const rows = readFinessYvelines().filter((r) => r.latitude && r.longitude).filter((_, i) => i % step === 0)
    .filter((r) => communeOf(r, allCommunes)).slice(0, count);
  const resources: Resource[] = [];
  const ejs = new Set<string>();
  const communes = new Map<string, Commune>();
  const tag = [{ system: SYS.region, code: '11' }];
  rows.forEach((row, i) => {
    const commune = communeOf(row, allCommunes);
    if (!commune) throw new Error(`no commune for ${row.code_postal} ${row.ville}`);
    communes.set(row.nofinesset, commune);
    if (!ejs.has(row.nofinessej)) {
      ejs.add(row.nofinessej);
      resources.push({
        resourceType: 'Organization', id: `ej-${row.nofinessej}`, meta: { tag },
        identifier: [{ system: SYS.finess, value: row.nofinessej }],
        name: `Entité juridique ${row.nofinessej}`,
      });
    }
    resources.push({
      resourceType: 'Organization', id: `eg-${row.nofinesset}`, meta: { tag },
      identifier: [{ system: SYS.finess, value: row.nofinesset }],
      type: [{ coding: [{ system: SYS.categoryEG, code: row.categetab, display: row.libcategetab }] }],
      name: row.rs,
      address: [{ postalCode: row.code_postal, city: row.ville }],
      partOf: { reference: `Organization/ej-${row.nofinessej}` },
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/organization-period', valuePeriod: { start: row.dateouv } }],
    });
    const status = statuses[i % statuses.length];
    const capType = capTypes[i % capTypes.length];
    resources.push({
      resourceType: 'Location', id: `loc-${row.nofinesset}`, meta: { tag },
      name: row.rs,
      address: { postalCode: row.code_postal, city: commune.name },
      position: { latitude: Number(row.latitude), longitude: Number(row.longitude) },
      managingOrganization: { reference: `Organization/eg-${row.nofinesset}` },
      extension: [
        { url: `${SD}ror-commune-cog`, valueCodeableConcept: { coding: [{ system: SYS.commune, code: commune.cog, display: commune.name }] } },
        {
          url: `${SD}ror-location-supported-capacity`,
          extension: [
            { url: 'capacityType', valueCodeableConcept: { coding: [{ system: SYS.capacityType, code: capType.code, display: capType.display }] } },
            { url: 'capacityStatus', valueCodeableConcept: { coding: [{ system: SYS.capacityStatus, code: status.code, display: status.display }] } },
            { url: 'nbCapacity', valueInteger: i % 4 },
            { url: 'capacityUpdateDate', valueDateTime: `2024-0${1 + (i % 9)}-1${i % 10}T10:00:00+01:00` },
          ],
        },
      ],
    });
    const activity = activities[i % activities.length];
    const zone = i % 3 === 0 ? { system: SYS.commune, code: commune.cog } : i % 3 === 1 ? { system: SYS.departement, code: '78' } : { system: SYS.region, code: '11' };
    resources.push({
      resourceType: 'HealthcareService', id: `hs-${row.nofinesset}`, meta: { tag },
      identifier: [{ system: SYS.offer, value: `78-${row.nofinesset}-1` }],
      name: `${row.rs} - ${activity.display}`,
      providedBy: { reference: `Organization/eg-${row.nofinesset}` },
      location: [{ reference: `Location/loc-${row.nofinesset}` }],
      type: [{ coding: [{ system: SYS.field, code: fields[i % fields.length].code, display: fields[i % fields.length].display }] }],
      specialty: [{ coding: [{ system: SYS.activity, code: activity.code, display: activity.display }] }],
      characteristic: [{ coding: [{ system: SYS.careMode, code: careModes[i % careModes.length].code, display: careModes[i % careModes.length].display }] }],
      extension: [
        {
          url: `${SD}ror-healthcareservice-patient-type`,
          extension: [
            { url: 'supportedPatientInfo', valueCodeableConcept: { coding: [{ system: SYS.audience, code: audiences[i % audiences.length].code, display: audiences[i % audiences.length].display }] } },
            { url: 'ageRange', valueRange: { low: { value: (i % 4) * 6, unit: 'a' }, high: { value: 18 + (i % 5) * 20, unit: 'a' } } },
          ],
        },
        { url: `${SD}ror-territorial-division`, extension: [{ url: 'codeTerritorialDivision', valueCodeableConcept: { coding: [zone] } }] },
      ],
    });
  });
  return { resources, rows, communes };
}
