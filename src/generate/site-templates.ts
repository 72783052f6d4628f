/**
 * Offer templates per FINESS category (TRE_R66) for the national generator: the demo's seven categories
 * (with their capacity split into several units, as large hospitals, EHPAD and SMR have) plus the other
 * frequent health and medico-social categories of the FINESS extract. Every code comes from the NOS files
 * (JDV_J17 activities, JDV_J19 care modes, JDV_J20 fields, JDV_J29 publics, JDV_J35 specialisations);
 * the generator test checks them. Pharmacies, laboratories and social services get no ROR offer.
 */
import { ALL, DISABLED, ELDERLY, HC, HJ, MCO, MS, PSY, SMR, TEMPLATES, type OfferTemplate } from '../demo/establishment-offers.ts';

const CS: [string, string] = ['32', 'Consultation (CS)'];
const DAY: [string, string] = ['47', 'Accueil de jour'];
const HOUSING: [string, string] = ['46', 'Hébergement (accueil jour et nuit)'];
const AT_HOME: [string, string] = ['49', 'Sur les lieux de vie'];
const AMBULATORY: [string, string] = ['05', 'Ambulatoire'];
const CHILDREN_DISABLED: [string, string][] = DISABLED;

/** Units per capacity offer of the demo categories (hospital wards, EHPAD living units…). */
const DEMO_UNITS: Record<string, [number, number]> = { '355': [2, 6], '109': [2, 4], '362': [2, 4], '500': [3, 6], '354': [1, 1], '183': [1, 3] };

function withUnits(category: string): OfferTemplate[] {
  return TEMPLATES[category].map((t) => (t.capacity ? { ...t, units: DEMO_UNITS[category] ?? [1, 2] } : t));
}

