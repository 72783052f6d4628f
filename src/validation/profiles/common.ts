import type { ElementRule, ExtensionRule, Text } from '../model.ts';
import { igValueSet, jdv, rorExt, tre } from './urls.ts';

/** Pieces shared by several ROR profiles (digest §1.2 and §1.8). */

export const t = (fr: string, en: string): Text => ({ fr, en });

/**
 * meta: the source-region tag (slice codeRegion 0..1, bound to JDV_J237). meta.lastUpdated is 1..1 in
 * every ROR profile but the store assigns it after validation, so it is not required here.
 */
export const meta: ElementRule = {
  name: 'meta',
  label: t('les métadonnées', 'metadata'),
  elements: [
    {
      name: 'tag',
      label: t('les étiquettes', 'tags'),
      slicing: {
        others: 'allow',
        slices: [
          {
            name: 'codeRegion',
            label: t('la région source', 'source region'),
            max: 1,
            systems: [tre('R30-RegionOM')],
            binding: jdv('J237-RegionOM-ROR'),
          },
        ],
      },
    },
  ],
};

/** ror-meta-creation-date (dateCreation) 1..1 on Location, HealthcareService, Organization, Practitioner(Role). */
export const creationDate: ExtensionRule = {
  url: rorExt('ror-meta-creation-date'),
  label: t('la date de création', 'creation date'),
  min: 1,
  max: 1,
  value: { type: 'dateTime' },
};

export const questionnaireTemplate: ExtensionRule = {
  url: rorExt('ror-meta-questionnaire-used-as-a-template'),
  label: t('le modèle de saisie utilisé', 'entry template used'),
  max: 1,
  value: { type: 'canonical' },
};

export const metaComment: ExtensionRule = {
  url: rorExt('ror-meta-comment'),
  label: t('le commentaire', 'comment'),
  max: 1,
  value: { type: 'string' },
};

const telecomChannel: ExtensionRule = {
  url: rorExt('ror-telecom-communication-channel'),
  label: t('le canal de communication', 'communication channel'),
  min: 1,
  max: 1,
  value: { type: 'CodeableConcept', binding: jdv('J225-CanalCommunication-ROR') },
};

const telecomConfidentiality: ExtensionRule = {
  url: rorExt('ror-telecom-confidentiality-level'),
  label: t('le niveau de confidentialité de la télécommunication', 'telecom confidentiality level'),
  min: 1,
  max: 1,
  value: { type: 'CodeableConcept', binding: jdv('J222-NiveauConfidentialite-ROR') },
};

const telecomUsage: ExtensionRule = {
  url: rorExt('ror-telecom-usage'),
  label: t("l'utilisation de la télécommunication", 'telecom usage'),
  max: 1,
  value: { type: 'string' },
};

/** The ROR telecom pattern: value 1..1, channel 1..1 (JDV_J225) and confidentiality level 1..1 (JDV_J222). */
export function telecom(label: Text, max?: number, opts: { mss?: boolean } = {}): ElementRule {
  return {
    name: 'telecom',
    label,
    max,
    // Value checked against its system; the e-mail boxes of offers, structures and professionals are MSSanté ones.
    invariants: opts.mss ? ['telecom-value', 'telecom-mss'] : ['telecom-value'],
    elements: [{ name: 'value', label: t("l'adresse de télécommunication", 'telecom address'), min: 1 }],
    extensions: [telecomChannel, telecomConfidentiality, telecomUsage],
  };
}

/** Zone d'intervention (HealthcareService, type 3) or territoire de santé (Organization EG, type 4). */
export function territorialDivision(typeCode: '3' | '4', label: Text): ExtensionRule {
  return {
    url: rorExt('ror-territorial-division'),
    label,
    extensions: [
      {
        url: 'typeTerritorialDivision',
        label: t('le type de division territoriale', 'territorial division type'),
        min: 1,
        max: 1,
        value: {
          type: 'CodeableConcept',
          binding: jdv('J223-TypeDivisionTerritoriale-ROR'),
          pattern: { coding: [{ system: tre('R201-TypeDivisionTerritoriale'), code: typeCode }] },
        },
      },
      {
        url: 'codeTerritorialDivision',
        label: t('le code de la division territoriale', 'territorial division code'),
        min: 1,
        max: 1,
        value: { type: 'CodeableConcept', binding: igValueSet('code-region-territorial-division-ror-valueset') },
      },
    ],
  };
}

/** availableTime with the ROR schedule extensions (HealthcareService, PractitionerRole). */
export function availableTime(max?: number): ElementRule {
  return {
    name: 'availableTime',
    label: t('les horaires', 'available time'),
    max,
    invariants: ['time-start-le-end'],
    // One day per range in the ROR (the integer day-of-week extension is preferred).
    elements: [{ name: 'daysOfWeek', label: t('le jour de la semaine', 'day of week'), max: 1 }],
    extensions: [
      {
        url: rorExt('ror-available-time-type-of-time'),
        label: t('le type de plage horaire', 'type of time range'),
        max: 1,
        value: { type: 'CodeableConcept', binding: jdv('J41-TypeHoraire-ROR') },
      },
      {
        url: rorExt('ror-available-time-effective-opening-closing-date'),
        label: t("les dates effectives d'ouverture et de fermeture", 'effective opening/closing dates'),
        max: 1,
        value: { type: 'Period', invariants: ['period-start-le-end'] },
      },
      {
        url: rorExt('ror-available-time-number-days-of-week'),
        label: t('le jour de la semaine', 'day of week number'),
        max: 1,
        value: { type: 'integer', invariants: ['day-of-week'] },
      },
    ],
  };
}

/** Organization.contact: confidentiality level 1..1 (JDV_J222), function (J220), purpose (J221), telecom pattern. */
export const organizationContact: ElementRule = {
  name: 'contact',
  label: t('le contact', 'contact'),
  extensions: [
    {
      url: rorExt('ror-contact-confidentiality-level'),
      label: t('le niveau de confidentialité du contact', 'contact confidentiality level'),
      min: 1,
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J222-NiveauConfidentialite-ROR') },
    },
    {
      url: rorExt('ror-contact-function-contact'),
      label: t('la fonction du contact', 'contact function'),
      max: 1,
      value: { type: 'CodeableConcept', binding: jdv('J220-FonctionContact-ROR') },
    },
    {
      url: rorExt('ror-contact-description'),
      label: t('la description du contact', 'contact description'),
      max: 1,
      value: { type: 'string' },
    },
  ],
  elements: [
    { name: 'purpose', label: t('la nature du contact', 'contact purpose'), binding: jdv('J221-NatureContact-ROR') },
    telecom(t('la télécommunication du contact', 'contact telecom')),
  ],
};
