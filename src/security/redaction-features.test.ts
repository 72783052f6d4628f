// The plain-row claim of redaction-features.ts, checked against redact() itself on both engines: for every
// resource of a corpus (real FINESS Yvelines sites mapped as imported, the validation fixtures, and edge cases),
// every caller and every combination of facts, a row the SQL features call plain comes out of redact() unchanged
// for the caller, and for an anonymous visitor when the caller's reads are audited. Then the $export of the
// same rows with and without plain rows: same bytes, same audit.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Database } from '../db/database.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import { CommuneIndex } from '../ingest/geo/commune-index.ts';
import { mapEstablishment } from '../ingest/finess/mapping.ts';
import { loadFinessNos } from '../ingest/finess/nos-reference.ts';
import { readFiness } from '../ingest/finess/read-finess.ts';
import { defaultFinessDir } from '../ingest/reference-data.ts';
import type { RequestContext } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import { typeLines } from '../sync/export/type-stream.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { capacityRecord, completedHealthcareService, example, legalEntity, practice, professional, rorTelecom, site } from '../validation/fixtures.ts';
import { searchAccessFilter } from './access-predicate.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import { ReadGuard, readFactsOfMany } from './read-guard.ts';
import { CHAMP_ACTIVITE_SYSTEM, factsOfOffer, redact, REDACTED_CODE, REDACTED_SYSTEM, SENSITIVE_UNIT_URL, type ReadFacts } from './redact.ts';
import { DETAIL_PATTERNS, DETAIL_SYSTEM_LIST, FACT, FACT_TYPES, FEATURE, factBitsSql, factsOfBits, featuresSql, rowVerdictTest, STORED_FEATURE_TYPES, telecomLevels, databaseRedactionSql, type RowVerdict } from './redaction-features.ts';

const ROR = (name: string) => `https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/${name}`;
const TRE = (name: string) => `https://mos.esante.gouv.fr/NOS/TRE_${name}/FHIR/TRE-${name.replace('_', '-')}`;
const level = (code: string) => ({ url: ROR('ror-contact-confidentiality-level'), valueCodeableConcept: { coding: [{ system: TRE('R283-NiveauConfidentialite'), code }] } });

/** Telecoms whose level redact() reads in an unusual way. */
const TELECOMS = {
  noLevel: { system: 'phone', value: '0100000000' },
  twoLevels: { ...rorTelecom('0100000001', '2', '1'), extension: [...rorTelecom('x', '2', '3').extension, ...rorTelecom('x', '2', '1').extension] },
  uncoded: { ...rorTelecom('0100000002'), extension: [{ url: ROR('ror-telecom-confidentiality-level'), valueCodeableConcept: { coding: [{ system: 'x' }, { code: '1' }] } }] },
  numeric: { ...rorTelecom('0100000003'), extension: [{ url: ROR('ror-telecom-confidentiality-level'), valueCodeableConcept: { coding: [{ code: 1 }] } }] },
  nullCode: { ...rorTelecom('0100000004'), extension: [{ url: ROR('ror-telecom-confidentiality-level'), valueCodeableConcept: { coding: [{ code: null }, { code: '1' }] } }] },
  notCoded: { ...rorTelecom('0100000005'), extension: [{ url: ROR('ror-telecom-confidentiality-level'), valueCodeableConcept: { text: '1' } }] },
  restrictedFirst: { ...rorTelecom('0100000006'), extension: [...rorTelecom('x', '2', '2').extension.slice(1), ...rorTelecom('x', '2', '1').extension] },
};

