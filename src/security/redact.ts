/**
 * Read-side element redaction: removes from a resource what the caller's access profile may not
 * see (ror-ig.md §4), following the element rules of the access matrix, and marks the result
 * with meta.security REDACTED so a consumer knows data was withheld. A resource the caller may
 * not see at all (sensitive offer…) redacts to null: the API answers "not found".
 */
import type { Resource } from '../fhir/types.ts';
import { visibilityOf, type ElementKey, type ReadProfile, type Visibility } from './access-matrix.ts';
import { readProfileOf, type Principal } from './principal.ts';

export const REDACTED_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';
export const REDACTED_CODE = 'REDACTED';

export const SENSITIVE_UNIT_URL = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-sensitive-unit';
export const CHAMP_ACTIVITE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite';
/** TRE_R227 codes: 04 Médico-social (MS), 05 Ambulatoire (city offers). */
export const FIELD_MEDICO_SOCIAL = '04';
export const FIELD_CITY = '05';
/** TRE_R283-NiveauConfidentialite (JDV_J222): 1 accès libre, 2 accès restreint, 3 accès très restreint. */
export const CONFIDENTIALITY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R283-NiveauConfidentialite/FHIR/TRE-R283-NiveauConfidentialite';
const TRE = (name: string) => `https://mos.esante.gouv.fr/NOS/TRE_${name}/FHIR/TRE-${name.replace('_', '-')}`;
/** Code systems of the restricted offer details (characteristic slices specificAct, outsideOfficeAct, ressourceProfession, specificCompetence). */
export const DETAIL_SYSTEMS = new Set(['R210-ActeSpecifique', 'R243-CompetenceSpecifique', 'R356-ProfessionRessource', 'G15-ProfessionSante',
  'R94-ProfessionSocial', 'R95-UsagerTitre', 'G16-ProfessionFormation', 'R96-AutreFonctionSanitaire', 'R85-RolePriseCharge'].map(TRE));
/** TRE_R330-TypeStatutCapacite: 01 Installé, 06 Supplémentaire. */
const CAPACITY_INSTALLED = '01';
const CAPACITY_SUPPLEMENTARY = '06';

interface Ext {
  url: string;
  extension?: Ext[];
  valueBoolean?: boolean;
  valueCodeableConcept?: { coding?: { system?: string; code?: string }[] };
  [k: string]: unknown;
}

/** What decides visibility but lies outside the resource itself (the offers a place or a practice hangs on). */
export interface ReadFacts {
  /** The resource is, or belongs to, a sensitive offer (uniteSensible). */
  sensitive: boolean;
  /** The offer (or one of the offers the resource hangs on) is médico-social. */
  medicoSocial: boolean;
  /** The offer (or one of them) is a city offer. */
  city: boolean;
}

export const NO_FACTS: ReadFacts = { sensitive: false, medicoSocial: false, city: false };

const exts = (x: unknown): Ext[] => (Array.isArray((x as { extension?: unknown })?.extension) ? ((x as { extension: Ext[] }).extension) : []);

/** The facts an offer carries about itself. */
export function factsOfOffer(hs: Resource): ReadFacts {
  const fields = ((hs.type as { coding?: { system?: string; code?: string }[] }[] | undefined) ?? [])
    .flatMap((t) => t.coding ?? []).filter((c) => c.system === CHAMP_ACTIVITE_SYSTEM).map((c) => c.code);
  return {
    sensitive: exts(hs).some((e) => e.url === SENSITIVE_UNIT_URL && e.valueBoolean === true),
    medicoSocial: fields.includes(FIELD_MEDICO_SOCIAL),
    city: fields.includes(FIELD_CITY),
  };
}

export function mergeFacts(list: ReadFacts[]): ReadFacts {
  return {
    sensitive: list.some((f) => f.sensitive),
    medicoSocial: list.some((f) => f.medicoSocial),
    city: list.some((f) => f.city),
  };
}

function codeOf(e: Ext | undefined): string | undefined {
  return e?.valueCodeableConcept?.coding?.find((c) => c.code !== undefined)?.code;
}

/** The confidentiality level of a telecom or contact (its own `…confidentiality-level` extension). */
function levelOf(x: unknown): string | undefined {
  return codeOf(exts(x).find((e) => e.url.endsWith('confidentiality-level')));
}

/** Is an element of this visibility shown, given the facts of the offers the resource hangs on? */
export function shown(v: Visibility, facts: ReadFacts): boolean {
  if (v === 'all') return true;
  if (v === 'medico-social') return facts.medicoSocial;
  if (v === 'city') return facts.city;
  return false;
}

/** The element rule of a telecom/contact of this level. Unknown level = the most restricted (deny by default). */
export function levelRule(level: string | undefined): ElementKey {
  return level === '1' ? 'contact-public' : level === '2' ? 'contact-restricted' : 'contact-very-restricted';
}

