/**
 * The IG queries the search benchmarks send (ror-ig.md §3.2–3.4): the NOS systems they use, the IG include set, and
 * the request paths of the coordinator and incremental-sync queries. Shared by bench/search.ts and
 * bench/request-statements.ts so that both measure the same requests.
 */
import path from 'node:path';
import { CommuneDirectory } from '../src/geo/commune-directory.ts';
import { geoDataDir } from '../src/geo/shared-data.ts';

export const nos = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;
export const R211 = nos('TRE_R211-ActiviteOperationnelle');
export const R239 = nos('TRE_R239-PublicPrisEnCharge');
export const R227 = nos('TRE_R227-ChampActivite');
export const R330 = nos('TRE_R330-TypeStatutCapacite');
export const RPPS = 'urn:oid:1.2.250.1.71.4.2.1';
export const INCLUDES = '_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location'
  + '&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner';

const enc = encodeURIComponent;

/** Coordinator query: activity 339 + patient type 07 within 30 km of a commune, with the IG include set. */
export const coordinatorPath = (cog: string) => `/fhir/HealthcareService?specialty=${enc(`${R211}|339`)}&patient-type=${enc(`${R239}|07`)}`
  + `&location.near-insee-code=${cog}|30|km&_count=20&${INCLUDES}`;

/** Incremental sync: the offers changed since an instant, with the IG include set. */
export const syncPath = (sinceIso: string) => `/fhir/HealthcareService?_lastUpdated=ge${enc(sinceIso)}&_count=200&${INCLUDES}`;

/** The communes of a région (COG), in the centroid file's order. */
export function regionCommunes(region: string): string[] {
  const directory = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
  return directory.all().filter((c) => c.region === region).map((c) => c.code);
}
