import { RESOURCE_TYPES, ROR_PROFILES, type ResourceType } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import type { SearchEngine } from '../../search/search-engine.ts';

const IG_SERVER_CS = 'https://interop.esante.gouv.fr/ig/fhir/ror/CapabilityStatement/ror-serveur';

/** Interactions implemented for every stored type (the IG asks fewer; we implement more). */
const TYPE_INTERACTIONS = ['read', 'vread', 'create', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'search-type'];

/**
 * The server's CapabilityStatement, generated from what is actually wired: the stored types, the
 * interactions above, and the search parameters the search engine declares.
 */
export function buildCapabilityStatement(opts: { baseUrl?: string; search?: SearchEngine; software: { name: string; version: string }; cors?: boolean; extraOperations?: { name: string; definition: string }[] }): Resource {
  const resource = RESOURCE_TYPES.map((type: ResourceType) => ({
    type,
    ...(ROR_PROFILES[type] ? { profile: ROR_PROFILES[type] } : {}),
    interaction: TYPE_INTERACTIONS.filter((c) => c !== 'search-type' || opts.search).map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: true,
    conditionalDelete: 'not-supported',
    ...(opts.search?.includes ? { searchInclude: opts.search.includes(type).include, searchRevInclude: opts.search.includes(type).revInclude } : {}),
    searchParam: opts.search?.supportedParameters?.(type) ?? [],
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    instantiates: [IG_SERVER_CS],
    software: opts.software,
    implementation: { description: 'ROR — Répertoire national de l\'Offre et des Ressources', ...(opts.baseUrl ? { url: opts.baseUrl } : {}) },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/fhir+json', 'application/json-patch+json'],
    rest: [{
      mode: 'server',
      security: {
        cors: opts.cors ?? false,
        service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
        description: 'Applications : OAuth2 client credentials (POST /oauth/token) donnant un jeton JWT Bearer, ou certificat client TLS (IGC-Santé) ; '
          + 'le profil d\'accès ROR (0 à 5) de l\'application décide des éléments visibles (masquage signalé par meta.security REDACTED). '
          + 'Personnes : session (POST /auth/login) ou OpenID Connect. Lecture anonyme : données publiques seulement.',
      },
      resource,
      interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
      ...(opts.extraOperations?.length ? { operation: opts.extraOperations } : {}),
    }],
  };
}