/** Edge cases of every rule redact() applies, each in a public and a restricted variant. */
function edgeCases(): Resource[] {
  const org = (id: string, extra: Record<string, unknown>): Resource => ({ ...site(), id, ...extra });
  const hs = (id: string, change: (r: Resource) => void): Resource => {
    const r = completedHealthcareService();
    r.id = id;
    change(r);
    return r;
  };
  const { noLevel, twoLevels, uncoded, numeric } = TELECOMS;
  return [
    org('edge-tel-public', { telecom: [rorTelecom('0100000010', '2', '1')] }),
    org('edge-tel-2', { telecom: [rorTelecom('0100000011', '2', '2')] }),
    org('edge-tel-3', { telecom: [rorTelecom('0100000012', '2', '3')] }),
    org('edge-tel-none', { telecom: [noLevel] }),
    org('edge-tel-two-levels', { telecom: [twoLevels] }),
    org('edge-tel-uncoded-first', { telecom: [uncoded] }),
    org('edge-tel-numeric', { telecom: [numeric] }),
    org('edge-contact-2', { contact: [{ extension: [level('2')], telecom: [rorTelecom('0100000020')] }] }),
    org('edge-contact-telecom-3', { contact: [{ extension: [level('1')], telecom: [rorTelecom('0100000021', '2', '3')] }] }),
    org('edge-contact-no-level', { contact: [{ telecom: [rorTelecom('0100000022')] }] }),
    org('edge-orsan', { extension: [{ url: ROR('ror-organization-level-recourse-orsan'), valueCodeableConcept: { coding: [{ code: '1' }] } }] }),
    { ...example('Location-ror-location-exemple'), id: 'edge-capacity-elsewhere', extension: [{ ...capacityRecord(), url: 'https://example.org/ror-location-supported-capacity' }] },
    org('edge-drop-zone', { extension: [{ url: ROR('ror-organization-drop-zone'), valueBoolean: true }] }),
    { ...example('Location-ror-location-exemple'), id: 'edge-capacity', extension: [capacityRecord()] },
    { ...example('Location-ror-location-exemple'), id: 'edge-no-capacity', extension: [], telecom: [rorTelecom('0100000030')] },
    // Capacities among other extensions, with telecoms of every level and odd shapes; capacities only, already flagged.
    { ...example('Location-ror-location-exemple'), id: 'edge-capacity-tel-mixed',
      extension: [{ url: ROR('ror-location-other'), valueString: 'x' }, capacityRecord(), capacityRecord()],
      telecom: [rorTelecom('0100000031', '2', '1'), rorTelecom('0100000032', '3', '2'), rorTelecom('0100000033', '2', '3'), ...Object.values(TELECOMS)] },
    { ...example('Location-ror-location-exemple'), id: 'edge-capacity-only-flagged', extension: [capacityRecord()],
      meta: { security: [{ system: REDACTED_SYSTEM, code: REDACTED_CODE, display: 'redacted' }] } },
    hs('edge-hs-sensitive', (r) => { r.extension = [...(r.extension as unknown[]).filter((e) => (e as { url: string }).url !== SENSITIVE_UNIT_URL), { url: SENSITIVE_UNIT_URL, valueBoolean: true }]; }),
    hs('edge-hs-not-sensitive', (r) => { r.extension = [...(r.extension as unknown[]).filter((e) => (e as { url: string }).url !== SENSITIVE_UNIT_URL), { url: SENSITIVE_UNIT_URL, valueBoolean: false }]; }),
    hs('edge-hs-sensitive-twice', (r) => { r.extension = [...(r.extension as unknown[]), { url: SENSITIVE_UNIT_URL, valueBoolean: false }, { url: SENSITIVE_UNIT_URL, valueBoolean: true }]; }),
    hs('edge-hs-detail', (r) => { (r.characteristic as unknown[]).push({ coding: [{ system: DETAIL_SYSTEM_LIST[0], code: '01' }] }); }),
    hs('edge-hs-no-detail', (r) => { r.characteristic = (r.characteristic as { coding?: { system?: string }[] }[]).filter((c) => !(c.coding ?? []).some((x) => x.system && DETAIL_SYSTEM_LIST.includes(x.system))); }),
    hs('edge-hs-contact-2', (r) => { r.extension = [...(r.extension as unknown[]), { url: ROR('ror-healthcareservice-contact'), extension: [level('2')] }]; }),
    hs('edge-hs-contact-telecom-3', (r) => {
      r.extension = [...(r.extension as unknown[]), { url: ROR('ror-healthcareservice-contact'), extension: [level('1'), { ...rorTelecom('0100000040', '2', '3'), url: ROR('ror-healthcareservice-contact-telecom') }] }];
    }),
    hs('edge-hs-medico-social', (r) => { r.type = [{ coding: [{ system: CHAMP_ACTIVITE_SYSTEM, code: '04' }] }]; }),
    { ...practice(), id: 'edge-role' },
    { ...professional(), id: 'edge-practitioner' },
    { ...professional(), id: 'edge-practitioner-tel', telecom: [rorTelecom('0100000050', '2', '1')] },
    { ...legalEntity(), id: 'edge-ej' },
    ...practices(),
  ];
}

