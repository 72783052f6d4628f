/**
 * Cross-check: for a seeded random sample of token and date queries, the SQL search returns
 * exactly the resources an independent in-memory evaluation selects (fhirpath.evaluate of the
 * parameter's expression on each stored resource, matched in plain JavaScript).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { createSearchEngine, type SqlSearchEngine } from './engine.ts';
import { createSearchIndexer } from './indexer.ts';
import { searchParamRegistry } from './registry/registry.ts';
import { buildYvelinesFixture } from './testing/yvelines-fixture.ts';

const SEED = Number(process.env.ROR_CROSS_CHECK_SEED ?? 20261123);
const SAMPLES = 60;

/** Small deterministic PRNG (mulberry32), so a failure can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKEN_PARAMS: [ResourceType, string][] = [
  ['HealthcareService', 'specialty'], ['HealthcareService', 'characteristic'], ['HealthcareService', 'service-type'],
  ['HealthcareService', 'patient-type'], ['HealthcareService', 'identifier'], ['Location', 'capacity-status'],
  ['Location', 'capacity-type'], ['Location', 'commune-cog'], ['Organization', 'type'], ['Organization', 'identifier'],
];
const DATE_PARAMS: [ResourceType, string][] = [['Location', 'capacity-update-date'], ['Organization', 'period-end'], ['Location', '_lastUpdated']];

interface Coded { system?: string; code?: string }

/** Codings / identifiers of a FHIRPath result, in plain JS. */
function codedValues(values: unknown[]): Coded[] {
  const out: Coded[] = [];
  for (const v of values as Record<string, unknown>[]) {
    if (v && Array.isArray(v.coding)) for (const c of v.coding as Coded[]) out.push({ system: c.system, code: c.code });
    else if (v && typeof v === 'object' && 'value' in v && !('code' in v)) out.push({ system: v.system as string, code: v.value as string });
    else if (v && typeof v === 'object') out.push({ system: v.system as string, code: v.code as string });
  }
  return out;
}

/** [lo, hi) in ms of a FHIR date string (UTC when no zone), written independently of the engine. */
function span(s: string): [number, number] {
  if (/^\d{4}$/.test(s)) return [Date.UTC(+s, 0, 1), Date.UTC(+s + 1, 0, 1)];
  if (/^\d{4}-\d{2}$/.test(s)) { const [y, m] = s.split('-').map(Number); return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)]; }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) { const [y, m, d] = s.split('-').map(Number); return [Date.UTC(y, m - 1, d), Date.UTC(y, m - 1, d + 1)]; }
  const t = Date.parse(/Z|[+-]\d{2}:\d{2}$/.test(s) ? s : s + 'Z');
  const step = /\.\d+/.test(s) ? 1 : /T\d{2}:\d{2}:\d{2}/.test(s) ? 1000 : 60_000;
  return [t, t + step];
}

function dateMatches(prefix: string, [lo, hi]: [number, number], [vlo, vhi]: [number, number]): boolean {
  switch (prefix) {
    case 'eq': return lo >= vlo && hi <= vhi;
    case 'ne': return !(lo >= vlo && hi <= vhi);
    case 'gt': return hi > vhi;
    case 'lt': return lo < vlo;
    case 'ge': return hi > vlo;
    case 'le': return lo < vhi;
    case 'sa': return lo >= vhi;
    case 'eb': return hi <= vlo;
  }
  throw new Error(prefix);
}

await describeWithDatabases('search cross-check with in-memory FHIRPath', (db) => {
  let engine: SqlSearchEngine;
  const stored = new Map<ResourceType, Resource[]>();

  before(async () => {
    const fx = await buildYvelinesFixture(20, 61);
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    engine = createSearchEngine(db());
    // Some organizations get a closing date, with different precisions.
    const ends = ['2019', '2021-06', '2022-03-15', '2023-11-02T08:30:00+01:00'];
    let n = 0;
    for (const r of fx.resources) {
      const res = r.resourceType === 'Organization' && r.id!.startsWith('eg-') && n < 12
        ? { ...r, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/organization-period', valuePeriod: { start: '1990-01-01', end: ends[n++ % ends.length] } }] }
        : r;
      const w = await store.update(res, SYSTEM_CONTEXT);
      stored.set(w.resourceType, [...(stored.get(w.resourceType) ?? []), w.resource]);
    }
  });

  const evaluate = (type: ResourceType, code: string, r: Resource): unknown[] => {
    if (code === '_lastUpdated') return [r.meta!.lastUpdated];
    return fhirpath.evaluate(r as never, searchParamRegistry().get(type, code)!.expression!, undefined, r4model) as unknown[];
  };

  const run = async (type: ResourceType, name: string, value: string) => {
    const b = await engine.search({ resourceType: type, params: [[name, value], ['_count', '200']], baseUrl: 'http://x', ctx: SYSTEM_CONTEXT });
    return (b.entry ?? []).map((e) => e.resource!.id!).sort();
  };

  test(`token queries (seed ${SEED})`, async () => {
    const rnd = prng(SEED);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    let nonEmpty = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const [type, code] = pick(TOKEN_PARAMS);
      const resources = stored.get(type)!;
      const pool = resources.flatMap((r) => codedValues(evaluate(type, code, r))).filter((c) => c.code);
      const values = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const c = rnd() < 0.15 ? { system: 'urn:x', code: 'absent' } : pick(pool);
        return rnd() < 0.5 ? { code: c.code } : c;
      });
      const not = rnd() < 0.2;
      const wanted = (c: Coded) => values.some((v) => v.code === c.code && (!('system' in v) || v.system === c.system));
      const expected = resources
        .filter((r) => codedValues(evaluate(type, code, r)).some(wanted) !== not)
        .map((r) => r.id!).sort();
      const q = values.map((v) => ('system' in v ? `${v.system}|${v.code}` : v.code)).join(',');
      assert.deepEqual(await run(type, not ? `${code}:not` : code, q), expected, `${type}?${code}${not ? ':not' : ''}=${q}`);
      if (expected.length) nonEmpty++;
    }
    assert.ok(nonEmpty > SAMPLES / 3, `enough non-empty samples (${nonEmpty})`);
  });

  test(`date queries (seed ${SEED})`, async () => {
    const rnd = prng(SEED + 1);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    let nonEmpty = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const [type, code] = pick(DATE_PARAMS);
      const resources = stored.get(type)!;
      const prefix = pick(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb']);
      const known = resources.flatMap((r) => evaluate(type, code, r)).map((v) => (typeof v === 'string' ? v : (v as { end?: string }).end)).filter((v): v is string => !!v);
      const base = known.length && rnd() < 0.7 ? pick(known) : `20${10 + Math.floor(rnd() * 16)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`;
      const precision = pick([4, 7, 10, 16]);
      const value = base.length >= precision ? base.slice(0, precision) : base;
      const expected = resources.filter((r) => evaluate(type, code, r).some((v) => {
        const range: [number, number] = typeof v === 'string'
          ? span(v)
          : [(v as { start?: string }).start ? span((v as { start: string }).start)[0] : -8.64e15, (v as { end?: string }).end ? span((v as { end: string }).end)[1] : 8.64e15];
        return dateMatches(prefix, range, span(value));
      })).map((r) => r.id!).sort();
      assert.deepEqual(await run(type, code, `${prefix}${value}`), expected, `${type}?${code}=${prefix}${value}`);
      if (expected.length) nonEmpty++;
    }
    assert.ok(nonEmpty > SAMPLES / 4, `enough non-empty samples (${nonEmpty})`);
  });
});
