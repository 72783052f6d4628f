import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { FhirError, operationOutcome } from '../fhir/outcome.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { searchConcepts } from './concept-search.ts';
import { nosCanonicalUrl } from './nos-files.ts';
import { expandValueSet, lookupOperation, validateCodeOperation } from './operations.ts';
import { registerTerminologyRoutes } from './routes.ts';
import { defaultNosDir, NosTerminology } from './terminology.ts';

const NOS = defaultNosDir();
const J17 = nosCanonicalUrl('JDV_J17-ActiviteOperationnelle-ROR');
const J19 = nosCanonicalUrl('JDV_J19-ModePriseEnCharge-ROR');
const R211 = nosCanonicalUrl('TRE_R211-ActiviteOperationnelle');
const R213 = nosCanonicalUrl('TRE_R213-ModePriseEnCharge');

/** J17 concepts straight from the file, to compare the expansions with. */
const j17 = JSON.parse(fs.readFileSync(path.join(NOS, 'JDV_J17-ActiviteOperationnelle-ROR-FHIR.json'), 'utf8'))
  .compose.include.flatMap((i: { concept: { code: string; display: string }[] }) => i.concept) as { code: string; display: string }[];
const bare = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const r213 = fs.readFileSync(path.join(NOS, 'TRE_R213-ModePriseEnCharge.tabs'), 'utf8').split('\n').slice(3).filter(Boolean).map((l) => l.split(';'));

