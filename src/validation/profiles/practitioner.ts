import type { Profile } from '../model.ts';
import { creationDate, meta, t, telecom } from './common.ts';
import { jdv } from './urls.ts';

/** ror-practitioner (Professionnel), digest §1.6: one identifier, the national idNat_PS. */

/** The system of the national professional identifier (idNat_PS). */
export const IDNAT_PS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';

export const practitioner: Profile = {
  url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitioner',
  resourceType: 'Practitioner',
  name: 'ror-practitioner',
  label: t('professionnel', 'practitioner'),
  elements: [
    meta,
    {
      name: 'identifier',
      label: t("l'identifiant national du professionnel (idNat_PS)", 'national practitioner identifier (idNat_PS)'),
      min: 1,
      max: 1,
      elements: [
        { name: 'system', label: t("le système de l'identifiant national du professionnel", 'practitioner identifier system'), min: 1, fixed: IDNAT_PS_SYSTEM },
        { name: 'value', label: t("la valeur de l'identifiant national du professionnel", 'practitioner identifier value'), min: 1 },
      ],
    },
    {
      name: 'name',
      label: t('le nom du professionnel', 'practitioner name'),
      elements: [{ name: 'prefix', label: t('la civilité', 'title'), max: 1, binding: { ...jdv('J207-Civilite-ROR'), strength: 'extensible' } }],
    },
    telecom(t('la messagerie sécurisée du professionnel', 'practitioner secure mailbox'), undefined, { mss: true }),
  ],
  extensions: [creationDate],
};
