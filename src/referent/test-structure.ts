/**
 * A small, demo-like structure for the referent tests: two real Yvelines EHPAD imported from the FINESS
 * extract (EHPAD Le Clos Saint Jean, Gargenville — EJ 780001517; EHPAD Léopold Bellan, Mantes-la-Jolie), with
 * synthetic offers and places as the demo builds them (codes from the NOS files). The offers have no contact,
 * and one has no age range, so that their missing population criteria show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capacity, cc, communeCog, patientType, rorExt, SYSTEM } from '../demo/codes.ts';
import type { Resource } from '../fhir/types.ts';
import { importFiness } from '../ingest/finess/import-finess.ts';
import { DEP78 } from '../indicators/test-fixtures.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';

export const FIXTURE_CONTEXT: RequestContext = { actor: { id: 'referent-tests', kind: 'system' }, source: 'demo', validation: 'lenient' };

export const GARGENVILLE = { finess: '780001731', ej: 'finess-ej-780001517', eg: 'finess-eg-780001731', commune: ['78267', 'Gargenville'], lat: 48.976475, lon: 1.81051 } as const;
export const MANTES = { finess: '780018792', ej: 'finess-ej-750720609', eg: 'finess-eg-780018792', commune: ['78361', 'Mantes-la-Jolie'], lat: 48.994799, lon: 1.715301 } as const;

const REGION = { system: 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM', code: '11' };
const CREATED = { url: rorExt('ror-meta-creation-date'), valueDateTime: '2026-01-15T09:00:00+01:00' };
const ELDERLY = [{ code: '01', display: "Personnes âgées en perte d'autonomie (PA) et aidants" }];

function place(id: string, site: typeof GARGENVILLE | typeof MANTES, name: string, installed: number, available: number, at: string): Resource {
  return {
    resourceType: 'Location', id, meta: { tag: [REGION] },
    extension: [communeCog(site.commune[0], site.commune[1]), capacity('place', '01', installed, at), capacity('place', '02', available, at), CREATED],
    status: 'active',
    name,
    address: { line: ['3 avenue Victor Hugo'], postalCode: site.commune[0] === '78267' ? '78440' : '78200', city: site.commune[1] },
    position: { latitude: site.lat, longitude: site.lon },
    managingOrganization: { reference: `Organization/${site.eg}` },
  };
}

function offer(id: string, site: typeof GARGENVILLE | typeof MANTES, o: { name: string; activity: [string, string]; careMode: [string, string]; location: string; ages?: boolean }): Resource {
  return {
    resourceType: 'HealthcareService', id, meta: { tag: [REGION] },
    extension: [
      { url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: false },
      ...(o.ages === false ? [] : [patientType(ELDERLY, 60, 120)]),
      CREATED,
    ],
    identifier: [{ system: 'urn:ror:identifiant-offre', value: `11/${id}` }],
    active: true,
    providedBy: { reference: `Organization/${site.eg}` },
    type: [cc(SYSTEM.field, '04', 'Médico-social (MS)')],
    specialty: [cc(SYSTEM.activity, o.activity[0], o.activity[1])],
    location: [{ reference: `Location/${o.location}` }],
    name: o.name,
    characteristic: [cc(SYSTEM.careMode, o.careMode[0], o.careMode[1])],
  };
}

/** Places, offers of the two EHPAD (their capacities dated `at`). */
export function fixtureResources(at = '2026-11-20T08:00:00+01:00'): Resource[] {
  return [
    place('lieu-clos-hp', GARGENVILLE, 'Hébergement permanent — unité Les Tilleuls', 80, 2, at),
    place('lieu-clos-aj', GARGENVILLE, 'Accueil de jour', 10, 0, at),
    offer('offre-clos-hp', GARGENVILLE, { name: 'Hébergement permanent EHPAD Le Clos Saint Jean', activity: ['288', "Soins d'hygiène médicalisés"], careMode: ['46', 'Hébergement (accueil jour et nuit)'], location: 'lieu-clos-hp' }),
    offer('offre-clos-aj', GARGENVILLE, { name: 'Accueil de jour EHPAD Le Clos Saint Jean', activity: ['293', 'Accompagnements pour les actes de la vie quotidienne (AVQ)'], careMode: ['47', 'Accueil de jour'], location: 'lieu-clos-aj', ages: false }),
    place('lieu-bellan-hp', MANTES, 'Hébergement permanent', 90, 1, at),
    offer('offre-bellan-hp', MANTES, { name: 'Hébergement permanent EHPAD Léopold Bellan', activity: ['288', "Soins d'hygiène médicalisés"], careMode: ['46', 'Hébergement (accueil jour et nuit)'], location: 'lieu-bellan-hp' }),
  ];
}

/** Imports the two establishments from the real FINESS extract, then writes the offers and places, through `store`. */
export async function writeReferentFixture(store: ResourceStore): Promise<void> {
  const [header, ...rows] = fs.readFileSync(DEP78, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const kept = rows.filter((r) => r.startsWith(`${GARGENVILLE.finess};`) || r.startsWith(`${MANTES.finess};`));
  if (kept.length !== 2) throw new Error('FINESS rows of the referent fixture missing from the Yvelines extract');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-referent-'));
  try {
    const file = path.join(dir, 'finess-78.csv');
    fs.writeFileSync(file, [header, ...kept].join('\n') + '\n');
    await importFiness(store, file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await store.transaction(async (tx) => {
    for (const r of fixtureResources()) await tx.update(r, FIXTURE_CONTEXT);
  });
}
