import readline from 'node:readline';
import { openBytes, type ReadProgress } from './input.ts';
import { field, undoCsvQuoting, isOverseas, type FinessEstablishment, type FinessReadItem } from './establishment.ts';

/**
 * Reader of the FHIR ndjson conversion of the FINESS extract (`finess-fhir-etablissements-*.ndjson.gz`,
 * data/README.md §1a): one Organization line per ET, followed by its `<id>-loc` Location line.
 * The positions of overseas establishments are wrong in that file (Lambert-93 inverse applied to UTM): dropped.
 */

const FINESS_OID = 'urn:oid:1.2.250.1.71.4.2.2';
const SIRENE = 'http://sirene.fr';

interface NdOrganization {
  resourceType: 'Organization';
  id?: string;
  meta?: { lastUpdated?: string };
  extension?: { url?: string; valuePeriod?: { start?: string } }[];
  identifier?: { system?: string; value?: string }[];
  name?: string;
  address?: { line?: string[]; postalCode?: string; city?: string }[];
  telecom?: { system?: string; value?: string }[];
  type?: { coding?: { system?: string; code?: string; display?: string }[] }[];
}

interface NdLocation {
  resourceType: 'Location';
  id?: string;
  position?: { latitude?: number; longitude?: number };
}

function toEstablishment(org: NdOrganization, line: number): FinessEstablishment {
  const ident = (system: string) => field(org.identifier?.find((i) => i.system === system)?.value);
  const coding = (suffix: string) => org.type?.flatMap((t) => t.coding ?? []).find((c) => c.system?.endsWith(suffix));
  const addr = org.address?.[0];
  const cat = coding('/CAT_ETAB');
  const agr = coding('/CAT_AGR_ETAB');
  const sph = coding('/SPH');
  const ape = coding('TRE-R75-InseeNAFrev2Niveau5');
  const [ej, et] = (org.id ?? '').split('-');
  const rec: FinessEstablishment = {
    line,
    nofinesset: ident(FINESS_OID) ?? field(et) ?? '',
    nofinessej: field(ej) ?? '',
    rs: undoCsvQuoting(field(org.name)),
    addressLines: addr?.line?.map((l) => undoCsvQuoting(l.trim()) ?? '').filter((l) => l !== ''),
    postalCode: field(addr?.postalCode),
    city: field(addr?.city),
    telephone: field(org.telecom?.find((t) => t.system === 'phone')?.value),
    telecopie: field(org.telecom?.find((t) => t.system === 'fax')?.value),
    categetab: field(cat?.code), libcategetab: field(cat?.display),
    categagretab: field(agr?.code), libcategagretab: field(agr?.display),
    siret: ident(SIRENE),
    codeape: field(ape?.code),
    codesph: field(sph?.code), libsph: field(sph?.display),
    dateouv: field(org.extension?.find((e) => e.url?.endsWith('/organization-period'))?.valuePeriod?.start),
    datemaj: field(org.meta?.lastUpdated)?.slice(0, 10),
  };
  if (rec.addressLines?.length === 0) delete rec.addressLines;
  for (const k of Object.keys(rec) as (keyof FinessEstablishment)[]) if (rec[k] === undefined) delete rec[k];
  return rec;
}

export async function* readNdjson(file: string, progress?: ReadProgress): AsyncGenerator<FinessReadItem> {
  const input = await openBytes(file, progress);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let pending: { org: NdOrganization; rec: FinessEstablishment } | null = null;
  let n = 0;
  yield { kind: 'meta', encoding: 'utf8' };
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let res: NdOrganization | NdLocation;
    try {
      res = JSON.parse(text) as NdOrganization | NdLocation;
    } catch (err) {
      yield { kind: 'rejected', problem: { line: n, fr: `JSON illisible (${(err as Error).message})`, en: `unreadable JSON (${(err as Error).message})` } };
      continue;
    }
    if (res.resourceType === 'Location') {
      if (pending && res.id === `${pending.org.id}-loc`) {
        const { latitude, longitude } = res.position ?? {};
        if (typeof latitude === 'number' && typeof longitude === 'number' && !isOverseas(pending.rec.nofinesset)) {
          pending.rec.position = { latitude, longitude };
        } else if (res.position && (typeof latitude !== 'number' || typeof longitude !== 'number')) {
          yield {
            kind: 'rejected',
            problem: { line: n, nofinesset: pending.rec.nofinesset, fr: 'position sans latitude/longitude numériques', en: 'position without numeric latitude/longitude' },
          };
          pending = null;
          continue;
        }
        yield { kind: 'establishment', record: pending.rec };
        pending = null;
      } else {
        yield { kind: 'rejected', problem: { line: n, fr: `Location ${res.id ?? ''} sans Organization qui la précède`, en: `Location ${res.id ?? ''} without a preceding Organization` } };
      }
      continue;
    }
    if (pending) yield { kind: 'establishment', record: pending.rec };
    pending = null;
    if (res.resourceType !== 'Organization') {
      yield { kind: 'rejected', problem: { line: n, fr: `type de ressource inattendu ${String((res as { resourceType?: unknown }).resourceType)}`, en: 'unexpected resource type' } };
      continue;
    }
    pending = { org: res, rec: toEstablishment(res, n) };
  }
  if (pending) yield { kind: 'establishment', record: pending.rec };
}
