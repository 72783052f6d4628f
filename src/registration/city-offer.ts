/**
 * The city offer of a self-registered professional, as the registration form describes it, and the ROR
 * resources it becomes: the cabinet (Organization), its practice places (Location), one city offer per
 * activity (HealthcareService, field 05 Ambulatoire, as the ROR models one activity per offer) and one
 * PractitionerRole per offer. Pure functions: checks with French messages per field, building, reading back.
 */
import type { Resource } from '../fhir/types.ts';
import type { CommuneDirectory } from '../geo/commune-directory.ts';
import { cc, SYSTEM } from '../terminology/systems.ts';
import { rorExt } from '../validation/profiles/urls.ts';
import type { OpenProfession } from './professions.ts';

export type ConfidentialityLevel = '1' | '2' | '3';

export interface PracticePlace {
  /** Street line, e.g. « 12 rue de la République ». */
  line: string;
  postalCode?: string;
  /** COG code of the commune. */
  communeCode: string;
}

export interface CityOfferInput {
  places: PracticePlace[];
  homeVisits: boolean;
  /** COG codes of the communes where the professional goes to patients. */
  zone: string[];
  /** JDV_J17 activities beyond the profession's general one (savoir-faire). */
  skills: string[];
  /** JDV_J33 specific competences (langue des signes, langue étrangère…). */
  specificCompetences: string[];
  hours: { days: number[]; start: string; end: string };
  acceptingNewPatients: boolean;
  phone: string;
  phoneConfidentiality: ConfidentialityLevel;
  mss?: string;
  mssConfidentiality: ConfidentialityLevel;
}

export interface Identity {
  rpps: string;
  practitionerId: string;
  family: string;
  given?: string;
  profession: { code: string; display: string };
}


/**
 * Whether new patients are taken: the ROR has no element for it, so a local coding on the offer's
 * characteristic (codings outside the profile's slices are accepted with a warning).
 */
export const NEW_PATIENTS_SYSTEM = 'urn:ror:accueil-nouveaux-patients';
const TEMPLATE_EXT = rorExt('ror-meta-questionnaire-used-as-a-template');


export const PHONE = /^(0[1-9](\s?\d{2}){4}|\+\d[\d\s]{7,18})$/;
export const MSS = /^[^\s@]+@([a-z0-9-]+\.)+mssante\.fr$/i;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LEVELS = new Set(['1', '2', '3']);

export const cityIds = {
  cabinet: (rpps: string) => `ps-cabinet-${rpps}`,
  place: (rpps: string, i: number) => `ps-lieu-${rpps}-${i + 1}`,
  offer: (rpps: string, activity: string) => `ps-offre-${rpps}-${activity}`,
  role: (rpps: string, activity: string) => `ps-role-${rpps}-${activity}`,
};

