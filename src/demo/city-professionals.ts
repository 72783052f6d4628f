/**
 * Synthetic private-practice professionals of the demo: masseurs-kinésithérapeutes and sages-femmes of the
 * CPTS Val-de-Seine and 78 Nord Porte de Normandie territories (Mantes-la-Jolie, Limay, Gargenville,
 * Bonnières-sur-Seine, Aubergenville, Les Mureaux…). No open data lists them, so they are generated —
 * deterministic, tagged synthetic, with RPPS-like numbers in a range (899999…) no real person holds.
 * Each professional gets a practice place (Organization + Location), one city offer per activity
 * (HealthcareService, field 05 Ambulatoire, as the ROR models one activity per offer) and one
 * PractitionerRole per offer.
 */
import type { Resource } from '../fhir/types.ts';
import {
  cc, communeCog, interventionZone, offerContact, patientType, rorExt, rorTelecom, SYNTHETIC_TAG, SYSTEM,
} from './codes.ts';
import type { CommuneDirectory, CommunePlace } from '../geo/commune-directory.ts';
import { distanceKm } from '../geo/distance.ts';
import { Random } from './random.ts';

const REGION_IDF = '11';

/** Where the demo professionals practise: commune code → number of kinés, sages-femmes. */
export const PRACTICE_COMMUNES: [code: string, kines: number, midwives: number][] = [
  ['78361', 6, 3], // Mantes-la-Jolie
  ['78362', 3, 1], // Mantes-la-Ville
  ['78335', 3, 1], // Limay
  ['78267', 2, 1], // Gargenville
  ['78089', 2, 1], // Bonnières-sur-Seine
  ['78029', 2, 1], // Aubergenville
  ['78440', 4, 2], // Les Mureaux
  ['78354', 1, 0], // Magnanville
  ['78531', 2, 1], // Rosny-sur-Seine
  ['78217', 1, 1], // Épône
  ['78401', 2, 0], // Meulan-en-Yvelines
  ['78255', 1, 0], // Freneuse
  ['78118', 1, 0], // Buchelay
  ['78314', 1, 0], // Issou
  ['78327', 1, 0], // Juziers
];

const GIVEN = ['Camille', 'Léa', 'Manon', 'Chloé', 'Sarah', 'Inès', 'Julie', 'Emma', 'Lucas', 'Hugo', 'Thomas', 'Nicolas', 'Antoine', 'Julien', 'Mehdi', 'Karim', 'Sophie', 'Claire', 'Amélie', 'Yasmine', 'Pauline', 'Maxime', 'Romain', 'Élodie'];
const FAMILY = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier', 'Benali', 'Haddad', 'Nguyen', 'Da Silva'];
const STREETS = ['rue de la République', 'avenue du Général de Gaulle', 'rue Nationale', 'boulevard Carnot', 'rue de Paris', 'place du Marché', 'rue Gambetta', 'rue Victor Hugo', 'avenue Jean Jaurès', 'rue du Château'];

/** Kinésithérapie activities of JDV_J17 (TRE_R211): the general one and the specialised ones. */
const KINE_GENERAL = { code: '339', display: 'Kinésithérapie' };
const KINE_SPECIALISED = [
  { code: '418', display: 'Kinésithérapie Spécialisée Orthopédie' },
  { code: '425', display: 'Kinésithérapie Spécialisée Traumatologie' },
  { code: '419', display: 'Kinésithérapie Spécialisée Respiratoire' },
  { code: '421', display: 'Kinésithérapie Spécialisée Périnéologie' },
  { code: '417', display: 'Kinésithérapie Spécialisée Neurologie' },
  { code: '428', display: 'Kinésithérapie Spécialisée Gériatrie' },
  { code: '424', display: 'Kinésithérapie Spécialisée Rhumatologie' },
  { code: '427', display: 'Kinésithérapie Spécialisée du sport' },
];
const MIDWIFE_ACTIVITIES = [
  { code: '282', display: 'Périnatalité (suivi de grossesse)' },
  { code: '308', display: 'Accompagnements à la parentalité' },
  { code: '510', display: 'Échographie gynécologique et obstétricale (dont échographie de grossesse)' },
];

