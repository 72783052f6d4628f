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
import { rorExt, SYNTHETIC_TAG, SYSTEM } from './codes.ts';
import { cabinetLocation, cabinetOrganization, cityOffer, mssAddress, practitioner, practitionerRole } from './city-resources.ts';
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

export const GIVEN = ['Camille', 'Léa', 'Manon', 'Chloé', 'Sarah', 'Inès', 'Julie', 'Emma', 'Lucas', 'Hugo', 'Thomas', 'Nicolas', 'Antoine', 'Julien', 'Mehdi', 'Karim', 'Sophie', 'Claire', 'Amélie', 'Yasmine', 'Pauline', 'Maxime', 'Romain', 'Élodie'];
export const FAMILY = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier', 'Benali', 'Haddad', 'Nguyen', 'Da Silva'];
export const STREETS = ['rue de la République', 'avenue du Général de Gaulle', 'rue Nationale', 'boulevard Carnot', 'rue de Paris', 'place du Marché', 'rue Gambetta', 'rue Victor Hugo', 'avenue Jean Jaurès', 'rue du Château'];

/** Kinésithérapie activities of JDV_J17 (TRE_R211): the general one and the specialised ones. */
export const KINE_GENERAL = { code: '339', display: 'Kinésithérapie' };
export const KINE_SPECIALISED = [
  { code: '418', display: 'Kinésithérapie Spécialisée Orthopédie' },
  { code: '425', display: 'Kinésithérapie Spécialisée Traumatologie' },
  { code: '419', display: 'Kinésithérapie Spécialisée Respiratoire' },
  { code: '421', display: 'Kinésithérapie Spécialisée Périnéologie' },
  { code: '417', display: 'Kinésithérapie Spécialisée Neurologie' },
  { code: '428', display: 'Kinésithérapie Spécialisée Gériatrie' },
  { code: '424', display: 'Kinésithérapie Spécialisée Rhumatologie' },
  { code: '427', display: 'Kinésithérapie Spécialisée du sport' },
];
export const MIDWIFE_ACTIVITIES = [
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
      const mss = mssAddress(given, family, profession === 'kine' ? 'masseur-kinesitherapeute' : 'sage-femme');
      const label = profession === 'kine' ? 'masseur-kinésithérapeute' : 'sage-femme';
      const ids = {
        practitioner: `demo-ps-${rpps}`,
        organization: `demo-cabinet-${rpps}`,
        location: `demo-lieu-${rpps}`,
      };
      const resources: Resource[] = [];
      resources.push(practitioner(ids.practitioner, meta(), rpps, given, family, mss));
      resources.push(cabinetOrganization(ids.organization, meta(), `Cabinet de ${profession === 'kine' ? 'kinésithérapie' : 'sage-femme'} ${given} ${family}`, phone, address));
      resources.push(cabinetLocation(ids.location, meta(), ids.organization, `Cabinet ${given} ${family}, ${commune.name}`, commune, phone, address, position));
      activities.forEach((activity, i) => {
        const offerId = `demo-offre-${rpps}-${activity.code}`;
        resources.push(cityOffer({
          id: offerId, meta: meta(), region: REGION_IDF, organizationId: ids.organization, locationId: ids.location, activity,
          ageLow: activity.code === '428' ? 60 : 0, name: `${activity.display} — ${given} ${family} (${label}, ${commune.name})`,
          phone, mss, homeVisits, zone, hours: profession === 'kine' ? ['08:00:00', '19:30:00'] : ['09:00:00', '18:00:00'],
          comment: i === 0 ? 'Données synthétiques de démonstration.' : undefined,
        }));
        resources.push(practitionerRole(
          `demo-role-${rpps}-${activity.code}`, meta(),
          { practitioner: ids.practitioner, organization: ids.organization, location: ids.location, offers: [offerId] },
          profession === 'kine' ? { code: '70', display: 'Masseur-Kinésithérapeute' } : { code: '50', display: 'Sage-Femme' },
        ));
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
