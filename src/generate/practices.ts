/**
 * Synthetic private practice of one commune: group cabinets (Organization + Location) of one profession,
 * their offers (one HealthcareService per activity of the cabinet, field 05 Ambulatoire) and, for every
 * professional, a Practitioner and one PractitionerRole per offer of the activities they do.
 * Deterministic for (seed, commune); RPPS-like numbers `8<commune><n>` in a range no real RPPS holds
 * (real ones start with 1), names from the demo's lists.
 */
import { SYNTHETIC_TAG, SYSTEM } from '../demo/codes.ts';
import { FAMILY, GIVEN, KINE_GENERAL, KINE_SPECIALISED, MIDWIFE_ACTIVITIES, STREETS } from '../demo/city-professionals.ts';
import { cabinetLocation, cabinetOrganization, cityOffer, mssAddress, practitioner, practitionerRole } from '../demo/city-resources.ts';
import { rorExt } from '../demo/codes.ts';
import { Random } from '../demo/random.ts';
import type { Resource } from '../fhir/types.ts';
import type { CommunePlace } from '../geo/commune-directory.ts';
import { rorRegion } from '../geo/ror-region.ts';
import type { CommuneGrid } from './commune-grid.ts';

type Activity = { code: string; display: string };

export interface ProfessionSpec {
  key: string;
  /** TRE_G15 profession (JDV_J229). */
  profession: Activity;
  /** Share of the private-practice professionals. */
  share: number;
  /** The activity every cabinet of the profession offers, and the optional ones (JDV_J17). */
  general: Activity;
  optional: Activity[];
  /** Optional activities a cabinet adds, at most. */
  maxOptional: number;
  cabinetSize: [min: number, max: number];
  homeVisits: number;
  zoneKm: [min: number, max: number];
  label: string;
  cabinetName: string;
  mssDomain: string;
  hours: [string, string];
}

/** Private practice in France, roughly in the proportions of the RPPS (nurses, kinés and GPs first). */
export const PROFESSIONS: ProfessionSpec[] = [
  {
    key: 'infirmier', profession: { code: '60', display: 'Infirmier' }, share: 0.28,
    general: { code: '287', display: 'Soins techniques infirmiers' }, optional: [{ code: '288', display: "Soins d'hygiène médicalisés" }], maxOptional: 1,
    cabinetSize: [1, 16], homeVisits: 0.95, zoneKm: [5, 10], label: 'infirmier', cabinetName: 'Cabinet infirmier', mssDomain: 'infirmier', hours: ['07:00:00', '20:00:00'],
  },
  {
    key: 'kine', profession: { code: '70', display: 'Masseur-Kinésithérapeute' }, share: 0.24,
    general: KINE_GENERAL, optional: KINE_SPECIALISED, maxOptional: 2,
    cabinetSize: [1, 14], homeVisits: 0.7, zoneKm: [6, 12], label: 'masseur-kinésithérapeute', cabinetName: 'Cabinet de kinésithérapie', mssDomain: 'masseur-kinesitherapeute', hours: ['08:00:00', '19:30:00'],
  },
  {
    key: 'medecin', profession: { code: '10', display: 'Médecin' }, share: 0.2,
    general: { code: '437', display: 'Médecine générale' }, optional: [], maxOptional: 0,
    cabinetSize: [1, 14], homeVisits: 0.3, zoneKm: [3, 8], label: 'médecin généraliste', cabinetName: 'Cabinet de médecine générale', mssDomain: 'medecin', hours: ['08:30:00', '19:00:00'],
  },
  {
    key: 'dentiste', profession: { code: '40', display: 'Chirurgien-Dentiste' }, share: 0.11,
    general: { code: '442', display: 'Chirurgie dentaire' }, optional: [{ code: '443', display: 'Pédodontie ou odontologie pédiatrique' }], maxOptional: 1,
    cabinetSize: [1, 8], homeVisits: 0, zoneKm: [0, 0], label: 'chirurgien-dentiste', cabinetName: 'Cabinet dentaire', mssDomain: 'chirurgien-dentiste', hours: ['09:00:00', '19:00:00'],
  },
  {
    key: 'orthophoniste', profession: { code: '91', display: 'Orthophoniste' }, share: 0.07,
    general: { code: '200', display: 'Orthophonie' }, optional: [], maxOptional: 0,
    cabinetSize: [1, 7], homeVisits: 0.2, zoneKm: [5, 10], label: 'orthophoniste', cabinetName: "Cabinet d'orthophonie", mssDomain: 'orthophoniste', hours: ['09:00:00', '19:00:00'],
  },
  {
    key: 'podologue', profession: { code: '80', display: 'Pédicure-Podologue' }, share: 0.05,
    general: { code: '201', display: 'Podologie' }, optional: [], maxOptional: 0,
    cabinetSize: [1, 5], homeVisits: 0.5, zoneKm: [5, 10], label: 'pédicure-podologue', cabinetName: 'Cabinet de podologie', mssDomain: 'pedicure-podologue', hours: ['09:00:00', '18:30:00'],
  },
  {
    key: 'sage-femme', profession: { code: '50', display: 'Sage-Femme' }, share: 0.03,
    general: MIDWIFE_ACTIVITIES[0], optional: MIDWIFE_ACTIVITIES.slice(1), maxOptional: 2,
    cabinetSize: [1, 5], homeVisits: 0.9, zoneKm: [12, 15], label: 'sage-femme', cabinetName: 'Cabinet de sage-femme', mssDomain: 'sage-femme', hours: ['09:00:00', '18:00:00'],
  },
  {
    key: 'dieteticien', profession: { code: '95', display: 'Diététicien' }, share: 0.02,
    general: { code: '040', display: 'Diététique et Nutrition' }, optional: [], maxOptional: 0,
    cabinetSize: [1, 3], homeVisits: 0.1, zoneKm: [5, 8], label: 'diététicien', cabinetName: 'Cabinet de diététique', mssDomain: 'dieteticien', hours: ['09:00:00', '18:00:00'],
  },
];