export interface DemoProfessional {
  rpps: string;
  profession: 'kine' | 'midwife';
  commune: CommunePlace;
  homeVisits: boolean;
  activities: { code: string; display: string }[];
  zone: CommunePlace[];
  resources: Resource[];
}

function meta() {
  return { tag: [{ system: SYSTEM.region, code: REGION_IDF }, SYNTHETIC_TAG] };
}

function weekdays(start: string, end: string) {
  return [1, 2, 3, 4, 5].map((d) => ({
    extension: [
      { url: rorExt('ror-available-time-number-days-of-week'), valueInteger: d },
      { url: rorExt('ror-available-time-type-of-time'), valueCodeableConcept: cc('https://mos.esante.gouv.fr/NOS/TRE_R252-TypeHoraire/FHIR/TRE-R252-TypeHoraire', '01', "Horaire d'ouverture") },
    ],
    daysOfWeek: [['mon', 'tue', 'wed', 'thu', 'fri'][d - 1]],
    availableStartTime: start,
    availableEndTime: end,
  }));
}

/** Builds the demo professionals and their resources from the COG communes (deterministic for a seed). */
export function buildCityProfessionals(communes: CommuneDirectory, seed = 78): DemoProfessional[] {
  const rnd = new Random(seed);
  const all = communes.all();
  const out: DemoProfessional[] = [];
  let n = 0;
  for (const [code, kines, midwives] of PRACTICE_COMMUNES) {
    const commune = communes.get(code);
    if (!commune) throw new Error(`demo: commune ${code} missing from the COG file`);
    const professions: ('kine' | 'midwife')[] = [...Array(kines).fill('kine'), ...Array(midwives).fill('midwife')];
    for (const profession of professions) {
      n += 1;
      const rpps = `899999${String(n).padStart(6, '0')}`;
      const given = rnd.pick(GIVEN);
      const family = rnd.pick(FAMILY);
      // Midwives travel further for post-partum visits than kinés for their rounds.
      const radius = profession === 'midwife' ? 15 : rnd.int(6, 12);
      const homeVisits = profession === 'midwife' ? rnd.chance(0.9) : rnd.chance(0.7);
      const zone = homeVisits ? all.filter((c) => c.departement === '78' && distanceKm(c, commune) <= radius) : [];
      const activities = profession === 'kine'
        ? [KINE_GENERAL, ...rnd.sample(KINE_SPECIALISED, rnd.int(1, 3))]
        : [MIDWIFE_ACTIVITIES[0], ...rnd.sample(MIDWIFE_ACTIVITIES.slice(1), rnd.int(0, 2))];
      // A practice a few hundred metres from the commune centre.
      const position = { latitude: +(commune.lat + rnd.range(-0.006, 0.006)).toFixed(6), longitude: +(commune.lon + rnd.range(-0.008, 0.008)).toFixed(6) };
      const street = `${rnd.int(1, 120)} ${rnd.pick(STREETS)}`;
      const address = { use: 'work', line: [street], postalCode: commune.postcodes[0], city: commune.name, country: 'FRA' };
      const phone = `01 30 ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)}`;
      const mss = `${given}.${family}@${profession === 'kine' ? 'masseur-kinesitherapeute' : 'sage-femme'}.mssante.fr`
        .toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ /g, '-');
      const label = profession === 'kine' ? 'masseur-kinésithérapeute' : 'sage-femme';
      const ids = {
        practitioner: `demo-ps-${rpps}`,
        organization: `demo-cabinet-${rpps}`,
        location: `demo-lieu-${rpps}`,
      };
      const resources: Resource[] = [];
      resources.push({
        resourceType: 'Practitioner', id: ids.practitioner, meta: meta(),
        identifier: [{ system: SYSTEM.rpps, value: rpps }],
        active: true,
        name: [{ family: family.toUpperCase(), given: [given] }],
        telecom: [rorTelecom('email', mss, '3', '2')],
      });
      resources.push({
        resourceType: 'Organization', id: ids.organization, meta: meta(),
        active: true,
        name: `Cabinet de ${profession === 'kine' ? 'kinésithérapie' : 'sage-femme'} ${given} ${family}`,
        telecom: [rorTelecom('phone', phone, '2', '1')],
        address: [address],
      });
      resources.push({
        resourceType: 'Location', id: ids.location, meta: meta(),
        extension: [communeCog(commune.code, commune.name)],
        status: 'active',
        operationalStatus: { system: SYSTEM.placeStatus, code: '3', display: 'Opérationnel' },
        name: `Cabinet ${given} ${family}, ${commune.name}`,
        telecom: [rorTelecom('phone', phone, '2', '1')],
        address,
        position,
        managingOrganization: { reference: `Organization/${ids.organization}` },
      });
      activities.forEach((activity, i) => {
        const offerId = `demo-offre-${rpps}-${activity.code}`;
        resources.push({
          resourceType: 'HealthcareService', id: offerId, meta: meta(),
          extension: [
            { url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: false },
            patientType([{ code: '07', display: 'Tout public' }], activity.code === '428' ? 60 : 0, 120),
            ...interventionZone(zone),
            offerContact(phone),
          ],
          identifier: [{ system: 'urn:ror:identifiant-offre', value: `11/${offerId}` }],
          active: true,
          providedBy: { reference: `Organization/${ids.organization}` },
          type: [cc(SYSTEM.field, '05', 'Ambulatoire')],
          specialty: [cc(SYSTEM.activity, activity.code, activity.display)],
          location: [{ reference: `Location/${ids.location}` }],
          name: `${activity.display} — ${given} ${family} (${label}, ${commune.name})`,
          telecom: [rorTelecom('email', mss, '3', '2')],
          characteristic: [
            cc(SYSTEM.careMode, '32', 'Consultation (CS)'),
            cc(SYSTEM.receptionModality, '03', 'Consultation en présentiel'),
            ...(homeVisits ? [cc(SYSTEM.receptionModality, '05', 'Visite à domicile')] : []),
          ],
          availableTime: weekdays(profession === 'kine' ? '08:00:00' : '09:00:00', profession === 'kine' ? '19:30:00' : '18:00:00'),
          comment: i === 0 ? 'Données synthétiques de démonstration.' : undefined,
        });
        resources.push({
          resourceType: 'PractitionerRole', id: `demo-role-${rpps}-${activity.code}`, meta: meta(),
          extension: [{ url: rorExt('ror-practitionerrole-unit-exercise-mode'), valueCodeableConcept: cc(SYSTEM.exerciseMode, 'L', 'Libéral, indépendant, artisan, commerçant') }],
          active: true,
          practitioner: { reference: `Practitioner/${ids.practitioner}` },
          organization: { reference: `Organization/${ids.organization}` },
          healthcareService: [{ reference: `HealthcareService/${offerId}` }],
          location: [{ reference: `Location/${ids.location}` }],
          code: [cc(SYSTEM.profession, profession === 'kine' ? '70' : '50', profession === 'kine' ? 'Masseur-Kinésithérapeute' : 'Sage-Femme')],
        });
      });
      out.push({ rpps, profession, commune, homeVisits, activities, zone, resources: resources.map(dropUndefined) });
    }
  }
  return out;
}

/** Drops undefined members and gives the resource its ROR creation date (the date the demo was built). */
function dropUndefined(r: Resource): Resource {
  const clean = JSON.parse(JSON.stringify(r)) as Resource;
  if (clean.resourceType !== 'Task') {
    clean.extension = [...((clean.extension as unknown[]) ?? []), { url: rorExt('ror-meta-creation-date'), valueDateTime: DEMO_CREATION_DATE }];
  }
  return clean;
}

const DEMO_CREATION_DATE = '2026-01-15T09:00:00+01:00';
