import type { CodingSlice, Profile, ValueType } from '../model.ts';
import { de } from '../messages.ts';
import { t } from './common.ts';
import { igCodeSystem, jdv } from './urls.ts';

/** ror-task (Anomalie: a data-quality issue on a ROR resource), digest §1.9. Not used for offer entry. */

const INPUT = igCodeSystem('input-task-ror-codesystem');
const OUTPUT = igCodeSystem('output-task-ror-codesystem');

function typed(system: string, code: string, type: ValueType, fr: string, en: string, min?: number, max?: number): CodingSlice {
  return {
    name: code,
    label: t(fr, en),
    min,
    max,
    codes: [{ system, code }],
    elements: [{ name: 'value[x]', label: t(`la valeur ${de(fr)}`, `${en} value`), min: 1, types: [type] }],
  };
}

export const task: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-task',
  resourceType: 'Task',
  name: 'ror-task',
  label: t('anomalie', 'anomaly'),
  elements: [
    { name: 'identifier', label: t("l'identifiant de l'anomalie", 'anomaly identifier'), max: 1 },
    { name: 'businessStatus', label: t("le statut métier de l'anomalie", 'business status'), min: 1, max: 1, binding: jdv('J244-StatutMetierAnomalie-ROR') },
    { name: 'code', label: t("la thématique de l'anomalie", 'anomaly topic'), min: 1, max: 1, binding: jdv('J241-ThematiqueAnomalie-ROR') },
    { name: 'focus', label: t('la ressource en anomalie', 'resource in error'), min: 1, max: 1 },
    { name: 'authoredOn', label: t('la date de signalement', 'authoring date'), min: 1, max: 1 },
    { name: 'lastModified', label: t('la date de dernière modification', 'last modification date'), min: 1, max: 1 },
    { name: 'reasonCode', label: t("l'action proposée", 'proposed action'), min: 1, max: 1, binding: jdv('J242-ActionAnomalie-ROR') },
    {
      name: 'input',
      label: t("les données d'entrée de l'anomalie", 'task inputs'),
      min: 1,
      slicing: {
        path: 'type',
        others: 'warn',
        slices: [
          typed(INPUT, 'ruleErrorId', 'string', "l'identifiant de la règle en erreur", 'rule error id', 0, 1),
          typed(INPUT, 'errorValue', 'string', 'la valeur en erreur', 'error value'),
          typed(INPUT, 'proposedValue', 'string', 'la valeur proposée', 'proposed value'),
          typed(INPUT, 'pathElementError', 'Expression', "le chemin de l'élément en erreur", 'path of the element in error', 0, 1),
          typed(INPUT, 'systemRequester', 'string', 'le système demandeur', 'requesting system', 1, 1),
          typed(INPUT, 'identifierRequester', 'Identifier', "l'identifiant du demandeur", 'requester identifier', 0, 1),
        ],
      },
    },
    {
      name: 'output',
      label: t("les résultats de l'anomalie", 'task outputs'),
      slicing: {
        path: 'type',
        others: 'warn',
        slices: [
          typed(OUTPUT, 'newValue', 'string', 'la nouvelle valeur', 'new value'),
          typed(OUTPUT, 'identifierAnalyst', 'Identifier', "l'identifiant de l'analyste", 'analyst identifier', 0, 1),
        ],
      },
    },
  ],
  extensions: [],
};
