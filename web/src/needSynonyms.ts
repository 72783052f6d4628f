/**
 * Words coordinators type in the "besoin" box that are not the NOS label (abbreviations, old names, everyday
 * words), each mapped to real NOS concepts of the box's value sets (JDV_J17 activities, the TRE_G15 professions of
 * JDV_J186 — the system the search filters professions on —, JDV_J19 care modes, JDV_J29 publics).
 * Every code and label here is checked against /work/shared/data/nos by src/web/need-synonyms.test.ts.
 */
export interface NeedSynonym {
  /** What is typed, lower case without accents; matched when it starts with what was typed. */
  terms: string[];
  concepts: { param: 'activity' | 'profession' | 'careMode' | 'public'; code: string; display: string }[];
}

export const NEED_SYNONYMS: NeedSynonym[] = [
  {
    terms: ['kine', 'kinesitherapeute', 'masseur'],
    concepts: [
      { param: 'profession', code: '70', display: 'Masseur-Kinésithérapeute' },
      { param: 'activity', code: '339', display: 'Kinésithérapie' },
    ],
  },
  {
    // SSR became SMR (soins médicaux et de réadaptation) in 2023; the NOS names the activities "Réadaptation …".
    terms: ['ssr', 'smr', 'soins de suite', 'soins medicaux et de readaptation', 'reeducation'],
    concepts: [
      { param: 'activity', code: '172', display: 'Réadaptation polyvalente' },
      { param: 'activity', code: '241', display: 'Réadaptation des affections des personnes âgées polypathologiques, dépendantes ou à risque de dépendance' },
      { param: 'activity', code: '283', display: 'Rééducation - réadaptation' },
    ],
  },
  {
    terms: ['maison de retraite', 'ehpad', 'hebergement personnes agees'],
    concepts: [
      { param: 'careMode', code: '46', display: 'Hébergement (accueil jour et nuit)' },
      { param: 'public', code: '01', display: "Personnes âgées en perte d'autonomie (PA) et aidants" },
    ],
  },
  { terms: ['had', 'hospitalisation a domicile'], concepts: [{ param: 'careMode', code: '31', display: 'Hospitalisation à domicile (HAD)' }] },
  {
    terms: ['orthophonie', 'orthophoniste', 'ortho'],
    concepts: [
      { param: 'profession', code: '91', display: 'Orthophoniste' },
      { param: 'activity', code: '200', display: 'Orthophonie' },
    ],
  },
  {
    terms: ['psy', 'psychologue', 'psychiatre'],
    concepts: [
      { param: 'activity', code: '289', display: 'Suivi psychologique' },
      { param: 'activity', code: '229', display: 'Psychiatrie adulte' },
      { param: 'activity', code: '227', display: 'Pédopsychiatrie infanto-juvénile' },
    ],
  },
  {
    terms: ['ide', 'infirmiere', 'infirmier', 'soins infirmiers'],
    concepts: [
      { param: 'profession', code: '60', display: 'Infirmier' },
      { param: 'activity', code: '287', display: 'Soins techniques infirmiers' },
    ],
  },
  { terms: ['dentiste'], concepts: [{ param: 'profession', code: '40', display: 'Chirurgien-Dentiste' }] },
  { terms: ['generaliste', 'medecin traitant', 'mg'], concepts: [{ param: 'activity', code: '437', display: 'Médecine générale' }] },
  {
    terms: ['pedicure', 'podologue'],
    concepts: [
      { param: 'profession', code: '80', display: 'Pédicure-Podologue' },
      { param: 'activity', code: '201', display: 'Podologie' },
    ],
  },
  { terms: ['maieuticien'], concepts: [{ param: 'profession', code: '50', display: 'Sage-Femme' }] },
  { terms: ['hopital de jour', 'hdj'], concepts: [{ param: 'careMode', code: '29', display: 'Hospitalisation de jour (HJ)' }] },
  { terms: ['soins palliatifs', 'palliatif', 'fin de vie'], concepts: [{ param: 'activity', code: '170', display: 'Soins palliatifs' }] },
  { terms: ['accueil de jour'], concepts: [{ param: 'careMode', code: '47', display: 'Accueil de jour' }] },
];

const normalize = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** Concepts of the synonyms whose term starts with what was typed (at least 2 characters), each once, with the term. */
export function synonymConcepts(typed: string): (NeedSynonym['concepts'][number] & { synonym: string })[] {
  const key = normalize(typed);
  if (key.length < 2) return [];
  const out: (NeedSynonym['concepts'][number] & { synonym: string })[] = [];
  const seen = new Set<string>();
  for (const s of NEED_SYNONYMS) {
    const term = s.terms.find((t) => t.startsWith(key));
    if (!term) continue;
    for (const c of s.concepts) {
      if (seen.has(`${c.param}|${c.code}`)) continue;
      seen.add(`${c.param}|${c.code}`);
      out.push({ ...c, synonym: term });
    }
  }
  return out;
}
