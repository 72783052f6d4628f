import type { Profile } from '../model.ts';
import { availableTime, creationDate, meta, metaComment, t, telecom } from './common.ts';
import { jdv, rorExt, tre } from './urls.ts';

/** ror-practitionerrole (exercice professionnel + situation opérationnelle), digest §1.7. */

const ANNUAIRE = 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition';

export const practitionerRole: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole',
  resourceType: 'PractitionerRole',
  name: 'ror-practitionerrole',
  label: t('situation opérationnelle', 'practitioner role'),
  elements: [
    meta,
    { name: 'identifier', label: t("l'identifiant de la situation opérationnelle", 'practitioner role identifier'), max: 1 },
    { name: 'practitioner', label: t('le professionnel', 'practitioner'), min: 1, max: 1 },
    { name: 'healthcareService', label: t("l'offre opérationnelle", 'healthcare service'), min: 1, max: 1 },
    { name: 'code', label: t('la profession', 'profession'), min: 1, max: 1, binding: jdv('J229-ProfessionSante-ROR') },
    {
      name: 'specialty',
      label: t('les savoir-faire', 'skills'),
      slicing: {
        // Several of these value sets are not in our NOS files: codings we cannot place are allowed.
        others: 'allow',
        slices: [
          { name: 'expertiseType', label: t('le type de savoir-faire', 'expertise type'), min: 1, max: 1, systems: [tre('R04-TypeSavoirFaire')], binding: jdv('J209-TypeSavoirFaire-ROR') },
          { name: 'specialty', label: t('la spécialité ordinale', 'specialty'), max: 1, systems: [tre('R38-SpecialiteOrdinale')], binding: jdv('J210-SpecialiteOrdinale-ROR') },
          { name: 'expertiseCapacity', label: t('la capacité de savoir-faire', 'expertise capacity'), binding: jdv('J213-CapaciteSavoirFaire-ROR') },
          { name: 'competence', label: t('la compétence', 'competence'), binding: jdv('J232-Competence-ROR') },
          { name: 'exclusiveCompetence', label: t('la compétence exclusive', 'exclusive competence'), binding: jdv('J211-CompetenceExclusive-ROR') },
          { name: 'specificOrientation', label: t("l'orientation particulière", 'specific orientation'), binding: jdv('J212-OrientationParticuliere-ROR') },
          { name: 'qualificationPAC', label: t('la qualification PAC', 'PAC qualification'), binding: jdv('J214-QualificationPAC-ROR') },
          { name: 'nonQualifyingDESC', label: t('le DESC non qualifiant', 'non-qualifying DESC'), binding: jdv('J215-DESCnonQualifiant-ROR') },
          { name: 'supplementaryExerciseRight', label: t("le droit d'exercice complémentaire", 'supplementary exercise right'), binding: jdv('J216-DroitExerciceCompl-ROR') },
          { name: 'specificCompetence', label: t('la compétence spécifique', 'specific competence'), systems: [tre('R243-CompetenceSpecifique')], binding: jdv('J33-CompetenceSpecifique-ROR') },
        ],
      },
    },
    availableTime(1),
    telecom(t('la télécommunication de la situation opérationnelle', 'practitioner role telecom'), 1),
  ],
  extensions: [
    {
      url: rorExt('ror-practitionerrole-unit-exercise-mode'),
      label: t("le mode d'exercice dans l'offre", 'unit exercise mode'),
      min: 1,
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J217-ModeExercice-ROR') },
    },
    {
      url: rorExt('RORPractitionerRoleName'),
      label: t("l'identité d'exercice", 'exercise identity'),
      max: 1,
      extensions: [
        { url: 'exerciseTitle', label: t("la civilité d'exercice", 'exercise title'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J208-CiviliteExercice-ROR') } },
        { url: 'exerciseLastName', label: t("le nom d'exercice", 'exercise last name'), min: 1, max: 1, value: { type: 'string' } },
        { url: 'exerciseFirstName', label: t("le prénom d'exercice", 'exercise first name'), max: 1, value: { type: 'string' } },
      ],
    },
    {
      url: `${ANNUAIRE}/practitionerRole-contracted`,
      label: t('le secteur de conventionnement', 'contracted sector'),
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J218-CNAMAmeliSecteurConventionnement-ROR') },
    },
    { url: `${ANNUAIRE}/practitionerRole-hasCAS`, label: t("l'option CAS/OPTAM", 'CAS option'), max: 1, value: { type: 'boolean' } },
    { url: `${ANNUAIRE}/practitionerRole-vitaleAccepted`, label: t("l'acceptation de la carte Vitale", 'Vitale card accepted'), max: 1, value: { type: 'boolean' } },
    creationDate,
    metaComment,
  ],
};