/** Zones of intervention list at most this many communes (the nearest): dense areas would give hundreds. */
const MAX_ZONE = 30;

/** A number from the code of a commune (2A/2B → 20/21): seeds and RPPS-like numbers. */
export function communeNumber(code: string): number {
  return Number(code.replace('2A', '20').replace('2B', '21'));
}

export interface PracticeCounts {
  professionals: number;
  roles: number;
  cabinets: number;
  offers: number;
}

/**
 * The cabinets of one commune with `professionals` professionals in all (shared between the professions
 * by their share, rounded at random). Yields one array of resources per cabinet.
 */
export function* communePractices(
  commune: CommunePlace, professionals: number, grid: CommuneGrid, seed: number, creationDate: string, counts: PracticeCounts,
): Generator<Resource[]> {
  const rnd = new Random((communeNumber(commune.code) * 2654435761 + seed) >>> 0);
  const region = rorRegion(commune.region);
  const meta = () => ({ tag: [{ system: SYSTEM.region, code: region }, SYNTHETIC_TAG] });
  const creation = { url: rorExt('ror-meta-creation-date'), valueDateTime: creationDate };
  const withCreation = (r: Resource): Resource => JSON.parse(JSON.stringify({ ...r, extension: [...((r.extension as unknown[]) ?? []), creation] }));
  const num = communeNumber(commune.code);
  let person = 0;
  for (const spec of PROFESSIONS) {
    const expected = professionals * spec.share;
    let remaining = Math.floor(expected) + (rnd.chance(expected - Math.floor(expected)) ? 1 : 0);
    let k = 0;
    while (remaining > 0) {
      k += 1;
      const size = Math.min(remaining, rnd.int(spec.cabinetSize[0], spec.cabinetSize[1]));
      remaining -= size;
      const cabinetId = `gen-cab-${commune.code}-${spec.key}-${k}`;
      const ids = { organization: cabinetId, location: `gen-cablieu-${commune.code}-${spec.key}-${k}` };
      const activities = [spec.general, ...rnd.sample(spec.optional, rnd.int(0, spec.maxOptional))];
      const homeVisits = rnd.chance(spec.homeVisits);
      const position = { lat: commune.lat + rnd.range(-0.01, 0.01), lon: commune.lon + rnd.range(-0.014, 0.014) };
      const zone = homeVisits ? grid.within(position, rnd.int(spec.zoneKm[0], spec.zoneKm[1]), MAX_ZONE).map((c) => ({ code: c.code, name: c.name })) : [];
      if (homeVisits && !zone.some((c) => c.code === commune.code)) zone.unshift({ code: commune.code, name: commune.name });
      const address = { use: 'work', line: [`${rnd.int(1, 120)} ${rnd.pick(STREETS)}`], postalCode: commune.postcodes[0], city: commune.name, country: 'FRA' };
      const phone = `0${rnd.int(1, 5)} ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)}`;
      const lead = { given: rnd.pick(GIVEN), family: rnd.pick(FAMILY) };
      const cabinetName = size > 1 ? `${spec.cabinetName} ${lead.family} et associés` : `${spec.cabinetName} ${lead.given} ${lead.family}`;
      const out: Resource[] = [
        cabinetOrganization(ids.organization, meta(), cabinetName, phone, address),
        cabinetLocation(ids.location, meta(), ids.organization, `${cabinetName}, ${commune.name}`, commune, phone, address,
          { latitude: +position.lat.toFixed(6), longitude: +position.lon.toFixed(6) }),
      ];
      const offerIds = new Map<string, string>();
      for (const activity of activities) {
        const id = `gen-offre-${commune.code}-${spec.key}-${k}-${activity.code}`;
        offerIds.set(activity.code, id);
        out.push(cityOffer({
          id, meta: meta(), region, organizationId: ids.organization, locationId: ids.location, activity,
          ageLow: activity.code === '428' ? 60 : 0, name: `${activity.display} — ${cabinetName} (${commune.name})`,
          phone, homeVisits, zone, hours: spec.hours,
        }));
      }
      for (let p = 0; p < size; p++) {
        person += 1;
        const rpps = `8${String(num).padStart(5, '0')}${String(person).padStart(5, '0')}`;
        const who = p === 0 ? lead : { given: rnd.pick(GIVEN), family: rnd.pick(FAMILY) };
        // Everyone does the general activity; each optional one is done by some of the cabinet (the first always).
        const done = activities.filter((a, i) => i === 0 || p === 0 || rnd.chance(0.6));
        const practitionerId = `gen-ps-${rpps}`;
        out.push(practitioner(practitionerId, meta(), rpps, who.given, who.family, mssAddress(who.given, who.family, spec.mssDomain)));
        // The ROR profile allows one offer per PractitionerRole: one situation per offer the professional works in.
        for (const a of done) {
          out.push(practitionerRole(`gen-role-${rpps}-${a.code}`, meta(), {
            practitioner: practitionerId, organization: ids.organization, location: ids.location, offers: [offerIds.get(a.code)!],
          }, spec.profession));
        }
        counts.roles += done.length;
      }
      counts.professionals += size;
      counts.cabinets += 1;
      counts.offers += activities.length;
      yield out.map(withCreation);
    }
  }
}
