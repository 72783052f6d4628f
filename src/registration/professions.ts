/**
 * Professions open to self-registration and what each describes of its city offer: the savoir-faire are
 * operational activities of JDV_J17 (TRE_R211), one city offer per activity as the ROR models it.
 * Every code below is in /work/shared/data/nos (JDV_J229 for professions, JDV_J17 for activities).
 */
export interface Activity { code: string; display: string }

export interface OpenProfession {
  /** TRE_G15-ProfessionSante code. */
  code: string;
  display: string;
  /** Template (Questionnaire id) of its city offer. */
  template: string;
  /** The activity every offer of the profession starts with. */
  general: Activity;
  /** Savoir-faire and particular skills the professional may add. */
  skills: Activity[];
}

export const OPEN_PROFESSIONS: OpenProfession[] = [
  {
    code: '70', display: 'Masseur-Kinésithérapeute', template: 'ror-questionnaire-masseur-kinesitherapeute',
    general: { code: '339', display: 'Kinésithérapie' },
    skills: [
      { code: '419', display: 'Kinésithérapie Spécialisée Respiratoire' },
      { code: '421', display: 'Kinésithérapie Spécialisée Périnéologie' },
      { code: '418', display: 'Kinésithérapie Spécialisée Orthopédie' },
      { code: '425', display: 'Kinésithérapie Spécialisée Traumatologie' },
      { code: '417', display: 'Kinésithérapie Spécialisée Neurologie' },
      { code: '420', display: 'Kinésithérapie Spécialisée Cardiologie' },
      { code: '428', display: 'Kinésithérapie Spécialisée Gériatrie' },
      { code: '424', display: 'Kinésithérapie Spécialisée Rhumatologie' },
      { code: '427', display: 'Kinésithérapie Spécialisée du sport' },
    ],
  },
  {
    code: '50', display: 'Sage-Femme', template: 'ror-questionnaire-sage-femme',
    general: { code: '282', display: 'Périnatalité (suivi de grossesse)' },
    skills: [
      { code: '308', display: 'Accompagnements à la parentalité' },
      { code: '510', display: 'Échographie gynécologique et obstétricale (dont échographie de grossesse)' },
      { code: '230', display: 'Psychiatrie périnatale' },
    ],
  },
  {
    code: '91', display: 'Orthophoniste', template: 'ror-questionnaire-orthophoniste',
    general: { code: '200', display: 'Orthophonie' },
    skills: [{ code: '524', display: 'Réadaptation spécialisée troubles du langage et des apprentissages' }],
  },
];

export function openProfession(code: string | undefined): OpenProfession | undefined {
  return OPEN_PROFESSIONS.find((p) => p.code === code);
}
