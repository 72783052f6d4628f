import type { Queryable } from '../db/database.ts';
import type { Issue } from '../fhir/outcome.ts';
import type { ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';

/** Checks a resource against its ROR profile and the NOS value sets; returns errors and warnings. */
export interface ResourceValidator {
  validate(resource: Resource): Promise<Issue[]>;
}

/**
 * Maintains search-index rows of a resource. Called inside the write transaction, so the
 * resource, its index rows and its audit row commit together. `resource` null = deleted.
 */
export interface ResourceIndexer {
  index(tx: Queryable, type: ResourceType, id: string, resource: Resource | null): Promise<void>;
}