/** Field → French message; empty when the input is acceptable. Keys follow the form's field names. */
export function checkCityOffer(
  input: CityOfferInput, profession: OpenProfession, communes: CommuneDirectory, isCompetence: (code: string) => boolean,
): Record<string, string> {
  const e: Record<string, string> = {};
  if (!Array.isArray(input.places) || input.places.length === 0) e.places = 'Indiquez au moins un lieu d\'exercice';
  (input.places ?? []).forEach((p, i) => {
    if (!p.line?.trim()) e[`places.${i}.line`] = 'Indiquez l\'adresse du cabinet (numéro et voie)';
    if (!communes.get(p.communeCode)) e[`places.${i}.communeCode`] = 'Choisissez la commune du cabinet dans la liste';
    if (p.postalCode && !/^\d{5}$/.test(p.postalCode)) e[`places.${i}.postalCode`] = 'Le code postal compte 5 chiffres';
  });
  const unknown = (input.zone ?? []).filter((c) => !communes.get(c));
  if (unknown.length) e.zone = `Commune inconnue dans la zone d'intervention : ${unknown.join(', ')}`;
  else if (input.homeVisits && !(input.zone ?? []).length) e.zone = 'Avec des visites à domicile, indiquez au moins une commune de votre zone d\'intervention';
  const allowed = new Set(profession.skills.map((s) => s.code));
  const wrong = (input.skills ?? []).filter((s) => !allowed.has(s));
  if (wrong.length) e.skills = `Savoir-faire hors de la liste de la profession ${profession.display} : ${wrong.join(', ')}`;
  const badCompetence = (input.specificCompetences ?? []).filter((c) => !isCompetence(c));
  if (badCompetence.length) e.specificCompetences = `Code absent de la nomenclature des compétences spécifiques (JDV_J33) : ${badCompetence.join(', ')}`;
  const h = input.hours;
  if (!h || !Array.isArray(h.days) || h.days.length === 0 || h.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) e['hours.days'] = 'Cochez au moins un jour d\'ouverture';
  if (!h || !TIME.test(h.start ?? '')) e['hours.start'] = 'Heure d\'ouverture au format HH:MM';
  if (!h || !TIME.test(h.end ?? '')) e['hours.end'] = 'Heure de fermeture au format HH:MM';
  else if (TIME.test(h.start) && h.start >= h.end) e['hours.end'] = 'L\'heure de fermeture doit suivre l\'heure d\'ouverture';
  if (typeof input.homeVisits !== 'boolean') e.homeVisits = 'Indiquez si vous vous déplacez à domicile';
  if (typeof input.acceptingNewPatients !== 'boolean') e.acceptingNewPatients = 'Indiquez si vous acceptez de nouveaux patients';
  if (!PHONE.test((input.phone ?? '').trim())) e.phone = 'Numéro de téléphone invalide : 10 chiffres commençant par 0 (ex. 01 30 94 12 12)';
  if (!LEVELS.has(input.phoneConfidentiality)) e.phoneConfidentiality = 'Choisissez le niveau de confidentialité du téléphone';
  if (input.mss && !MSS.test(input.mss.trim())) e.mss = 'Adresse de messagerie sécurisée invalide : elle se termine par .mssante.fr (ex. prenom.nom@masseur-kinesitherapeute.mssante.fr)';
  if (!LEVELS.has(input.mssConfidentiality)) e.mssConfidentiality = 'Choisissez le niveau de confidentialité de la messagerie';
  return e;
}

function telecom(system: 'phone' | 'email', value: string, channel: '2' | '3', level: ConfidentialityLevel) {
  return {
    extension: [
      { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(SYSTEM.channel, channel) },
      { url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(SYSTEM.confidentiality, level) },
    ],
    system,
    value,
  };
}