export const GENERATOR_TEMPLATES: Record<string, OfferTemplate[]> = {
  ...Object.fromEntries(Object.keys(TEMPLATES).map((c) => [c, withUnits(c)])),
  // Centre hospitalier régional: the CH set plus cardiology, paediatrics and palliative care.
  '101': [
    ...withUnits('355'),
    { activity: ['013', 'Cardiologie générale'], field: MCO, careMode: HC, audience: ALL, ages: [16, 120], capacity: { kind: 'lit', min: 20, max: 50 }, units: [2, 4] },
    { activity: ['088', 'Médecine pédiatrique'], field: MCO, careMode: HC, audience: ALL, ages: [0, 18], capacity: { kind: 'lit', min: 15, max: 40 }, units: [1, 3] },
    { activity: ['249', 'Urgences pédiatriques'], field: MCO, careMode: ['33', 'Accueil des urgences'], audience: ALL, ages: [0, 18] },
    { activity: ['170', 'Soins palliatifs'], field: MCO, careMode: HC, audience: ALL, ages: [18, 120], capacity: { kind: 'lit', min: 8, max: 15 } },
  ],
  // Centre hospitalier spécialisé en psychiatrie
  '292': [
    { activity: ['229', 'Psychiatrie adulte'], field: PSY, careMode: HC, audience: ALL, ages: [16, 120], capacity: { kind: 'lit', min: 20, max: 60 }, units: [2, 5] },
    { activity: ['229', 'Psychiatrie adulte'], field: PSY, careMode: HJ, audience: ALL, ages: [16, 120], capacity: { kind: 'place', min: 10, max: 25 } },
    { activity: ['227', 'Pédopsychiatrie infanto-juvénile'], field: PSY, careMode: HJ, audience: ALL, ages: [0, 16], capacity: { kind: 'place', min: 8, max: 20 } },
  ],
  // Établissement de soins pluridisciplinaire
  '365': [
    { activity: ['083', 'Médecine polyvalente'], field: MCO, careMode: HC, audience: ALL, ages: [16, 120], capacity: { kind: 'lit', min: 15, max: 40 }, units: [1, 3] },
    { activity: ['172', 'Réadaptation polyvalente'], field: SMR, careMode: HC, audience: ALL, ages: [18, 120], capacity: { kind: 'lit', min: 15, max: 40 }, units: [1, 3] },
  ],
  // Résidence autonomie
  '202': [
    { activity: ['298', 'Accompagnements pour vivre dans un logement'], field: MS, careMode: HOUSING, audience: [['03', 'Personnes âgées autonomes']], ages: [60, 120], capacity: { kind: 'place', min: 20, max: 80 }, units: [1, 3] },
  ],
  // SAAD: at home, no capacity
  '460': [
    { activity: ['293', 'Accompagnements pour les actes de la vie quotidienne (AVQ)'], field: MS, careMode: AT_HOME, audience: ELDERLY, ages: [60, 120], atHome: true },
    { activity: ['299', 'Accompagnements pour accomplir les activités domestiques'], field: MS, careMode: AT_HOME, audience: [...ELDERLY, ...DISABLED], ages: [18, 120], atHome: true },
  ],
  // Centre de santé
  '124': [
    { activity: ['437', 'Médecine générale'], field: AMBULATORY, careMode: CS, audience: ALL, ages: [0, 120] },
    { activity: ['442', 'Chirurgie dentaire'], field: AMBULATORY, careMode: CS, audience: ALL, ages: [0, 120] },
  ],
  // Maison de santé pluriprofessionnelle
  '603': [
    { activity: ['437', 'Médecine générale'], field: AMBULATORY, careMode: CS, audience: ALL, ages: [0, 120] },
    { activity: ['287', 'Soins techniques infirmiers'], field: AMBULATORY, careMode: CS, audience: ALL, ages: [0, 120] },
    { activity: ['339', 'Kinésithérapie'], field: AMBULATORY, careMode: CS, audience: ALL, ages: [0, 120] },
  ],
  // SESSAD
  '182': [
    { activity: ['300', 'Accompagnements à la scolarisation'], field: MS, careMode: AT_HOME, audience: CHILDREN_DISABLED, ages: [0, 20], capacity: { kind: 'place', min: 10, max: 40 }, atHome: true },
  ],
  // Foyer de vie
  '382': [
    { activity: ['313', 'Accompagnements à des activités sociales, culturelles, sportives et de loisirs'], field: MS, careMode: HOUSING, audience: DISABLED, ages: [20, 60], capacity: { kind: 'place', min: 20, max: 50 }, units: [1, 3] },
  ],
  // ESAT
  '246': [
    { activity: ['305', "Accompagnements dans l'activité professionnelle"], field: MS, careMode: DAY, audience: DISABLED, ages: [18, 62], capacity: { kind: 'place', min: 30, max: 100 } },
  ],
  // Maison d'accueil spécialisée
  '255': [
    { activity: ['285', 'Soins médicaux somatiques'], field: MS, careMode: HOUSING, audience: DISABLED, ages: [20, 120], capacity: { kind: 'place', min: 30, max: 60 }, units: [2, 4] },
  ],
  // Foyer d'accueil médicalisé
  '437': [
    { activity: ['288', "Soins d'hygiène médicalisés"], field: MS, careMode: HOUSING, audience: DISABLED, ages: [20, 120], capacity: { kind: 'place', min: 20, max: 50 }, units: [1, 3] },
  ],
  // Foyer d'hébergement pour adultes handicapés
  '252': [
    { activity: ['298', 'Accompagnements pour vivre dans un logement'], field: MS, careMode: HOUSING, audience: DISABLED, ages: [20, 60], capacity: { kind: 'place', min: 20, max: 40 } },
  ],
  // ITEP
  '186': [
    { activity: ['300', 'Accompagnements à la scolarisation'], field: MS, careMode: DAY, audience: DISABLED, ages: [6, 20], capacity: { kind: 'place', min: 20, max: 50 } },
  ],
  // CMPP
  '189': [
    { activity: ['227', 'Pédopsychiatrie infanto-juvénile'], field: PSY, careMode: CS, audience: ALL, ages: [0, 20] },
  ],
  // CATTP
  '425': [
    { activity: ['231', 'Soins de réhabilitation psycho-sociale'], field: PSY, careMode: DAY, audience: ALL, ages: [16, 120], capacity: { kind: 'place', min: 10, max: 30 } },
  ],
  // CSAPA
  '197': [
    { activity: ['404', 'Addictologie avec substance(s)'], field: MS, careMode: CS, audience: [['04', "Personnes souffrant d'addictions"]], ages: [12, 120] },
  ],
  // Alternative à la dialyse en centre
  '146': [
    { activity: ['059', 'Hémodialyse chronique'], field: MCO, careMode: ['20', 'Soins externes et traitements ambulatoires'], audience: ALL, ages: [18, 120], capacity: { kind: 'place', min: 6, max: 20 } },
  ],
  // PMI consultation
  '230': [
    { activity: ['308', 'Accompagnements à la parentalité'], field: MS, careMode: CS, audience: ALL, ages: [0, 6] },
  ],
};