/**
 * Professionals whose visibility depends on their offers: city, médico-social, both, a sensitive city unit, none;
 * with a public or a very restricted phone.
 * Each practitioner `edge-ps-<name>` has one role per offer listed.
 */
function practices(): Resource[] {
  const offer = (id: string, field: string, sensitive = false): Resource => {
    const r = completedHealthcareService();
    r.id = id;
    r.type = [{ coding: [{ system: CHAMP_ACTIVITE_SYSTEM, code: field }] }];
    if (sensitive) r.extension = [...(r.extension as unknown[]), { url: SENSITIVE_UNIT_URL, valueBoolean: true }];
    return r;
  };
  const people: Record<string, string[]> = {
    city: ['edge-offer-city'], ms: ['edge-offer-ms'], both: ['edge-offer-city', 'edge-offer-ms'], sensitive: ['edge-offer-city-sensitive'],
    alone: [], 'tel-city': ['edge-offer-city'], 'tel-3-city': ['edge-offer-city'], 'tel-2-city': ['edge-offer-city'],
    'tel-mixed-city': ['edge-offer-city'], 'tel-2-flagged-city': ['edge-offer-city'], 'tel-2-ms': ['edge-offer-ms'], 'tel-2-both': ['edge-offer-city', 'edge-offer-ms'],
    // An absolute, versioned reference, as refIds reads it.
    absolute: ['https://ror.example.org/fhir/HealthcareService/edge-offer-city/_history/1'],
  };
  const out: Resource[] = [offer('edge-offer-city', '05'), offer('edge-offer-ms', '04'), offer('edge-offer-city-sensitive', '05', true)];
  for (const [name, offers] of Object.entries(people)) {
    // Telecoms of every level, one by one or together (with the odd shapes of TELECOMS): those the profile hides are
    // removed by the guard, or by the database in an export (migration 115).
    const telecom = {
      'tel-city': [rorTelecom('0100000060', '2', '1')], 'tel-3-city': [rorTelecom('0100000061', '2', '3')],
      'tel-2-city': [rorTelecom('0100000062', '3', '2')], 'tel-2-flagged-city': [rorTelecom('0100000063', '3', '2')],
      'tel-2-ms': [rorTelecom('0100000064', '3', '2')], 'tel-2-both': [rorTelecom('0100000065', '3', '2'), rorTelecom('0100000066', '2', '1')],
      'tel-mixed-city': [rorTelecom('0100000067', '2', '1'), rorTelecom('0100000068', '3', '2'), rorTelecom('0100000069', '2', '3'), ...Object.values(TELECOMS)],
    }[name];
    // Already marked REDACTED (a copy written back): not marked twice.
    const meta = name === 'tel-2-flagged-city' ? { meta: { security: [{ system: REDACTED_SYSTEM, code: REDACTED_CODE, display: 'redacted' }] } } : {};
    out.push({ ...professional(), id: `edge-ps-${name}`, ...meta, ...(telecom && { telecom }) });
    offers.forEach((o, i) => out.push({
      ...practice(), id: `edge-ps-${name}-${i}`, practitioner: { reference: `Practitioner/edge-ps-${name}` },
      healthcareService: [{ reference: o.startsWith('https:') ? o : `HealthcareService/${o}` }], ...(telecom && { telecom }),
    }));
  }
  return out;
}

