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

describeWithDatabases('edit forms: what the server refuses (the forms show it on the field, nothing saved)', (db) => {
  let server: TestServer;
  let referent: Record<string, string>;
  before(async () => {
    server = await startTestServer(db());
    const { writeEhpad, EHPAD } = await import('./test-fixtures.ts');
    await writeEhpad(server.services.store);
    referent = await server.userHeaders({ email: 'referente@ehpad-tilleuls.test', role: 'referent', organizations: [EHPAD.ej] });
  });
  after(async () => server?.close());

  const offer = async () => {
    const res = await fetch(`${server.fhirBase}/HealthcareService/test-offre-ehpad`, { headers: { ...referent, accept: 'application/fhir+json' } });
    return { etag: res.headers.get('etag')!, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const put = (r: unknown, etag: string) => fetch(`${server.fhirBase}/HealthcareService/test-offre-ehpad`, {
    method: 'PUT', headers: { ...referent, 'content-type': 'application/fhir+json', 'if-match': etag }, body: JSON.stringify(r),
  });
  const ROR = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

  test('wrong code, age min > age max, negative age, invalid phone / e-mail / MSS: 422 with a French message on the element; version unchanged', async () => {
    const { etag, body } = await offer();
    const cases: [string, (r: any) => void, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ['wrong code', (r) => { r.characteristic[0].coding[0].code = '999'; }, /999/],
      ['age min > max', (r) => { r.extension[1].extension[1].valueRange.low.value = 90; r.extension[1].extension[1].valueRange.high.value = 60; }, /minimum \(90\) est supérieur au maximum \(60\)/],
      ['negative age', (r) => { r.extension[1].extension[1].valueRange.low.value = -1; }, /sous zéro/],
      ['invalid MSS', (r) => { r.telecom = [{ system: 'email', value: 'accueil@gmail.com', extension: [
        { url: `${ROR}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R200-CanalCommunication/FHIR/TRE-R200-CanalCommunication', code: '3' }] } },
        { url: `${ROR}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R283-NiveauConfidentialite/FHIR/TRE-R283-NiveauConfidentialite', code: '2' }] } },
      ] }]; }, /messagerie sécurisée de santé/],
    ];
    for (const [name, change, message] of cases) {
      const r = JSON.parse(JSON.stringify(body));
      change(r);
      const res = await put(r, etag);
      assert.equal(res.status, 422, name);
      const outcome = (await res.json()) as { issue: { details: { text: string }; expression: string[] }[] };
      assert.ok(outcome.issue.some((i) => message.test(i.details.text) && i.expression[0].startsWith('HealthcareService.')), `${name}: ${JSON.stringify(outcome.issue.map((i) => i.details.text))}`);
    }
    assert.equal((await offer()).etag, etag);
  });

  test('invalid phone on a place, negative capacity: refused', async () => {
    const res = await fetch(`${server.fhirBase}/Location/test-lieu-ehpad`, { headers: { ...referent, accept: 'application/fhir+json' } });
    const etag = res.headers.get('etag')!;
    const place = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const withPhone = { ...place, telecom: [{ system: 'phone', value: '01 30 AB', extension: [
      { url: `${ROR}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R200-CanalCommunication/FHIR/TRE-R200-CanalCommunication', code: '2' }] } },
      { url: `${ROR}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R283-NiveauConfidentialite/FHIR/TRE-R283-NiveauConfidentialite', code: '1' }] } },
    ] }] };
    const bad = await fetch(`${server.fhirBase}/Location/test-lieu-ehpad`, { method: 'PUT', headers: { ...referent, 'content-type': 'application/fhir+json', 'if-match': etag }, body: JSON.stringify(withPhone) });
    assert.equal(bad.status, 422);
    assert.match(JSON.stringify(await bad.json()), /n'est pas un numéro de téléphone valide/);
    const negative = { ...place, extension: [...place.extension, { url: `${ROR}ror-location-supported-capacity`, extension: [
      { url: 'capacityType', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R329-NatureCapacite/FHIR/TRE-R329-NatureCapacite', code: '02' }] } },
      { url: 'capacityStatus', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite', code: '01' }] } },
      { url: 'temporalityCapacity', valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.250.1.213.3.3.214', code: '01' }] } },
      { url: 'nbCapacity', valueInteger: -5 },
      { url: 'capacitySourceType', valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.250.1.213.3.3.218', code: '01' }] } },
      { url: 'capacityUpdateDate', valueDateTime: '2026-11-23T10:00:00+01:00' },
      { url: 'temporaryAssignement', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R337-AffectationTemporaire/FHIR/TRE-R337-AffectationTemporaire', code: '01' }] } },
    ] }] };
    const neg = await fetch(`${server.fhirBase}/Location/test-lieu-ehpad`, { method: 'PUT', headers: { ...referent, 'content-type': 'application/fhir+json', 'if-match': etag }, body: JSON.stringify(negative) });
    assert.equal(neg.status, 422);
    assert.match(JSON.stringify(await neg.json()), /ne peut pas être négatif/);
  });

  test('a stale If-Match is refused with 412 and a readable message; the other person\'s change stays', async () => {
    const first = await offer();
    const other = JSON.parse(JSON.stringify(first.body));
    other.name = 'Hébergement permanent — unité Alzheimer';
    assert.equal((await put(other, first.etag)).status, 200);
    const mine = JSON.parse(JSON.stringify(first.body));
    mine.name = 'Hébergement permanent (mon changement)';
    const res = await put(mine, first.etag);
    assert.equal(res.status, 412);
    assert.match(JSON.stringify(await res.json()), /version/i);
    assert.equal((await offer()).body.name, 'Hébergement permanent — unité Alzheimer');
  });
});
