import type { Coding, Resource } from '../fhir/types.ts';

/**
 * Verification status of pre-filled data (issue: "à vérifier" → "vérifié" by a referent → "finalisé"),
 * carried as a `meta.tag`, so that it shows in the API and filters with `_tag=<system>|<code>`.
 * The ROR IG defines no such code system: this one is local to this server.
 */
export const VERIFICATION_STATUS_SYSTEM = 'urn:ror:statut-verification';

export const VERIFICATION_STATUSES = {
  'a-verifier': 'À vérifier',
  verifie: 'Vérifié',
  finalise: 'Finalisé',
} as const;

export type VerificationStatus = keyof typeof VERIFICATION_STATUSES;

/** The CodeSystem resource documenting the codes (served with the terminology, if wanted). */
export const VERIFICATION_STATUS_CODESYSTEM: Resource = {
  resourceType: 'CodeSystem',
  id: 'ror-statut-verification',
  url: VERIFICATION_STATUS_SYSTEM,
  name: 'RORStatutVerification',
  title: 'Statut de vérification des données pré-remplies',
  status: 'active',
  content: 'complete',
  description: "Données pré-remplies depuis FINESS ou l'Annuaire Santé : à vérifier, vérifiées par un référent, puis finalisées.",
  concept: Object.entries(VERIFICATION_STATUSES).map(([code, display]) => ({ code, display })),
};

export function verificationTag(status: VerificationStatus): Coding {
  return { system: VERIFICATION_STATUS_SYSTEM, code: status, display: VERIFICATION_STATUSES[status] };
}

/** The status a resource carries, if any. */
export function verificationStatusOf(resource: Resource): VerificationStatus | undefined {
  const code = resource.meta?.tag?.find((t) => t.system === VERIFICATION_STATUS_SYSTEM)?.code;
  return code && code in VERIFICATION_STATUSES ? (code as VerificationStatus) : undefined;
}

/** A copy of `resource` with its status set (other tags kept). */
export function withVerificationStatus(resource: Resource, status: VerificationStatus): Resource {
  const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== VERIFICATION_STATUS_SYSTEM);
  return { ...resource, meta: { ...resource.meta, tag: [...tags, verificationTag(status)] } };
}