/** The Yvelines FINESS sites (real data) as the import maps them: legal entities, sites, places. */
async function yvelines(): Promise<Resource[]> {
  const ctx = { communes: CommuneIndex.load(), nos: loadFinessNos() };
  const out = new Map<string, Resource>();
  for await (const item of readFiness(path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv'))) {
    if (item.kind !== 'establishment') continue;
    const m = mapEstablishment(item.record, ctx);
    for (const r of [m.ej, m.eg, m.location]) out.set(`${r.resourceType}/${r.id}`, r);
    if (out.size > 600) break;
  }
  return [...out.values()];
}

const FACTS: ReadFacts[] = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({ sensitive: !!(n & 1), medicoSocial: !!(n & 2), city: !!(n & 4) }));
const app = (accessProfile: 0 | 1 | 2 | 3 | 4 | 5): Principal => ({ kind: 'app', id: `app-${accessProfile}`, accessProfile, scopes: [] });
const CALLERS: Principal[] = [
  ANONYMOUS, app(0), app(1), app(2), app(3), app(4), app(5),
  { kind: 'user', id: 'referent', role: 'referent', organizations: [], regions: [] } as unknown as Principal,
  { kind: 'user', id: 'admin', role: 'national-admin', organizations: [], regions: [] } as unknown as Principal,
  { kind: 'system' },
];

/** An API request of this caller. */
const readerOf = (principal: Principal): RequestContext => ({
  actor: { id: 'reader', kind: principal.kind === 'anonymous' ? 'anonymous' : principal.kind, principal } as RequestContext['actor'], source: 'api',
});

async function featuresOf(db: Database, resources: Resource[]): Promise<number[]> {
  const r = await db.query<{ f: number }>(
    `SELECT ${featuresSql('x.c', '$2')} AS f FROM unnest($1::jsonb[]) WITH ORDINALITY AS x(c, n) ORDER BY x.n`,
    [resources.map((x) => JSON.stringify(x)), DETAIL_PATTERNS],
  );
  return r.rows.map((row) => Number(row.f));
}

