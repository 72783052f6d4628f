import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../fhir/types.ts';

/**
 * Field-level provenance of imported resources. A resource is split into fields: top-level elements,
 * with the repeating ones keyed by what identifies an entry (`extension|<url>`, `identifier|<system>`,
 * `type|<coding system>`, `meta.tag|<system>`). The import remembers the value it wrote for each field;
 * on re-import a field is overwritten only while it still holds that value, so a referent's edit stays.
 */

export type Fields = Record<string, unknown>;

type Item = Record<string, unknown>;
const KEYED: Record<string, (item: Item) => string> = {
  extension: (e) => String(e.url ?? ''),
  identifier: (i) => String(i.system ?? ''),
  type: (t) => String(((t.coding as Item[] | undefined)?.[0]?.system as string | undefined) ?? ''),
};
const SKIPPED = new Set(['resourceType', 'id', 'meta']);

export function fieldsOf(resource: Resource): Fields {
  const out: Fields = {};
  const group = (key: string, item: unknown) => ((out[key] as unknown[] | undefined) ?? (out[key] = [] as unknown[]) as unknown[]).push(item);
  for (const [k, v] of Object.entries(resource)) {
    if (SKIPPED.has(k) || v === undefined) continue;
    const keyOf = KEYED[k];
    if (keyOf && Array.isArray(v)) for (const item of v) group(`${k}|${keyOf(item as Item)}`, item);
    else out[k] = v;
  }
  for (const tag of resource.meta?.tag ?? []) group(`meta.tag|${tag.system ?? ''}`, tag);
  return out;
}

function getField(resource: Resource, key: string): unknown {
  return fieldsOf(resource)[key];
}

/** Sets (or removes, with `undefined`) one field, keeping the other entries of a keyed array in place. */
export function setField(resource: Resource, key: string, value: unknown): void {
  const bar = key.indexOf('|');
  if (bar < 0) {
    if (value === undefined) delete resource[key];
    else resource[key] = structuredClone(value);
    return;
  }
  const base = key.slice(0, bar);
  const sub = key.slice(bar + 1);
  const isTag = base === 'meta.tag';
  const keyOf = isTag ? (t: Item) => String(t.system ?? '') : KEYED[base]!;
  const current = ((isTag ? resource.meta?.tag : resource[base]) as Item[] | undefined) ?? [];
  const at = current.findIndex((i) => keyOf(i) === sub);
  const kept = current.filter((i) => keyOf(i) !== sub);
  const added = value === undefined ? [] : (structuredClone(value) as Item[]);
  const next = [...kept];
  next.splice(at >= 0 ? at : kept.length, 0, ...added);
  if (isTag) {
    const meta = { ...(resource.meta ?? {}) };
    if (next.length) meta.tag = next as never;
    else delete meta.tag;
    resource.meta = meta;
  } else if (next.length) resource[base] = next;
  else delete resource[base];
}

/** Structural equality, whatever the key order (as the store's canonical comparison). */
export const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);

/**
 * The resource to store when `imported` arrives for a resource currently `current` whose fields the
 * import last set to `last`. Returns the merged resource, the fields kept because a person changed them,
 * and whether any field was set (`changed: false`: the resource is `current` itself, nothing to write).
 * A new resource is `imported` itself, not a copy: the caller hands it over (the import maps a fresh
 * object per line). `current` is never modified: it is copied before the first field set.
 */
export function applyImport(current: Resource | null, last: Fields | null, imported: Resource): { resource: Resource; kept: string[]; changed: boolean } {
  if (!current) return { resource: imported, kept: [], changed: true };
  const next = fieldsOf(imported);
  const now = fieldsOf(current);
  let resource = current;
  let changed = false;
  const kept: string[] = [];
  for (const key of new Set([...Object.keys(next), ...Object.keys(last ?? {})])) {
    const c = now[key];
    const n = next[key];
    if (same(c, n)) continue;
    // Ours to change: it still holds what we last wrote, or it is empty and we never wrote it.
    const owned = last && key in last ? same(c, last[key]) : c === undefined;
    if (owned) {
      if (!changed) resource = structuredClone(current);
      changed = true;
      setField(resource, key, n);
    } else kept.push(key);
  }
  return { resource, kept, changed };
}

/** A resource rebuilt from its imported fields (to derive its closed version). */
export function resourceFromFields(resourceType: string, id: string, fields: Fields): Resource {
  const r: Resource = { resourceType, id };
  for (const [k, v] of Object.entries(fields)) setField(r, k, v);
  return r;
}

export { getField };
