/**
 * The nomenclatures of the ROR anomaly report (Task, IG §1.9). The three value sets are not among the NOS files of
 * shared/data/nos (its README lists J241, J242 and J244 as "not attempted"); their codes are copied verbatim from the
 * ANS terminology IG (`ans.fr.terminologies`, ValueSet JDV-J241-ThematiqueAnomalie-ROR v20240126120000,
 * JDV-J242-ActionAnomalie-ROR v20230331120000, JDV-J244-StatutMetierAnomalie-ROR v20230922120000), which draw on
 * TRE_R350, TRE_R349 and TRE_R352. The IG's own example Task uses the same systems and codes (02, 06, COR).
 */
const nos = (tre: string) => `https://mos.esante.gouv.fr/NOS/${tre}/FHIR/${tre.replace('_', '-')}`;

export const THEME_SYSTEM = nos('TRE_R350-ThematiqueAnomalie');
export const ACTION_SYSTEM = nos('TRE_R349-ActionAnomalie');
export const STATUS_SYSTEM = nos('TRE_R352-StatutMetierAnomalie');
export const INPUT_SYSTEM = 'https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/input-task-ror-codesystem';
export const OUTPUT_SYSTEM = 'https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/output-task-ror-codesystem';

/** JDV_J241 thématique. */
export const THEMES: Record<string, string> = {
  '01': 'Complétude',
  '02': 'Exhaustivité',
  '03': 'Cohérence',
  '04': 'Récence',
  '05': 'Structuration',
  '06': 'Exactitude',
};

/** JDV_J242 action proposée. */
export const ACTIONS: Record<string, string> = { AJO: 'Ajout', COR: 'Correction', SUP: 'Suppression' };

/** JDV_J244 statut métier. */
export const STATUSES: Record<string, string> = {
  '01': 'Créé',
  '02': 'À traiter',
  '03': 'Annulé',
  '04': 'Bloqué (destinataire manquant)',
  '05': 'Envoyé au destinataire',
  '06': 'Toléré temporairement',
  '07': 'Toléré définitivement',
  '08': 'Corrigé',
  '09': 'Refusé',
  '10': 'À vérifier',
  '11': 'Bloqué (destinataire erroné)',
};

/** Business statuses a structure's referent may set while following up a report (the others are the platform's). */
export const REFERENT_STATUSES = ['02', '06', '07', '08', '09', '10'] as const;

/** Business statuses after which nothing is left to do. */
export const CLOSED_STATUSES = new Set(['03', '07', '08', '09']);

/** The FHIR Task.status (base R4 code) that goes with a business status. */
export function taskStatusOf(business: string): string {
  switch (business) {
    case '01':
      return 'requested';
    case '03':
      return 'cancelled';
    case '06':
      return 'on-hold';
    case '07':
    case '08':
      return 'completed';
    case '09':
      return 'rejected';
    default:
      return 'in-progress';
  }
}