/** May a telecom/contact of this level be shown? */
function levelShown(level: string | undefined, profile: ReadProfile, facts: ReadFacts): boolean {
  return shown(visibilityOf(levelRule(level), profile), facts);
}

function capacityKept(cap: Ext, v: Visibility, facts: ReadFacts): boolean {
  const sub = (name: string) => cap.extension?.find((e) => e.url === name);
  const status = codeOf(sub('capacityStatus'));
  const supplementary = status === CAPACITY_SUPPLEMENTARY || !!sub('additionalBedType') || !!sub('crisisType');
  switch (v) {
    case 'all':
      return true;
    case 'not-supplementary':
      return !supplementary;
    case 'medico-social-not-supplementary':
      return facts.medicoSocial && !supplementary;
    case 'installed':
      return status === CAPACITY_INSTALLED;
    default:
      return false;
  }
}

/**
 * The resource as `principal` may see it: a redacted copy (meta.security REDACTED when anything
 * was removed), the resource itself when nothing is withheld, or null when it is hidden entirely.
 */
export function redact(resource: Resource, principal: Principal, facts: ReadFacts = NO_FACTS): Resource | null {
  const profile = readProfileOf(principal);
  if (profile === 'full') return resource;
  const f = resource.resourceType === 'HealthcareService' ? mergeFacts([factsOfOffer(resource), facts]) : facts;

  if ((resource.resourceType === 'HealthcareService' || resource.resourceType === 'PractitionerRole') && f.sensitive
    && !shown(visibilityOf('sensitive-offer', profile), f)) return null;
  if ((resource.resourceType === 'Practitioner' || resource.resourceType === 'PractitionerRole')
    && !shown(visibilityOf('practitioner', profile), f)) return null;

  // Copy on write: a shallow copy here, and of each nested object before it is changed (a deep clone of
  // every resource of a search page was most of the node time of a coordinator search).
  const out = { ...resource } as Resource & Record<string, unknown>;
  let removed = false;
  const filter = <T>(list: T[] | undefined, keep: (x: T) => boolean): T[] | undefined => {
    if (!Array.isArray(list)) return list;
    const kept = list.filter(keep);
    if (kept.length !== list.length) removed = true;
    return kept.length ? kept : undefined;
  };
  const set = (obj: Record<string, unknown>, key: string, v: unknown) => {
    if (v === undefined) delete obj[key];
    else obj[key] = v;
  };
  const telecomKept = (t: unknown) => levelShown(levelOf(t), profile, f);

  set(out, 'telecom', filter(out.telecom as unknown[] | undefined, telecomKept));

  if (resource.resourceType === 'Organization') {
    const contacts = filter(out.contact as Record<string, unknown>[] | undefined, (c) => levelShown(levelOf(c), profile, f))?.map((c) => ({ ...c }));
    for (const c of contacts ?? []) set(c, 'telecom', filter(c.telecom as unknown[] | undefined, telecomKept));
    set(out, 'contact', contacts);
    const orsan = visibilityOf('orsan', profile);
    set(out, 'extension', filter(out.extension as Ext[] | undefined, (e) =>
      shown(orsan, f) || !(e.url.endsWith('ror-organization-level-recourse-orsan') || e.url.endsWith('ror-organization-drop-zone'))));
  }

  if (resource.resourceType === 'HealthcareService' && !shown(visibilityOf('offer-details', profile), f)) {
    set(out, 'characteristic', filter(out.characteristic as { coding?: { system?: string }[] }[] | undefined,
      (c) => !(c.coding ?? []).some((x) => x.system !== undefined && DETAIL_SYSTEMS.has(x.system))));
  }

  if (resource.resourceType === 'HealthcareService') {
    const isContact = (e: Ext) => e.url.endsWith('ror-healthcareservice-contact');
    const kept = filter(out.extension as Ext[] | undefined, (e) => !isContact(e) || levelShown(levelOf(e), profile, f))
      ?.map((e) => (isContact(e) ? { ...e } : e));
    for (const c of (kept ?? []).filter(isContact)) {
      set(c, 'extension', filter(c.extension, (s) => !s.url.endsWith('ror-healthcareservice-contact-telecom') || telecomKept(s)));
    }
    set(out, 'extension', kept);
  }

  if (resource.resourceType === 'Location') {
    const v = visibilityOf('capacity', profile);
    set(out, 'extension', filter(out.extension as Ext[] | undefined, (e) =>
      !e.url.endsWith('ror-location-supported-capacity') || capacityKept(e, v, f)));
  }

  if (!removed) return resource;
  const meta = (out.meta = { ...(out.meta ?? {}) });
  const security = (meta.security as { system?: string; code?: string }[] | undefined) ?? [];
  if (!security.some((s) => s.system === REDACTED_SYSTEM && s.code === REDACTED_CODE)) {
    meta.security = [...security, { system: REDACTED_SYSTEM, code: REDACTED_CODE, display: 'redacted' }];
  }
  return out;
}