await describeWithDatabases('terminology operations', (db) => {
  let t: NosTerminology;
  let app: FastifyInstance;
  before(async () => {
    t = await NosTerminology.load(db());
    app = Fastify();
    app.addContentTypeParser(['application/json', 'application/fhir+json'], { parseAs: 'string' }, (_req, body, done) => done(null, JSON.parse(body as string)));
    app.setErrorHandler((err, _req, reply) => {
      const fe = err instanceof FhirError ? err : new FhirError(500, [{ severity: 'fatal', code: 'exception', fr: 'erreur', en: String(err) }]);
      reply.code(fe.status).send(operationOutcome(fe.issues));
    });
    await registerTerminologyRoutes(app, { db: db(), terminology: t });
  });

  test('$expand without filter lists the whole value set, paged', async () => {
    const all = await expandValueSet(db(), t, { url: J17 });
    assert.equal(all.expansion.total, 449);
    assert.equal(all.expansion.contains.length, 449);
    assert.deepEqual(all.expansion.contains.map((c) => c.code), j17.map((c) => c.code), 'file order');
    const page = await expandValueSet(db(), t, { url: J17, count: 10, offset: 440 });
    assert.equal(page.expansion.total, 449);
    assert.deepEqual(page.expansion.contains.map((c) => c.code), j17.slice(440).map((c) => c.code));
    const past = await expandValueSet(db(), t, { url: J17, count: 10, offset: 500 });
    assert.equal(past.expansion.total, 449);
    assert.equal(past.expansion.contains.length, 0);
  });

  test('$expand filter "kine" finds every kinésithérapie activity, the plain one first', async () => {
    const e = await expandValueSet(db(), t, { url: J17, filter: 'kine' });
    const expected = j17.filter((c) => /(^|[^a-z])kine/.test(bare(c.display))).map((c) => c.code).sort();
    assert.ok(expected.length >= 10);
    assert.deepEqual(e.expansion.contains.map((c) => c.code).sort(), expected);
    assert.equal(e.expansion.contains[0].display, 'Kinésithérapie');
    assert.ok(e.expansion.contains.every((c) => c.system === R211));
  });

  test('$expand filter "reeducation" (no accents) and the typo "reeducaton" find the rééducation activities first', async () => {
    const expected = j17.filter((c) => bare(c.display).includes('reeducation')).map((c) => c.code).sort();
    assert.ok(expected.length >= 2);
    for (const filter of ['reeducation', 'REEDUCATION', 'reeducaton']) {
      const e = await expandValueSet(db(), t, { url: J17, filter });
      const top = e.expansion.contains.slice(0, expected.length).map((c) => c.code).sort();
      assert.deepEqual(top, expected, filter);
    }
    const none = await expandValueSet(db(), t, { url: J17, filter: 'zzqxw' });
    assert.equal(none.expansion.total, 0);
  });

  test('$expand with several words narrows down; unknown value set is a 404 naming it', async () => {
    const e = await expandValueSet(db(), t, { url: J17, filter: 'kiné respiratoire' });
    assert.deepEqual(e.expansion.contains.map((c) => c.code), j17.filter((c) => /kin.*respiratoire/i.test(bare(c.display))).map((c) => c.code));
    const j16 = nosCanonicalUrl('JDV_J16-ActeSpecifique-ROR');
    await assert.rejects(expandValueSet(db(), t, { url: j16 }), (err: FhirError) => err.status === 404 && err.issues[0].fr.includes(j16));
    await assert.rejects(expandValueSet(db(), t, { url: J17, count: 'x' }), (err: FhirError) => err.status === 400);
  });

  test('$expand marks retired codes inactive and can leave them out', async () => {
    // No J19 code is retired in the NOS today: flag one row as a later import would, then restore it.
    const target = (await expandValueSet(db(), t, { url: J19 })).expansion.contains.find((c) => !bare(c.display ?? '').includes('ambulatoire'))!;
    await db().query('UPDATE terminology_value_set_member SET retired = true WHERE value_set = $1 AND code = $2', [J19, target.code]);
    try {
      const all = await expandValueSet(db(), t, { url: J19 });
      assert.equal(all.expansion.total, 37);
      assert.deepEqual(all.expansion.contains.filter((c) => c.inactive).map((c) => c.code), [target.code]);
      const active = await expandValueSet(db(), t, { url: J19, activeOnly: 'true' });
      assert.equal(active.expansion.total, 36);
      assert.ok(!active.expansion.contains.some((c) => c.code === target.code));
    } finally {
      await db().query('UPDATE terminology_value_set_member SET retired = false WHERE value_set = $1 AND code = $2', [J19, target.code]);
    }
  });

  test('$expand of an IG value set including systems not loaded is flagged partial', async () => {
    const usage = 'https://interop.esante.gouv.fr/ig/fhir/ror/ValueSet/ror-usage-context-type-vs';
    const e = await expandValueSet(db(), t, { url: usage });
    assert.equal(e.expansion.extension?.[0].valueBoolean, true);
    assert.ok(e.expansion.contains.some((c) => c.code === 'champAct' && c.display));
    assert.ok(e.expansion.contains.every((c) => c.display === undefined || c.display.length > 0));
    const j17 = await expandValueSet(db(), t, { url: J17, count: 1 });
    assert.equal(j17.expansion.extension, undefined);
  });

  test('$lookup gives display, labels and the retired flag', () => {
    const retired = r213.find((r) => r[6] !== '')!;
    const p = lookupOperation(t, { system: R213, code: retired[1] });
    const get = (name: string) => p.parameter.find((x) => x.name === name);
    assert.equal(get('display')?.valueString, retired[2]);
    assert.equal(get('name')?.valueString, 'TRE_R213-ModePriseEnCharge');
    const prop = p.parameter.find((x) => x.name === 'property' && x.part?.[0].valueCode === 'retired');
    assert.equal(prop?.part?.[1].valueBoolean, true);
    const active = r213.find((r) => r[6] === '')!;
    const q = lookupOperation(t, { system: R213, code: active[1] });
    assert.equal(q.parameter.find((x) => x.name === 'property' && x.part?.[0].valueCode === 'retired')?.part?.[1].valueBoolean, false);
    assert.ok(q.parameter.some((x) => x.name === 'designation' && x.part?.some((y) => y.valueString === active[3])));
    assert.throws(() => lookupOperation(t, { system: R213, code: 'ZZ' }), (err: FhirError) => err.status === 404);
    assert.throws(() => lookupOperation(t, { system: R213 }), (err: FhirError) => err.status === 400);
  });

  test('$validate-code: valid with display, invalid naming the value set, unknown value set 404', () => {
    const ok = validateCodeOperation(t, { url: J17, system: R211, code: '227' });
    assert.equal(ok.parameter.find((p) => p.name === 'result')?.valueBoolean, true);
    assert.equal(ok.parameter.find((p) => p.name === 'display')?.valueString, j17.find((c) => c.code === '227')!.display);
    const bad = validateCodeOperation(t, { url: J17, system: R211, code: '9999' });
    assert.equal(bad.parameter.find((p) => p.name === 'result')?.valueBoolean, false);
    assert.match(bad.parameter.find((p) => p.name === 'message')!.valueString!, /JDV_J17-ActiviteOperationnelle-ROR/);
    assert.throws(
      () => validateCodeOperation(t, { url: nosCanonicalUrl('JDV_J238-TypeOffre-ROR'), system: R211, code: '227' }),
      (err: FhirError) => err.status === 404,
    );
  });

  test('searchConcepts looks in every value set, or in the ones given', async () => {
    const any = await searchConcepts(db(), 'kinésithérapie', { limit: 50 });
    assert.ok(any.some((m) => m.valueSet === J17 && m.code === '339'));
    const inJ19 = await searchConcepts(db(), 'ambulatoire', { valueSets: [J19] });
    assert.ok(inJ19.length > 0);
    assert.ok(inJ19.every((m) => m.valueSet === J19 && bare(m.display).includes('ambulatoire')));
    assert.deepEqual(await searchConcepts(db(), '  '), []);
  });

  test('HTTP routes: GET and POST, errors as OperationOutcome', async () => {
    const e = await app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?url=${encodeURIComponent(J17)}&filter=kine&count=3` });
    assert.equal(e.statusCode, 200);
    const vs = e.json();
    assert.equal(vs.resourceType, 'ValueSet');
    assert.equal(vs.expansion.contains.length, 3);
    assert.equal(vs.expansion.contains[0].code, '339');
    const v = await app.inject({
      method: 'POST',
      url: '/fhir/ValueSet/$validate-code',
      headers: { 'content-type': 'application/fhir+json' },
      payload: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: J17 }, { name: 'coding', valueCoding: { system: R211, code: '227' } }] },
    });
    assert.equal(v.statusCode, 200);
    assert.equal(v.json().parameter[0].valueBoolean, true);
    const l = await app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?system=${encodeURIComponent(R213)}&code=${r213[0][1]}` });
    assert.equal(l.statusCode, 200);
    assert.equal(l.json().parameter.find((p: { name: string }) => p.name === 'display').valueString, r213[0][2]);
    const byId = await app.inject({ method: 'GET', url: '/fhir/ValueSet/JDV-J17-ActiviteOperationnelle-ROR/$expand?filter=reeducaton&count=2' });
    assert.equal(byId.statusCode, 200);
    assert.equal(byId.json().url, J17);
    assert.equal(byId.json().expansion.contains.length, 2);
    const noId = await app.inject({ method: 'GET', url: '/fhir/ValueSet/JDV-J16-ActeSpecifique-ROR/$validate-code?code=1' });
    assert.equal(noId.statusCode, 404);
    const unknown = await app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?url=${encodeURIComponent(nosCanonicalUrl('JDV_J16-ActeSpecifique-ROR'))}` });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().resourceType, 'OperationOutcome');
  });
});
