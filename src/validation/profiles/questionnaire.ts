import type { Profile } from '../model.ts';
import { t } from './common.ts';
import { igValueSet } from './urls.ts';

/** ror-questionnaire (modèle de saisie de l'offre), digest §1.10: the stable core of the entry templates. */

export const questionnaire: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-questionnaire',
  resourceType: 'Questionnaire',
  name: 'ror-questionnaire',
  label: t('modèle de saisie', 'entry template'),
  elements: [
    { name: 'identifier', label: t("l'identifiant du modèle de saisie", 'template identifier'), max: 1 },
    { name: 'name', label: t('le nom du modèle de saisie', 'template name'), min: 1, max: 1 },
    { name: 'title', label: t('le titre du modèle de saisie', 'template title'), min: 1, max: 1 },
    { name: 'status', label: t('le statut du modèle de saisie', 'template status'), binding: igValueSet('ror-questionnaire-status-vs') },
    { name: 'subjectType', label: t('le type de ressource saisie', 'subject type'), min: 1 },
    { name: 'code', label: t('le code du modèle', 'questionnaire code'), max: 0 },
  ],
  extensions: [],
};
