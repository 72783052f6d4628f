import type { CodingSlice, ExtensionRule, Profile } from '../model.ts';
import { availableTime, creationDate, meta, questionnaireTemplate, t, telecom, territorialDivision } from './common.ts';
import { jdv, rorExt, tre } from './urls.ts';

/**
 * ror-healthcareservice (Offre opérationnelle), digest §1.4.
 *
 * careMode (characteristic from JDV_J19 / TRE_R213) is 1..1 as in the profile. The published example
 * HealthcareService/1234564 has no careMode characteristic: we keep the profile's rule, so that example
 * is reported with exactly that one violation (see healthcare-service.test.ts).
 */

const ACT_TYPE = rorExt('ror-act-type');
const actTypeForbidden: ExtensionRule = { url: ACT_TYPE, label: t("le type d'acte", 'act type'), max: 0 };

function actType(code: 'specificAct' | 'outsideOfficeAct'): ExtensionRule {
  return {
    url: ACT_TYPE,
    label: t("le type d'acte", 'act type'),
    min: 1,
    max: 1,
    value: { type: 'code', fixed: code },
  };
}

/** A characteristic slice that must not carry ror-act-type. */
function plain(slice: Omit<CodingSlice, 'extensions'>): CodingSlice {
  return { ...slice, extensions: [actTypeForbidden] };
}

const characteristicSlices: CodingSlice[] = [
  plain({ name: 'receptionType', label: t("la temporalité d'accueil", 'reception type'), max: 1, systems: [tre('R240-TemporaliteAccueil')], binding: jdv('J30-TemporaliteAccueil-ROR') }),
  plain({ name: 'careMode', label: t('le mode de prise en charge', 'care mode'), min: 1, max: 1, systems: [tre('R213-ModePriseEnCharge')], binding: jdv('J19-ModePriseEnCharge-ROR') }),
  plain({ name: 'receptionModality', label: t("la modalité d'accueil", 'reception modality'), systems: [tre('R338-ModaliteAccueil')], binding: jdv('J226-ModaliteAccueil-ROR') }),
  plain({ name: 'managementType', label: t('le mode de gestion', 'management type'), systems: [tre('R236-ModeGestion')], binding: jdv('J26-ModeGestion-ROR') }),
  {
    name: 'specificAct',
    label: t("l'acte spécifique", 'specific act'),
    systems: [tre('R210-ActeSpecifique')],
    binding: jdv('J16-ActeSpecifique-ROR'),
    discriminator: { url: ACT_TYPE, code: 'specificAct' },
    extensions: [actType('specificAct')],
  },
  {
    name: 'outsideOfficeAct',
    label: t("l'acte réalisé hors cabinet", 'outside-office act'),
    systems: [tre('R210-ActeSpecifique')],
    binding: jdv('J16-ActeSpecifique-ROR'),
    discriminator: { url: ACT_TYPE, code: 'outsideOfficeAct' },
    extensions: [actType('outsideOfficeAct')],
  },
  plain({ name: 'takingCareSpeciality', label: t('la spécialisation de prise en charge', 'care specialisation'), systems: [tre('R245-SpecialisationDePriseEnCharge')], binding: jdv('J35-SpecialisationDePriseEnCharge-ROR') }),
  plain({ name: 'annualOpening', label: t("l'ouverture annuelle", 'annual opening'), max: 1, systems: [tre('R238-OuvertureAnnuelle')], binding: jdv('J28-OuvertureAnnuelle-ROR') }),
  plain({
    name: 'ressourceProfession',
    label: t('la profession ressource', 'resource profession'),
    systems: ['R356-ProfessionRessource', 'G15-ProfessionSante', 'R94-ProfessionSocial', 'R95-UsagerTitre', 'G16-ProfessionFormation', 'R96-AutreFonctionSanitaire', 'R85-RolePriseCharge'].map(tre),
    binding: jdv('J186-ProfessionRessource-ROR'),
  }),
  plain({ name: 'specificCompetence', label: t('la compétence spécifique', 'specific competence'), systems: [tre('R243-CompetenceSpecifique')], binding: jdv('J33-CompetenceSpecifique-ROR') }),
  plain({ name: 'expertiseLevel', label: t("le niveau d'expertise", 'expertise level'), systems: [tre('R253-TypeMaternite')], binding: jdv('J227-NiveauExpertise-ROR') }),
  plain({ name: 'temporalityStopService', label: t("le type de fermeture de l'offre", 'service stop type'), max: 1, systems: [tre('R286-TypeFermeture')], binding: jdv('J185-TypeFermeture-ROR') }),
];

const contactTelecom: ExtensionRule = {
  url: rorExt('ror-healthcareservice-contact-telecom'),
  label: t('la télécommunication du contact', 'contact telecom'),
  extensions: [
    {
      url: rorExt('ror-telecom-communication-channel'),
      label: t('le canal de communication', 'communication channel'),
      min: 1,
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J225-CanalCommunication-ROR') },
    },
    {
      url: rorExt('ror-telecom-confidentiality-level'),
      label: t('le niveau de confidentialité de la télécommunication', 'telecom confidentiality level'),
      min: 1,
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J222-NiveauConfidentialite-ROR') },
    },
    { url: rorExt('ror-telecom-usage'), label: t("l'utilisation", 'usage'), max: 1, value: { type: 'string' } },
    { url: 'telecomAddress', label: t("l'adresse de télécommunication", 'telecom address'), min: 1, max: 1, value: { type: 'string', invariants: ['telecom-address'] } },
  ],
};

