import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { entryTemplates, loadEntryTemplates, TEMPLATE_CONTEXT } from './entry-templates.ts';

interface Item { linkId: string; type: string; definition?: string; answerValueSet?: string; required?: boolean; item?: Item[] }
const leaves = (items: Item[] = []): Item[] => items.flatMap((i) => (i.type === 'group' ? leaves(i.item) : [i]));

describeWithDatabases('entry templates (Questionnaire)', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(db());
  });
  after(async () => server?.close());

  const get = async (q: string) => {
    const res = await fetch(`${server.fhirBase}/${q}`, { headers: { accept: 'application/fhir+json' } });
    assert.equal(res.status, 200, q);
    return (await res.json()) as { total?: number; entry?: { resource: Resource }[] };
  };
  const ids = (b: { entry?: { resource: Resource }[] }) => (b.entry ?? []).map((e) => e.resource.id).sort();

  test('the migration loaded every shipped template; loading again writes nothing', async () => {
    const shipped = entryTemplates();
    assert.ok(shipped.length >= 11);
    const all = await get('Questionnaire?_count=100');
    assert.deepEqual(ids(all), shipped.map((q) => q.id).sort());
    assert.equal(await db().transaction((tx) => loadEntryTemplates(tx)), 0);
  });

  test('every template is valid against ror-questionnaire, its items point at ROR profile elements, its value sets expand', async () => {
    const sets = new Set<string>();
    for (const q of entryTemplates()) {
      const errors = (await server.services.validator.validate(q)).filter((i) => i.severity === 'error');
      assert.deepEqual(errors, [], q.id);
      for (const item of leaves(q.item as Item[])) {
        assert.match(item.definition ?? '', /^https:\/\/interop\.esante\.gouv\.fr\/ig\/fhir\/ror\/StructureDefinition\/ror-[a-z]+#[A-Z][A-Za-z]+\./, `${q.id} ${item.linkId}`);
        if (item.answerValueSet) sets.add(item.answerValueSet);
      }
    }
    for (const url of sets) {
      if (url.includes('J124-Commune')) continue; // communes: the COG directory (/api/communes), not an NOS file here
      const res = await fetch(`${server.fhirBase}/ValueSet/$expand?url=${encodeURIComponent(url)}&count=1`, { headers: { accept: 'application/fhir+json' } });
      const body = (await res.json()) as { expansion?: { total?: number; contains?: unknown[] } };
      assert.equal(res.status, 200, url);
      assert.ok((body.expansion?.contains ?? []).length > 0, `${url} expands to nothing`);
    }
  });

  test('search by establishment category (EHPAD 500, SSIAD 354, IME 183, SMR 109, CH 355) and by profession (70, 50, 91)', async () => {
    const byContext = async (system: string, code: string) => ids(await get(`Questionnaire?context=${encodeURIComponent(`${system}|${code}`)}`));
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.egCategory, '500'), ['ror-questionnaire-ehpad']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.egCategory, '354'), ['ror-questionnaire-ssiad']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.egCategory, '183'), ['ror-questionnaire-ime']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.egCategory, '109'), ['ror-questionnaire-smr']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.egCategory, '355'), ['ror-questionnaire-mco']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.profession, '70'), ['ror-questionnaire-masseur-kinesitherapeute']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.profession, '50'), ['ror-questionnaire-sage-femme']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.profession, '91'), ['ror-questionnaire-orthophoniste']);
    assert.deepEqual(await byContext(TEMPLATE_CONTEXT.egCategory, '999'), []);
    assert.deepEqual(ids(await get('Questionnaire?subject-type=Location')), ['ror-questionnaire-lieu']);
  });

  test('the templates differ in what they require: the SSIAD zone, the EHPAD reception type, not the other way round', () => {
    const required = (id: string) => new Set(leaves(entryTemplates().find((q) => q.id === id)!.item as Item[]).filter((i) => i.required).map((i) => i.linkId));
    assert.ok(required('ror-questionnaire-ssiad').has('zone'));
    assert.ok(!required('ror-questionnaire-ehpad').has('zone'));
    assert.ok(required('ror-questionnaire-ehpad').has('receptionType'));
    assert.ok(required('ror-questionnaire-masseur-kinesitherapeute').has('receptionModality'));
    for (const id of ['ror-questionnaire-ehpad', 'ror-questionnaire-mco', 'ror-questionnaire-sage-femme']) {
      for (const k of ['activity', 'careMode', 'ageLow', 'ageHigh']) assert.ok(required(id).has(k), `${id} ${k}`);
    }
  });
});
