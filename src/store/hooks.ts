import type { Queryable } from '../db/database.ts';
import { FhirError, type Issue } from '../fhir/outcome.ts';
import type { ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from './context.ts';

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
  /**
   * Optional: the index rows of many resources in a few statements (bulk writes); else `index` each.
   * Concurrent calls must not deadlock (shared rows, such as dictionary words, taken in one order).
   */
  indexMany?(tx: Queryable, entries: IndexEntry[]): Promise<void>;
  /**
   * Optional, with indexMany: the columns of a type's own table the indexer keeps (undefined: none), for a bulk write
   * to write them with the row itself — a second write of each new row (an UPDATE with all the table's indexes and
   * triggers) saved; `rowColumnValues` gives a resource's values, and indexMany leaves the entries marked
   * `rowColumnsWritten` alone.
   */
  rowColumns?(type: ResourceType): RowColumns | undefined;
  rowColumnValues?(type: ResourceType, resource: Resource): Record<string, unknown>;
}

/** Columns of a type's table: the record fields their values come in, and each column as an SQL expression of them. */
export interface RowColumns {
  /** `name sqltype` of each field (jsonb_to_record). */
  fields: string[];
  /** The column and its value as an SQL expression of the fields, as `<alias>.<field>` (`alias` given). */
  columns(alias: string): { column: string; value: string }[];
}

/** One resource to (re)index: `resource` null = deleted. */
export interface IndexEntry {
  type: ResourceType;
  id: string;
  resource: Resource | null;
  /** A resource new to the store: it has no index rows to replace yet. */
  created?: boolean;
  /** The row was written with its values of `rowColumns` (bulk writes). */
  rowColumnsWritten?: boolean;
}

/** A write about to be made: `current` null = creation, `next` null = deletion. */
export interface ProposedWrite {
  action: 'create' | 'update' | 'patch' | 'delete';
  type: ResourceType;
  id: string;
  current: Resource | null;
  next: Resource | null;
}

/**
 * Decides whether the caller of `ctx` may make a write. Called inside the write transaction,
 * before anything is written; refuses by throwing an AccessDeniedError (the store then rolls
 * back and records the refusal in the audit trail).
 */
export interface WriteAuthorizer {
  authorize(tx: Queryable, ctx: RequestContext, write: ProposedWrite): Promise<void>;
}

/** A refused write (401 unauthenticated, 403 forbidden), audited by the store after rollback. */
export class AccessDeniedError extends FhirError {
  /** Set by the store: the context of the refused write. */
  ctx?: RequestContext;
  constructor(status: 401 | 403, issues: Issue[], readonly write: Pick<ProposedWrite, 'action' | 'type' | 'id'>, readonly reason: string) {
    super(status, issues, status === 401 ? { 'www-authenticate': 'Bearer realm="ror"' } : {});
  }
}