await describeWithDatabases('redaction features', (db) => {
  let corpus: Resource[];
  let features: number[];
  before(async () => {
    corpus = [...edgeCases(), ...(await yvelines())];
    features = await featuresOf(db(), corpus);
  });

  test('every bit is found where redact() could act, and only there (edge cases)', async () => {
    const of = (id: string) => features[corpus.findIndex((r) => r.id === id)];
    assert.equal(of('edge-tel-public'), 0);
    // The first coding that has a code decides, as in redact.ts: here a public one.
    assert.equal(of('edge-tel-uncoded-first'), 0);
    for (const id of ['edge-tel-2', 'edge-tel-3', 'edge-tel-none', 'edge-tel-two-levels', 'edge-tel-numeric',
      'edge-contact-2', 'edge-contact-telecom-3', 'edge-contact-no-level', 'edge-hs-contact-2', 'edge-hs-contact-telecom-3']) {
      assert.equal(of(id)! & FEATURE.restrictedContact, FEATURE.restrictedContact, id);
    }
    assert.equal(of('edge-orsan'), FEATURE.orsan);
    assert.equal(of('edge-drop-zone'), FEATURE.orsan);
    assert.equal(of('edge-capacity'), FEATURE.capacity);
    assert.equal(of('edge-capacity-elsewhere'), FEATURE.capacity);
    // An extension without a url cannot be one that redact() withholds.
    assert.deepEqual(await featuresOf(db(), [{ ...site(), id: 'edge-ext-no-url', extension: [{ valueString: 'x' }] }]), [0]);
    assert.equal(of('edge-no-capacity'), 0);
    assert.equal(of('edge-hs-sensitive')! & FEATURE.sensitiveUnit, FEATURE.sensitiveUnit);
    assert.equal(of('edge-hs-sensitive-twice')! & FEATURE.sensitiveUnit, FEATURE.sensitiveUnit);
    assert.equal(of('edge-hs-not-sensitive')! & FEATURE.sensitiveUnit, 0);
    assert.equal(of('edge-hs-detail')! & FEATURE.offerDetails, FEATURE.offerDetails);
    assert.equal(of('edge-hs-no-detail')! & FEATURE.offerDetails, 0);
    assert.equal(of('edge-role'), 0);
    assert.equal(of('edge-practitioner-tel'), 0);
  });

  /** The facts a row may carry, with its bits: its own for an offer, every combination for the others. */
  const factsCases = (r: Resource, features: number): { facts: ReadFacts; bits: number }[] => {
    if (r.resourceType === 'HealthcareService') return [{ facts: factsOfOffer(r), bits: features }];
    const computed = FACT_TYPES.has(r.resourceType as ResourceType);
    return FACTS.map((facts) => ({
      facts,
      bits: features | (computed ? FACT.known | (facts.city ? FACT.city : 0) | (facts.medicoSocial ? FACT.medicoSocial : 0)
        | (facts.sensitive ? FACT.sensitive : 0) : 0),
    }));
  };

  test('a row called plain comes out of redact() unchanged for the caller (and the public when audited), a hidden one is hidden', () => {
    const count = { plain: 0, hidden: 0, guard: 0, telecoms: 0 };
    for (const caller of CALLERS) {
      for (const [i, r] of corpus.entries()) {
        const verdict = rowVerdictTest(caller, r.resourceType as ResourceType);
        const audited = caller.kind !== 'system' && caller.kind !== 'anonymous' && !(caller.kind === 'app' && caller.accessProfile === 0);
        for (const { facts, bits } of factsCases(r, features[i]!)) {
          const v = verdict?.(bits) ?? 'guard';
          count[telecomLevels(v) ? 'telecoms' : (v as keyof typeof count)]++;
          const what = `${r.resourceType}/${r.id} for ${JSON.stringify(caller)} ${JSON.stringify(facts)}`;
          if (v === 'plain') {
            assert.equal(redact(r, caller, facts), r, what);
            if (audited) assert.equal(redact(r, ANONYMOUS, facts), r, `${what}: public view`);
          } else if (v === 'hidden') {
            assert.equal(redact(r, caller, facts), null, what);
            assert.notEqual(caller.kind, 'user', `${what}: a user may maintain what redact() hides`);
          } else if (telecomLevels(v)) {
            // What the database does to such a row is checked against redact() below; here, that nothing else
            // changes, and that the public sees the same when the caller is audited.
            const seen = redact(r, caller, facts);
            assert.ok(seen && seen !== r, what);
            const { telecom: _a, meta: _b, extension: after, ...rest } = seen;
            const { telecom: _c, meta: _d, extension: ext, ...before } = r;
            assert.deepEqual(rest, before, what);
            // The capacities go with ', no capacity' (places only), every other extension stays.
            const kept = v.endsWith(', no capacity') ? (ext as { url: string }[]).filter((e) => !e.url.endsWith('ror-location-supported-capacity')) : ext;
            assert.deepEqual(after, Array.isArray(kept) && kept.length === 0 ? undefined : kept, what);
            if (v.endsWith(', no capacity')) assert.equal(r.resourceType, 'Location', what);
            if (audited) assert.deepEqual(redact(r, ANONYMOUS, facts), seen, `${what}: public view`);
            assert.notEqual(caller.kind, 'user', `${what}: a user may maintain it and see it whole`);
          }
        }
      }
    }
    // Every verdict is exercised: the claim is not vacuous, nor is everything sent to the guard.
    assert.ok(count.plain > 1000, `plain ${count.plain}`);
    assert.ok(count.guard > 100, `guarded ${count.guard}`);
    assert.ok(count.hidden > 20, `hidden ${count.hidden}`);
    assert.ok(count.telecoms > 20, `telecoms filtered ${count.telecoms}`);
  });

  test('the database redacts telecoms and capacities as redact() does (migrations 115–116), for every caller and facts', async () => {
    const cases = new Map<RowVerdict, { r: Resource; expected: Resource; what: string }[]>();
    for (const caller of CALLERS) {
      for (const [i, r] of corpus.entries()) {
        const verdict = rowVerdictTest(caller, r.resourceType as ResourceType);
        for (const { facts, bits } of factsCases(r, features[i]!)) {
          const v = verdict?.(bits);
          if (v && telecomLevels(v)) {
            cases.set(v, [...(cases.get(v) ?? []), { r, expected: redact(r, caller, facts)!, what: `${r.resourceType}/${r.id} for ${JSON.stringify(caller)} ${JSON.stringify(facts)}` }]);
          }
        }
      }
    }
    for (const [v, list] of cases) {
      const out = await db().query<{ v: Resource }>(
        `SELECT ${databaseRedactionSql(v, 'x.c')} AS v FROM unnest($1::jsonb[]) WITH ORDINALITY AS x(c, n) ORDER BY x.n`,
        [list.map((c) => JSON.stringify(c.r))],
      );
      list.forEach((c, i) => assert.deepEqual(out.rows[i]!.v, c.expected, `${v}: ${c.what}`));
    }
    const all = [...cases.values()].flat();
    assert.ok(all.some((c) => c.r.id === 'edge-ps-tel-mixed-city'), 'the odd telecom shapes are among the cases');
    for (const id of ['edge-capacity', 'edge-capacity-elsewhere', 'edge-capacity-tel-mixed', 'edge-capacity-only-flagged']) {
      assert.ok(all.some((c) => c.r.id === id && c.expected !== c.r && c.expected.extension !== c.r.extension), `${id} loses its capacities in the database`);
    }
    assert.ok(all.length > 100, `cases ${all.length}`);
    // The access matrix keeps only level 1 or every level: the levels told apart beyond that, as levelShown ranks
    // them (redact.ts: '1', '2', anything else is '3').
    const shapes: [unknown, string][] = [[rorTelecom('1', '2', '1'), '1'], [rorTelecom('2', '2', '2'), '2'], [rorTelecom('3', '2', '3'), '3'],
      [TELECOMS.noLevel, '3'], [TELECOMS.twoLevels, '3'], [TELECOMS.uncoded, '1'], [TELECOMS.numeric, '3'], [TELECOMS.nullCode, '3'],
      [TELECOMS.notCoded, '3'], [TELECOMS.restrictedFirst, '2'], ['0100000000', '3'], [{ extension: [{ valueString: 'no url' }] }, '3']];
    const levels = await db().query<{ l: string }>(
      'SELECT ror_confidentiality_level(x.t) AS l FROM unnest($1::jsonb[]) WITH ORDINALITY AS x(t, n) ORDER BY x.n', [shapes.map(([t]) => JSON.stringify(t))],
    );
    assert.deepEqual(levels.rows.map((r) => r.l), shapes.map(([, l]) => l));
    const two = await db().query<{ v: Resource }>(`SELECT ror_redact_telecoms($1::jsonb, '{2}') AS v`,
      [JSON.stringify({ ...professional(), telecom: shapes.map(([t]) => t) })]);
    assert.deepEqual(two.rows[0]!.v.telecom, shapes.filter(([, l]) => l === '2').map(([t]) => t));
  });

  test('the bits matter: without them the same rows would have been wrongly called plain', () => {
    let caught = 0;
    for (const caller of CALLERS) {
      for (const [i, r] of corpus.entries()) {
        const verdict = rowVerdictTest(caller, r.resourceType as ResourceType);
        if (!verdict) continue;
        for (const { facts, bits } of factsCases(r, features[i]!)) {
          // The same facts, no features.
          if (verdict(bits) === 'plain' || verdict(bits & ~(FACT.city - 1)) !== 'plain') continue;
          if (redact(r, caller, facts) !== r) caught++;
        }
      }
    }
    assert.ok(caught > 50, `rows the features kept away from the plain path that redact() changes: ${caught}`);
  });

  test('$export writes the same resources and audits the same reads with and without plain rows', async () => {
    // With the search index, as the server stores them: a practitioner's facts are read through it.
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    const setup: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };
    await store.bulkPut(corpus.map((r) => ({ ...r })), setup);
    const guard = new ReadGuard(db());
    let exported = 0;
    // On the PostgreSQL server the plain rows come through COPY (type-stream.ts): count its uses, so that the
    // comparison below is known to cover that path.
    let copies = 0;
    let redactedByDatabase = 0;
    const base = db();
    const counted = Object.assign(Object.create(base) as typeof base, base.copyOut && {
      copyOut: (sql: string) => {
        copies++;
        return base.copyOut!(sql);
      },
    });
    for (const caller of CALLERS.filter((c) => c.kind !== 'system')) {
      const ctx = readerOf(caller);
      for (const type of ['Organization', 'Location', 'HealthcareService', 'Practitioner', 'PractitionerRole'] as const) {
        const run = async (plainRows: boolean) => {
          const before = Number((await db().query<{ n: string }>(`SELECT count(*) AS n FROM audit_event`)).rows[0]!.n);
          let text = '';
          // Under the access predicate, as the export service reads a type: the fast path may leave it to the verdict
          // (verdictCoversAccess), the slow one applies it.
          const src = { db: counted, readGuard: guard, type, caller: ctx, access: searchAccessFilter, batchSize: 50, plainRows };
          for await (const chunk of typeLines(src, { written: 0 }, async () => undefined)) text += chunk;
          const audit = await db().query<{ detail: { resources: string[] } }>(
            `SELECT detail FROM audit_event WHERE action = 'read-restricted' ORDER BY seq OFFSET $1`, [before],
          );
          return { text, audited: audit.rows.flatMap((a) => a.detail.resources).sort() };
        };
        const slow = await run(false);
        const fast = await run(true);
        if (slow.text) exported++;
        // The same lines; those the database redacted (migration 115) are the same JSON in PostgreSQL's formatting.
        const fastLines = fast.text.split('\n');
        const slowLines = slow.text.split('\n');
        assert.equal(fastLines.length, slowLines.length, `${type} for ${JSON.stringify(caller)}`);
        fastLines.forEach((line, i) => {
          if (line === slowLines[i]) return;
          assert.deepEqual(JSON.parse(line), JSON.parse(slowLines[i]!), `${type} for ${JSON.stringify(caller)}`);
          redactedByDatabase++;
        });
        assert.deepEqual(fast.audited, slow.audited, `${type} audit for ${JSON.stringify(caller)}`);
      }
    }
    assert.ok(exported > 30, `non-empty exports: ${exported}`);
    if (base.kind === 'postgres') {
      assert.ok(copies > 20, `pages read through COPY: ${copies}`);
      assert.ok(redactedByDatabase > 10, `lines redacted by the database: ${redactedByDatabase}`);
    }
  });

  test('the guard: a caller of the anonymous profile sees what the public sees, unaudited; another profile is audited', async () => {
    // The corpus is stored by the export test above; the guard reads the facts from the database.
    const guard = new ReadGuard(db());
    const audits = async () => Number((await db().query<{ n: string }>(`SELECT count(*) AS n FROM audit_event WHERE action = 'read-restricted'`)).rows[0]!.n);
    const resources = corpus.filter((r) => r.id?.startsWith('edge-'));
    const publicView = await guard.view(readerOf(ANONYMOUS), resources, 'read');
    const before = await audits();
    const profile0 = await guard.view(readerOf(app(0)), resources, 'read');
    assert.deepEqual(profile0, publicView);
    assert.equal(await audits(), before, 'a profile-0 read discloses nothing restricted');
    // The same views are not all the resources whole: the comparison is not vacuous.
    assert.ok(publicView.some((v, i) => v !== resources[i]) && publicView.some((v, i) => v === resources[i]));
    // Profile 1 sees very restricted telecoms: its reads are audited.
    await guard.view(readerOf(app(1)), resources, 'read');
    assert.ok(await audits() > before, 'a profile-1 read of restricted data is audited');
  });

  test('the fact bits of practitioners and practices are the facts the guard reads', async () => {
    // The corpus is stored by the test above.
    let checked = 0;
    const seen = new Set<string>();
    for (const type of ['Practitioner', 'PractitionerRole'] as const) {
      const table = type === 'Practitioner' ? 'practitioner' : 'practitioner_role';
      const r = await db().query<{ content: Resource; bits: number }>(
        `SELECT m.content, ${factBitsSql(type, 'm')} AS bits FROM ${table} m WHERE NOT m.deleted AND m.id LIKE 'edge-%' ORDER BY m.id`,
      );
      const facts = await readFactsOfMany(db(), r.rows.map((x) => x.content));
      r.rows.forEach((row, i) => {
        assert.deepEqual(factsOfBits(Number(row.bits)), facts[i], `${type}/${row.content.id}`);
        seen.add(JSON.stringify(facts[i]));
        checked++;
      });
    }
    assert.ok(checked >= 15, `rows checked: ${checked}`);
    // City or not, médico-social or not, sensitive or not: each fact is found true and false.
    for (const key of ['city', 'medicoSocial', 'sensitive']) {
      for (const value of [true, false]) assert.ok([...seen].some((f) => JSON.parse(f)[key] === value), `${key} ${value} in ${[...seen]}`);
    }
  });

  test('the stored features (migration 114) are the function\'s, with the detail systems of redaction.ts', async () => {
    // The same patterns as the code's, so that a detail system added to redact.ts cannot be missed by the column.
    const same = await db().query<{ same: boolean }>('SELECT ror_redaction_detail_patterns() = $1::jsonb[] AS same', [DETAIL_PATTERNS]);
    assert.equal(same.rows[0]!.same, true);
    // Every stored row of the corpus (stored by the $export test above), and one offer per detail system.
    const store = new ResourceStore(db());
    const setup: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };
    await store.bulkPut(DETAIL_SYSTEM_LIST.map((system, i) => {
      const r = completedHealthcareService();
      r.id = `edge-detail-${i}`;
      (r.characteristic as unknown[]).push({ coding: [{ system, code: '01' }] });
      return r;
    }), setup);
    let rows = 0;
    for (const type of STORED_FEATURE_TYPES) {
      const r = await db().query<{ id: string; stored: number; computed: number }>(
        `SELECT m.id, m.redaction_features AS stored, ${featuresSql('m.content', '$1')} AS computed FROM ${tableOf(type)} m`, [DETAIL_PATTERNS],
      );
      for (const row of r.rows) assert.equal(row.stored, row.computed, `${type}/${row.id}`);
      rows += r.rows.length;
    }
    assert.ok(rows > 600, `rows compared: ${rows}`);
    const details = await db().query<{ f: number }>(`SELECT redaction_features AS f FROM healthcare_service WHERE id LIKE 'edge-detail-%'`);
    assert.equal(details.rows.length, DETAIL_SYSTEM_LIST.length);
    for (const row of details.rows) assert.equal(row.f & FEATURE.offerDetails, FEATURE.offerDetails);
  });
});
