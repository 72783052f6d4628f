/** Finding the entry template (Questionnaire) that applies to a resource, and the code systems of its value sets. */
import type { Json } from './bindings.ts';

export interface QItem {
  linkId: string;
  text: string;
  type: string;
  required?: boolean;
  repeats?: boolean;
  definition?: string;
  answerValueSet?: string;
  extension?: Json[];
  item?: QItem[];
}
export interface Questionnaire { id: string; title: string; item?: QItem[] }

const tre = (n: string) => `https://mos.esante.gouv.fr/NOS/TRE_${n}/FHIR/TRE-${n}`;
const CATEGORY = tre('R66-CategorieEtablissement');
const PROFESSION = tre('G15-ProfessionSante');
const FIELD = tre('R227-ChampActivite');

async function fhir<T>(path: string): Promise<T | null> {
  const res = await fetch(`/fhir/${path}`, { headers: { Accept: 'application/fhir+json' }, credentials: 'same-origin' });
  return res.ok ? ((await res.json()) as T) : null;
}
async function searchTemplates(params: string): Promise<Questionnaire[]> {
  const b = await fhir<{ entry?: { resource: Questionnaire }[] }>(`Questionnaire?status=active&${params}`);
  return (b?.entry ?? []).map((e) => e.resource);
}
const codes = (list: Json[] | undefined, system: string): string[] =>
  (list ?? []).flatMap((c) => (c.coding ?? []) as Json[]).filter((c) => c.system === system).map((c) => c.code as string);

/**
 * The template of a resource: for an offer, its professional's profession (city offer) or the category of the
 * establishment above it (partOf chain), narrowed by the field of activity when several match; the generic one
 * of the type otherwise.
 */
export async function chooseTemplate(type: 'HealthcareService' | 'Organization' | 'Location', r: Json): Promise<Questionnaire> {
  const generic = { HealthcareService: 'ror-questionnaire-offre', Organization: 'ror-questionnaire-structure', Location: 'ror-questionnaire-lieu' }[type];
  if (type === 'HealthcareService') {
    const roles = await fhir<{ entry?: { resource: Json }[] }>(`PractitionerRole?service=HealthcareService/${encodeURIComponent(r.id)}`);
    for (const role of roles?.entry ?? []) {
      for (const code of codes(role.resource.code, PROFESSION)) {
        const found = await searchTemplates(`context=${encodeURIComponent(`${PROFESSION}|${code}`)}`);
        if (found[0]) return found[0];
      }
    }
    let ref: string | undefined = r.providedBy?.reference;
    for (let depth = 0; ref?.startsWith('Organization/') && depth < 4; depth++) {
      const org = await fhir<Json>(ref);
      if (!org) break;
      for (const cat of codes(org.type, CATEGORY)) {
        const found = await searchTemplates(`context=${encodeURIComponent(`${CATEGORY}|${cat}`)}&subject-type=HealthcareService`);
        const field = codes(r.type, FIELD)[0];
        const byField = field ? found.find((q) => JSON.stringify(q).includes(`"code":"${field}"`)) : undefined;
        if (byField ?? found[0]) return byField ?? found[0];
      }
      ref = org.partOf?.reference;
    }
  }
  return (await fhir<Questionnaire>(`Questionnaire/${generic}`))!;
}

/**
 * For each value set of the template: the code systems its concepts use (to tell which codings are the item's);
 * fills `labels` (system|code → label) so that stored codes without a display are shown by their label.
 */
export async function loadValueSetSystems(q: Questionnaire, labels: Map<string, string> = new Map()): Promise<Record<string, Set<string>>> {
  const urls = new Set<string>();
  const walk = (items: QItem[] = []) => items.forEach((i) => {
    if (i.answerValueSet) urls.add(i.answerValueSet);
    walk(i.item);
  });
  walk(q.item);
  const out: Record<string, Set<string>> = {};
  await Promise.all([...urls].map(async (url) => {
    const vs = await fhir<{ expansion?: { contains?: { system?: string; code?: string; display?: string }[] } }>(`ValueSet/$expand?url=${encodeURIComponent(url)}&count=1000`);
    const contains = vs?.expansion?.contains ?? [];
    out[url] = new Set(contains.map((c) => c.system).filter((s): s is string => !!s));
    for (const c of contains) {
      if (!c.code || !c.display) continue;
      labels.set(`${c.system}|${c.code}`, c.display);
      labels.set(`${url}|${c.code}`, c.display); // stored codings may name the code system differently (TRE URL vs OID)
    }
  }));
  return out;
}