const contact: ExtensionRule = {
  url: rorExt('ror-healthcareservice-contact'),
  label: t("le contact de l'offre", 'offer contact'),
  extensions: [
    { url: 'name', label: t('le nom du contact', 'contact name'), max: 1, value: { type: 'HumanName' } },
    { url: 'purposeContact', label: t('la nature du contact', 'contact purpose'), max: 1, value: { type: 'CodeableConcept', binding: jdv('J221-NatureContact-ROR') } },
    { url: 'description', label: t('la description du contact', 'contact description'), max: 1, value: { type: 'string' } },
    {
      url: rorExt('ror-confidentiality-level'),
      label: t('le niveau de confidentialité du contact', 'contact confidentiality level'),
      min: 1,
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J222-NiveauConfidentialite-ROR') },
    },
    {
      url: rorExt('ror-function-contact'),
      label: t('la fonction du contact', 'contact function'),
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J220-FonctionContact-ROR') },
    },
    contactTelecom,
  ],
};

const patientType: ExtensionRule = {
  url: rorExt('ror-healthcareservice-patient-type'),
  label: t('le public pris en charge', 'patient type'),
  min: 1,
  max: 1,
  extensions: [
    {
      url: 'supportedPatientInfo',
      label: t('le type de public', 'supported patient info'),
      value: { type: 'CodeableConcept', binding: jdv('J29-PublicPrisEnCharge-ROR') },
    },
    {
      url: 'ageRange',
      label: t("la tranche d'âge", 'age range'),
      min: 1,
      max: 1,
      value: {
        type: 'Range',
        invariants: ['range-low-le-high', 'range-non-negative'],
        elements: [
          { name: 'low', label: t("l'âge minimum", 'minimum age'), min: 1, elements: [{ name: 'value', label: t("la valeur de l'âge minimum", 'minimum age value'), min: 1 }] },
          { name: 'high', label: t("l'âge maximum", 'maximum age'), min: 1, elements: [{ name: 'value', label: t("la valeur de l'âge maximum", 'maximum age value'), min: 1 }] },
        ],
      },
    },
  ],
};

export const healthcareService: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice',
  resourceType: 'HealthcareService',
  name: 'ror-healthcareservice',
  label: t('offre opérationnelle', 'operational offer'),
  elements: [
    meta,
    {
      name: 'identifier',
      label: t("l'identifiant de l'offre", 'offer identifier'),
      min: 1,
      max: 1,
      elements: [{ name: 'value', label: t("la valeur de l'identifiant de l'offre", 'offer identifier value'), min: 1 }],
    },
    { name: 'providedBy', label: t("la structure porteuse de l'offre", 'providing organization'), min: 1, max: 1 },
    { name: 'category', label: t("le type d'offre", 'offer category'), max: 1, binding: jdv('J238-TypeOffre-ROR') },
    { name: 'type', label: t("le champ d'activité", 'activity field'), min: 1, max: 1, binding: jdv('J20-ChampActivite-ROR') },
    {
      name: 'specialty',
      label: t("l'activité opérationnelle", 'operational activity'),
      min: 1,
      slicing: {
        others: 'warn',
        slices: [
          { name: 'operationalActivity', label: t("l'activité opérationnelle", 'operational activity'), min: 1, max: 1, systems: [tre('R211-ActiviteOperationnelle')], binding: jdv('J17-ActiviteOperationnelle-ROR') },
          { name: 'operationalActivityFamily', label: t("la famille d'activité opérationnelle", 'operational activity family'), max: 1, systems: [tre('R265-PrestationPilotageSerafin')], binding: jdv('J51-FamilleActiviteOperationnelle-ROR') },
        ],
      },
    },
    {
      name: 'characteristic',
      label: t("les caractéristiques de l'offre", 'offer characteristics'),
      min: 1,
      slicing: { others: 'warn', slices: characteristicSlices },
    },
    availableTime(),
    {
      name: 'notAvailable',
      label: t('la période de fermeture', 'closing period'),
      max: 1,
      elements: [{ name: 'during', label: t('les dates de fermeture et de réouverture', 'closing and reopening dates'), invariants: ['period-start-le-end'] }],
    },
    telecom(t("la messagerie sécurisée de l'offre", 'offer secure mailbox'), undefined, { mss: true }),
  ],
  extensions: [
    territorialDivision('3', t("la zone d'intervention", 'intervention zone')),
    {
      url: rorExt('ror-healthcareservice-sensitive-unit'),
      label: t("l'indicateur d'unité sensible", 'sensitive unit flag'),
      min: 1,
      max: 1,
      value: { type: 'boolean' },
    },
    {
      url: rorExt('ror-healthcareservice-no-consent-habilitation'),
      label: t("l'habilitation aux soins sans consentement", 'no-consent care habilitation'),
      max: 1,
      value: { type: 'boolean' },
    },
    { url: rorExt('ror-healthcareservice-psychiatric-sector'), label: t('le secteur psychiatrique', 'psychiatric sector'), value: { type: 'string' } },
    patientType,
    contact,
    creationDate,
    questionnaireTemplate,
  ],
};