const DAY_CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The resources of the city offer (update-as-create, deterministic ids), offers of dropped activities excluded. */
export function buildCityOffer(who: Identity, profession: OpenProfession, input: CityOfferInput, communes: CommuneDirectory): Resource[] {
  const { rpps } = who;
  const fullName = [who.given, who.family].filter(Boolean).join(' ');
  const first = communes.get(input.places[0].communeCode)!;
  const meta = { tag: [{ system: SYSTEM.region, code: first.region }] };
  const phone = input.phone.trim();
  const mss = input.mss?.trim();
  const cabinetId = cityIds.cabinet(rpps);
  const address = (p: PracticePlace) => {
    const c = communes.get(p.communeCode)!;
    return {
      extension: [{ url: 'http://interopsante.org/fhir/StructureDefinition/FrAddressInseeCode', valueCoding: { system: SYSTEM.commune, code: c.code, display: c.name } }],
      use: 'work', line: [p.line.trim()], postalCode: p.postalCode || c.postcodes[0], city: c.name, country: 'FRA',
    };
  };
  const out: Resource[] = [];
  out.push({
    resourceType: 'Organization', id: cabinetId, meta,
    active: true,
    name: `Cabinet ${profession.display.toLowerCase()} ${fullName}`,
    telecom: [telecom('phone', phone, '2', input.phoneConfidentiality)],
    address: [address(input.places[0])],
  });
  const placeIds = input.places.map((p, i) => {
    const c = communes.get(p.communeCode)!;
    out.push({
      resourceType: 'Location', id: cityIds.place(rpps, i), meta: { tag: [{ system: SYSTEM.region, code: c.region }] },
      extension: [{ url: rorExt('ror-commune-cog'), valueCodeableConcept: cc(SYSTEM.commune, c.code, c.name) }],
      status: 'active',
      operationalStatus: { system: SYSTEM.placeStatus, code: '3', display: 'Opérationnel' },
      name: `Cabinet ${fullName}, ${c.name}`,
      telecom: [telecom('phone', phone, '2', input.phoneConfidentiality)],
      address: address(p),
      // The address is not geocoded here: the commune centroid, flagged as unreliable.
      position: { extension: [{ url: rorExt('ror-coordinate-reliability'), valueBoolean: false }], latitude: c.lat, longitude: c.lon },
      managingOrganization: { reference: `Organization/${cabinetId}` },
    });
    return cityIds.place(rpps, i);
  });
  const zone = input.homeVisits ? input.zone.map((code) => communes.get(code)!) : [];
  const activities = [profession.general, ...profession.skills.filter((s) => input.skills.includes(s.code))];
  for (const activity of activities) {
    const offerId = cityIds.offer(rpps, activity.code);
    out.push({
      resourceType: 'HealthcareService', id: offerId, meta,
      extension: [
        { url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: false },
        {
          url: rorExt('ror-healthcareservice-patient-type'),
          extension: [
            { url: 'supportedPatientInfo', valueCodeableConcept: cc(SYSTEM.audience, '07', 'Tout public') },
            { url: 'ageRange', valueRange: { low: { value: 0, unit: 'a', code: 'a' }, high: { value: 120, unit: 'a', code: 'a' } } },
          ],
        },
        ...zone.map((c) => ({
          url: rorExt('ror-territorial-division'),
          extension: [
            { url: 'typeTerritorialDivision', valueCodeableConcept: cc(SYSTEM.divisionType, '3', "Zone d'intervention") },
            { url: 'codeTerritorialDivision', valueCodeableConcept: cc(SYSTEM.commune, c.code, c.name) },
          ],
        })),
        {
          url: rorExt('ror-healthcareservice-contact'),
          extension: [
            { url: 'purposeContact', valueCodeableConcept: cc(SYSTEM.contactPurpose, '06', 'Standard') },
            { url: rorExt('ror-confidentiality-level'), valueCodeableConcept: cc(SYSTEM.confidentiality, input.phoneConfidentiality) },
            {
              url: rorExt('ror-healthcareservice-contact-telecom'),
              extension: [
                { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(SYSTEM.channel, '2', 'Téléphone fixe') },
                { url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(SYSTEM.confidentiality, input.phoneConfidentiality) },
                { url: 'telecomAddress', valueString: phone },
              ],
            },
          ],
        },
        { url: TEMPLATE_EXT, valueCanonical: `urn:ror:modele-saisie:${profession.template}|1` },
      ],
      identifier: [{ system: 'urn:ror:identifiant-offre', value: `${first.region}/${offerId}` }],
      active: true,
      providedBy: { reference: `Organization/${cabinetId}` },
      type: [cc(SYSTEM.field, '05', 'Ambulatoire')],
      specialty: [cc(SYSTEM.activity, activity.code, activity.display)],
      location: placeIds.map((id) => ({ reference: `Location/${id}` })),
      name: `${activity.display} — ${fullName} (${profession.display.toLowerCase()}, ${first.name})`,
      ...(mss ? { telecom: [telecom('email', mss, '3', input.mssConfidentiality)] } : {}),
      characteristic: [
        cc(SYSTEM.careMode, '32', 'Consultation (CS)'),
        cc(SYSTEM.receptionModality, '03', 'Consultation en présentiel'),
        ...(input.homeVisits ? [cc(SYSTEM.receptionModality, '05', 'Visite à domicile')] : []),
        ...input.specificCompetences.map((code) => cc(SYSTEM.competence, code)),
        cc(NEW_PATIENTS_SYSTEM, input.acceptingNewPatients ? 'oui' : 'non', input.acceptingNewPatients ? 'Accepte de nouveaux patients' : "N'accepte pas de nouveaux patients"),
      ],
      availableTime: [...input.hours.days].sort().map((d) => ({
        extension: [
          { url: rorExt('ror-available-time-number-days-of-week'), valueInteger: d },
          { url: rorExt('ror-available-time-type-of-time'), valueCodeableConcept: cc(SYSTEM.typeOfTime, '01', "Horaire d'ouverture") },
        ],
        daysOfWeek: [DAY_CODES[d - 1]],
        availableStartTime: `${input.hours.start}:00`,
        availableEndTime: `${input.hours.end}:00`,
      })),
    });
    out.push({
      resourceType: 'PractitionerRole', id: cityIds.role(rpps, activity.code), meta,
      extension: [{ url: rorExt('ror-practitionerrole-unit-exercise-mode'), valueCodeableConcept: cc(SYSTEM.exerciseMode, 'L', 'Libéral, indépendant, artisan, commerçant') }],
      active: true,
      practitioner: { reference: `Practitioner/${who.practitionerId}` },
      organization: { reference: `Organization/${cabinetId}` },
      healthcareService: [{ reference: `HealthcareService/${offerId}` }],
      location: placeIds.map((id) => ({ reference: `Location/${id}` })),
      code: [cc(SYSTEM.profession, profession.code, profession.display)],
      ...(mss ? { telecom: [telecom('email', mss, '3', input.mssConfidentiality)] } : {}),
    });
  }
  return out;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The form's description read back from the stored offers (the general one carries what is shared). */
export function readCityOffer(offers: Resource[], places: Resource[]): CityOfferInput | null {
  const active = offers.filter((o) => o.active !== false) as Json[];
  if (!active.length) return null;
  const main = active[0];
  const codes = (system: string) => (main.characteristic ?? []).flatMap((c: Json) => (c.coding ?? []).filter((x: Json) => x.system === system).map((x: Json) => x.code as string));
  const contact = (main.extension ?? []).find((e: Json) => e.url === rorExt('ror-healthcareservice-contact'));
  const contactTel = contact?.extension?.find((e: Json) => e.url === rorExt('ror-healthcareservice-contact-telecom'));
  const phone = contactTel?.extension?.find((e: Json) => e.url === 'telecomAddress')?.valueString ?? '';
  const levelOf = (x: Json | undefined) => (x?.extension ?? []).find((e: Json) => e.url === rorExt('ror-telecom-confidentiality-level'))?.valueCodeableConcept?.coding?.[0]?.code ?? '1';
  const mssTel = (main.telecom ?? [])[0];
  const times = (main.availableTime ?? []) as Json[];
  return {
    places: (places as Json[]).map((p) => ({
      line: p.address?.line?.[0] ?? '',
      postalCode: p.address?.postalCode,
      communeCode: (p.extension ?? []).find((e: Json) => e.url === rorExt('ror-commune-cog'))?.valueCodeableConcept?.coding?.[0]?.code ?? '',
    })),
    homeVisits: codes(SYSTEM.receptionModality).includes('05'),
    zone: (main.extension ?? []).filter((e: Json) => e.url === rorExt('ror-territorial-division'))
      .map((e: Json) => e.extension?.find((x: Json) => x.url === 'codeTerritorialDivision')?.valueCodeableConcept?.coding?.[0]?.code).filter(Boolean),
    skills: active.slice(1).map((o) => o.specialty?.[0]?.coding?.[0]?.code).filter(Boolean),
    specificCompetences: codes(SYSTEM.competence),
    hours: {
      days: times.map((t) => (t.extension ?? []).find((e: Json) => e.url === rorExt('ror-available-time-number-days-of-week'))?.valueInteger).filter((d: unknown) => typeof d === 'number'),
      start: (times[0]?.availableStartTime ?? '08:00:00').slice(0, 5),
      end: (times[0]?.availableEndTime ?? '19:00:00').slice(0, 5),
    },
    acceptingNewPatients: codes(NEW_PATIENTS_SYSTEM).includes('oui'),
    phone,
    phoneConfidentiality: levelOf(contactTel) as ConfidentialityLevel,
    ...(mssTel?.value ? { mss: mssTel.value as string } : {}),
    mssConfidentiality: levelOf(mssTel) as ConfidentialityLevel,
  };
}
