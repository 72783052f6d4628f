import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Resource } from '../../fhir/types.ts';
import { parseDateRange } from '../extract/dates.ts';
import { IndexExtractor } from '../extract/extractor.ts';
import { normalizeText } from '../extract/normalize.ts';
import { searchParamRegistry } from '../registry/registry.ts';
import { buildTsQuery, queryWords } from '../compile/criteria.ts';
import { parseFilter } from './filter-parser.ts';
import { parseSearchRequest, type ParseContext } from './parse-request.ts';
import { parseNumberValue, parseTokenValue, SearchInputError, splitEscaped } from './values.ts';

const pc: ParseContext = { registry: searchParamRegistry(), centroid: (cog) => (cog === '78646' ? { lat: 48.80229, lon: 2.1175 } : undefined) };
const iso = (d: Date) => d.toISOString();

test('date ranges by precision and time zone', () => {
  const y = parseDateRange('2024')!;
  assert.deepEqual([iso(y.lo), iso(y.hi)], ['2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
  const m = parseDateRange('2024-02')!;
  assert.deepEqual([iso(m.lo), iso(m.hi)], ['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
  const d = parseDateRange('2024-12-31')!;
  assert.equal(iso(d.hi), '2025-01-01T00:00:00.000Z');
  const t = parseDateRange('2022-11-06T15:00+01:00')!;
  assert.deepEqual([iso(t.lo), iso(t.hi)], ['2022-11-06T14:00:00.000Z', '2022-11-06T14:01:00.000Z']);
  assert.equal(iso(parseDateRange('2025-04-08T13:05:27.000+00:00')!.hi), '2025-04-08T13:05:27.001Z');
  for (const bad of ['2024-13', '2024-02-30', '24-01-01', '2024-01-01T25:00', 'hier']) assert.equal(parseDateRange(bad), undefined, bad);
});

test('values: escapes, tokens, numbers with implicit precision, prefixes', () => {
  assert.deepEqual(splitEscaped('a\\,b,c', ','), ['a\\,b', 'c']);
  assert.deepEqual(parseTokenValue('http://s|c'), { kind: 'token', system: 'http://s', code: 'c' });
  assert.deepEqual(parseTokenValue('|c'), { kind: 'token', system: '', code: 'c' });
  assert.deepEqual(parseTokenValue('http://s|'), { kind: 'token', system: 'http://s', code: undefined });
  assert.deepEqual(parseTokenValue('a\\|b'), { kind: 'token', code: 'a|b' });
  const n = parseNumberValue('nb-capacity', 'gt100', false);
  assert.deepEqual([n.kind, (n as { prefix: string }).prefix, (n as { lo: number }).lo, (n as { hi: number }).hi], ['number', 'gt', 99.5, 100.5]);
  const q = parseNumberValue('age-range-low', '1.5|http://unitsofmeasure.org|a', true) as { lo: number; hi: number; system: string; code: string };
  assert.deepEqual([q.lo, q.hi, q.system, q.code], [1.45, 1.55, 'http://unitsofmeasure.org', 'a']);
  assert.throws(() => parseNumberValue('nb-capacity', 'xx3', false), (e: SearchInputError) => e.param === 'nb-capacity' && /xx/.test(e.en));
});

test('_filter grammar: precedence, parentheses, quoted values, errors', () => {
  assert.deepEqual(parseFilter('a eq 1 or b eq 2 and c eq 3'), {
    kind: 'or', items: [{ kind: 'cmp', path: 'a', op: 'eq', value: '1' }, { kind: 'and', items: [{ kind: 'cmp', path: 'b', op: 'eq', value: '2' }, { kind: 'cmp', path: 'c', op: 'eq', value: '3' }] }],
  });
  assert.deepEqual(parseFilter('not (name co "saint germain")'), { kind: 'not', item: { kind: 'cmp', path: 'name', op: 'co', value: 'saint germain' } });
  for (const bad of ['(a eq 1', 'a eq 1)', 'a zz 1', 'a eq', '']) assert.throws(() => parseFilter(bad), SearchInputError, bad);
});

test('request parsing: chains, _has, modifiers, controls, errors naming the parameter', () => {
  const { query } = parseSearchRequest(pc, 'HealthcareService', [
    ['organization.identifier:above', '780000048'], ['_has:PractitionerRole:service:practitioner.identifier', 'x'],
    ['location.near-insee-code', '78646|15|km'], ['_count', '500'], ['_sort', '-_lastUpdated'], ['_include:iterate', 'Organization:partof'],
  ]);
  assert.equal(query.count, 200);
  const [above, has, near] = query.criteria;
  assert.equal(above.kind === 'param' && above.hierarchy, true);
  assert.equal(has.kind === 'has' && has.inner.kind === 'param' && has.inner.chain[0].target, 'Practitioner');
  assert.deepEqual(query.near, { lat: 48.80229, lon: 2.1175, meters: 15000, chained: true, via: 'location' });
  assert.equal(near.kind, 'param');
  assert.deepEqual(query.includes, [{ source: 'Organization', param: 'partof', target: undefined, iterate: true, rev: false }]);
  assert.deepEqual(query.sort.map((s) => [s.key, s.desc]), [['_lastUpdated', true]]);
  const bad: [string, string, RegExp][] = [
    ['foo', '1', /foo/], ['specialty:exact', '1', /specialty/], ['_lastUpdated', 'zz2024', /_lastUpdated/], ['_count', '-1', /_count/],
    ['_include', 'Nope:x', /_include/], ['location.near-insee-code', '99999|5|km', /99999/], ['_sort', 'near', /distance/i],
  ];
  for (const [k, v, re] of bad) {
    assert.throws(() => parseSearchRequest(pc, 'HealthcareService', [[k, v]]), (e: SearchInputError) => re.test(e.en) && re.test(e.fr), `${k}=${v}`);
  }
  const lenient = parseSearchRequest(pc, 'HealthcareService', [['foo', '1'], ['name', 'x']], true);
  assert.equal(lenient.query.criteria.length, 1);
  assert.match(lenient.warnings[0].en, /foo/);
});

test('extraction of the IG example HealthcareService and Location', () => {
  const ex = new IndexExtractor(searchParamRegistry());
  const read = (f: string) => JSON.parse(fs.readFileSync(`/work/shared/spec/ror-ig/examples/${f}`, 'utf8')) as Resource;
  const hs = ex.extract('HealthcareService', read('HealthcareService-1234564.json'));
  assert.equal(hs.columns.age_low, 15);
  assert.equal(hs.columns.age_high, 150);
  assert.ok((hs.columns.specialty as string[]).includes('https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle|022'));
  assert.deepEqual(hs.reference.map((r) => [r.param, r.targetType, r.targetId]).sort(), [['location', 'Location', '888888'], ['organization', 'Organization', '999999']]);
  const ident = hs.token.find((t) => t.param === 'identifier')!;
  assert.deepEqual([ident.code, ident.identType], ['06/0099999', 'https://mos.esante.gouv.fr/NOS/TRE_R355-TypeIdentifiantOffre/FHIR/TRE-R355-TypeIdentifiantOffre|35']);
  assert.ok(hs.token.some((t) => t.param === '_tag' && t.code === '06'));
  assert.match(hs.text, /chirurgie gynecologique/);
  const loc = ex.extract('Location', read('Location-ror-location-exemple.json'));
  assert.deepEqual(loc.columns.commune_cog, ['https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM|78646', '78646']);
  assert.deepEqual(loc.string.filter((s) => s.param === 'address-city').map((s) => s.norm), ['versailles']);
  assert.equal(normalizeText('  Œuvre   d\'ÉTÉ '), 'oeuvre d ete');
  assert.equal(normalizeText('Saint-Germain-en-Laye'), 'saint germain en laye');
});

test('_content query words and typo expansion', () => {
  assert.deepEqual(queryWords('Médecine de la DOULEUR, médecine'), ['medecine', 'douleur']);
  const close = new Map([['alergologie', ['allergologie', 'algologie']], ['medecine', ['medecine', 'medecins']]]);
  assert.deepEqual(buildTsQuery(['alergologie', 'medecine'], close), {
    all: "('alergologie':* | 'allergologie' | 'algologie') & ('medecine':*)",
    best: "('alergologie':* | 'allergologie') & 'medecine':*",
  });
});
