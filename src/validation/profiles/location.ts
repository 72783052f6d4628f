import type { ExtensionRule, Profile } from '../model.ts';
import { creationDate, meta, questionnaireTemplate, t, telecom } from './common.ts';
import { jdv, rorExt, tre } from './urls.ts';

/** ror-location (Lieu de réalisation de l'offre) with its capacity records, digest §1.5. */

const cc = (binding: ReturnType<typeof jdv>) => ({ type: 'CodeableConcept' as const, binding });

/** One capacity record (CapacitePriseCharge): a complex extension, value[x] forbidden. */
export const supportedCapacity: ExtensionRule = {
  url: rorExt('ror-location-supported-capacity'),
  label: t('la capacité', 'capacity record'),
  extensions: [
    { url: 'capacityType', label: t('la nature de la capacité', 'capacity type'), min: 1, max: 1, value: cc(jdv('J187-NatureCapacite-ROR')) },
    { url: 'capacityStatus', label: t('le statut de la capacité', 'capacity status'), min: 1, max: 1, value: cc(jdv('J188-TypeStatutCapacite-ROR')) },
    { url: 'temporalityCapacity', label: t('la temporalité de la capacité', 'capacity temporality'), min: 1, max: 1, value: cc(jdv('J189-TemporaliteCapacite-ROR')) },
    { url: 'nbCapacity', label: t('le nombre de lits ou places', 'capacity count'), min: 1, max: 1, value: { type: 'integer', invariants: ['non-negative'] } },
    { url: 'capacitySourceType', label: t('le type de source de la capacité', 'capacity source type'), min: 1, max: 1, value: cc(jdv('J193-TypeSourceCapacite-ROR')) },
    { url: 'genderCapacityAvailable', label: t('le genre de la capacité disponible', 'available capacity gender'), max: 1, value: cc(jdv('J190-GenreCapacite-ROR')) },
    { url: 'capacityUpdateDate', label: t('la date de mise à jour de la capacité', 'capacity update date'), min: 1, max: 1, value: { type: 'dateTime' } },
    { url: 'capacityClosingType', label: t('le type de fermeture de la capacité', 'capacity closing type'), max: 1, value: cc(jdv('J191-TypeFermetureCapacite-ROR')) },
    { url: 'additionalBedType', label: t('le type de lits supplémentaires', 'additional bed type'), max: 1, value: cc(jdv('J192-TypeLitSupplementaire-ROR')) },
    { url: 'crisisType', label: t('le type de crise', 'crisis type'), max: 1, value: cc(jdv('J194-TypeCrise-ROR')) },
    { url: 'temporaryAssignement', label: t("l'affectation temporaire", 'temporary assignment'), min: 1, max: 1, value: cc(jdv('J195-AffectationTemporaire-ROR')) },
    { url: 'comment', label: t('le commentaire de la capacité', 'capacity comment'), max: 1, value: { type: 'string' } },
  ],
};

export const location: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location',
  resourceType: 'Location',
  name: 'ror-location',
  label: t('lieu', 'location'),
  elements: [
    meta,
    {
      name: 'identifier',
      label: t('les identifiants du lieu', 'location identifiers'),
      slicing: {
        path: 'type',
        others: 'allow',
        slices: [
          { name: 'idExterneSynchro', label: t("l'identifiant externe de synchronisation", 'external sync identifier'), max: 1, codes: [{ system: tre('R354-TypeIdentifiantRessourceOperationnelle'), code: '26' }] },
          { name: 'idLocation', label: t("l'identifiant fonctionnel du lieu", 'functional location identifier'), max: 1, codes: [{ system: tre('R354-TypeIdentifiantRessourceOperationnelle'), code: '25' }] },
        ],
      },
    },
    { name: 'operationalStatus', label: t('le statut du lieu', 'location status'), binding: jdv('J224-StatutLieu-ROR') },
    { name: 'type', label: t('la fonction du lieu', 'location function'), max: 1, binding: jdv('J198-FonctionLieu-ROR') },
    telecom(t('la télécommunication du lieu', 'location telecom')),
  ],
  extensions: [
    {
      url: rorExt('ror-commune-cog'),
      label: t('la commune (code COG)', 'commune (COG code)'),
      min: 1,
      max: 1,
      value: cc(jdv('J124-Commune')),
    },
    supportedCapacity,
    {
      url: rorExt('ror-location-equipment'),
      label: t("l'équipement spécifique", 'specific equipment'),
      extensions: [
        { url: 'equipmentType', label: t("le type d'équipement", 'equipment type'), min: 1, max: 1, value: cc(jdv('J18-EquipementSpecifique-ROR')) },
        { url: 'nbInService', label: t("le nombre d'équipements en service", 'equipment in service'), max: 1, value: { type: 'integer', invariants: ['non-negative'] } },
      ],
    },
    {
      url: rorExt('ror-location-equipment-limit'),
      label: t("la limite d'équipement", 'equipment limit'),
      extensions: [
        { url: 'equipmentFeature', label: t("la caractéristique d'équipement", 'equipment feature'), min: 1, max: 1, value: cc(jdv('J228-TypeCaracteristiqueEquipement-ROR')) },
        { url: 'limitValue', label: t('la valeur limite', 'limit value'), min: 1, max: 1, value: { type: 'Quantity' } },
      ],
    },
    {
      url: rorExt('ror-location-residential-capacity'),
      label: t("la capacité d'habitation", 'residential capacity'),
      extensions: [
        { url: 'residentialType', label: t("le type d'habitation", 'residential type'), min: 1, max: 1, value: cc(jdv('J32-TypeHabitation-ROR')) },
        { url: 'residentialNumber', label: t("le nombre d'habitations", 'residential number'), max: 1, value: { type: 'integer', invariants: ['non-negative'] } },
      ],
    },
    { url: rorExt('ror-comment'), label: t('le commentaire', 'comment'), max: 1, value: { type: 'string' } },
    creationDate,
    questionnaireTemplate,
  ],
};
