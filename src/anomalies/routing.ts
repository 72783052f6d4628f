/**
 * Where an anomaly report goes: the structure (EG, else EJ) of the resource it is about. The referents of that
 * structure (accounts attached to it or to an organization above it) see the report and follow it up.
 */
import type { Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import { REGION_TAG_SYSTEM } from '../fhir/resource-types.ts';
import { regionOf } from '../store/resource-store.ts';
import { anchorOrganizations, referencedResource, refId } from '../security/perimeter.ts';

export interface Route {
  /** The resource the report is about. */
  focus: Resource;
  /** `Organization/<id>` of the site (EG), or of the legal entity (EJ) when the focus hangs on one only; null when none. */
  owner: string | null;
  ownerName: string | null;
  /** Source-region tag of the focus, else of the owner (so that regional administrators follow it). */
  region: string | null;
}

const MAX_DEPTH = 8;

/** The organizations from `id` up its partOf chain, in order (the EJ last). */
async function chainUp(q: Queryable, id: string): Promise<Resource[]> {
  const chain: Resource[] = [];
  let next: string | undefined = id;
  while (next && chain.length < MAX_DEPTH && !chain.some((o) => o.id === next)) {
    const r = await q.query<{ content: Resource }>('SELECT content FROM organization WHERE id = $1 AND NOT deleted', [next]);
    const org = r.rows[0]?.content;
    if (!org) break;
    chain.push(org);
    next = refId(org.partOf, 'Organization');
  }
  return chain;
}

/**
 * The route of a report on `focusRef` (`{ reference: 'Type/id' }`); undefined when the focus is unknown or deleted.
 * The owner is the organization just below the top of the focus's partOf chain (OI → EG → EJ gives the EG), the
 * top itself when the chain has one organization.
 */
export async function routeOf(q: Queryable, focusRef: unknown): Promise<Route | undefined> {
  const focus = await referencedResource(q, focusRef);
  if (!focus) return undefined;
  const anchors = focus.resourceType === 'Organization' ? [focus.id!] : await anchorOrganizations(q, focus);
  let owner: Resource | undefined;
  for (const a of anchors) {
    const chain = await chainUp(q, a);
    if (chain.length === 0) continue;
    owner = chain.length === 1 ? chain[0] : chain[chain.length - 2];
    break;
  }
  return {
    focus,
    owner: owner ? `Organization/${owner.id}` : null,
    ownerName: typeof owner?.name === 'string' ? owner.name : null,
    region: regionOf(focus) ?? (owner ? regionOf(owner) : null),
  };
}

/**
 * Routes a Task a client creates over FHIR (alone or inside a batch/transaction Bundle) without an owner: fills
 * `owner` with the structure of its focus, and the région tag when the Task has none. `q` is the write's own
 * transaction, so that a focus created earlier in the same transaction Bundle is seen. Other resources, Tasks
 * with an owner and Tasks whose focus is unknown are left alone (the validator and the store answer for those).
 */
export async function routeCreatedTask(q: Queryable, task: Resource): Promise<void> {
  if (task.resourceType !== 'Task' || task.owner || !task.focus) return;
  const route = await routeOf(q, task.focus);
  if (!route) return;
  if (route.owner) task.owner = { reference: route.owner, type: 'Organization' };
  if (route.region && !task.meta?.tag?.length) task.meta = { ...task.meta, tag: [{ system: REGION_TAG_SYSTEM, code: route.region }] };
}
