// Profile validation at the API boundary: a write that breaks the ROR profile or the NOS value sets
// is refused with a 422 OperationOutcome naming the element and the value set, and nothing is stored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Resource } from '../../fhir/types.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { completedHealthcareService, example } from '../../validation/fixtures.ts';

const ACTIVITY = 'https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle';

await describeWithDatabases('profile validation on the FHIR API', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(db());
  });
  after(async () => server.close());

  async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.fhirBase}/${path}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', ...(await server.adminHeaders()) }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }
  const offers = async () => (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM healthcare_service')).rows[0].n;

  test('a conformant offer is stored', async () => {
    const r = await post('HealthcareService', completedHealthcareService());
    assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 500));
  });

  test('an unknown activity code is refused with the value set named, and nothing is stored', async () => {
    const before = await offers();
    const hs = completedHealthcareService() as Resource & { specialty: { coding: { system: string; code: string }[] }[] };
    hs.specialty = [{ coding: [{ system: ACTIVITY, code: '9999' }] }];
    const r = await post('HealthcareService', hs);
    assert.equal(r.status, 422);
    const issue = r.body.issue.find((i: any) => i.severity === 'error' && /J17/.test(i.details.text + i.diagnostics));
    assert.ok(issue, JSON.stringify(r.body));
    assert.match(issue.expression[0], /^HealthcareService\.specialty\[0\]/);
    assert.equal(await offers(), before);
  });

  test('a missing required element is refused with its path', async () => {
    const before = await offers();
    const { providedBy: _p, ...hs } = completedHealthcareService() as Resource & { providedBy?: unknown };
    const r = await post('HealthcareService', hs);
    assert.equal(r.status, 422);
    assert.ok(r.body.issue.some((i: any) => i.expression?.[0] === 'HealthcareService.providedBy'), JSON.stringify(r.body));
    assert.equal(await offers(), before);
  });

  test('$validate reports without storing: the published IG example lacks its care mode', async () => {
    const before = await offers();
    const r = await post('HealthcareService/$validate', example('HealthcareService-1234564'));
    assert.equal(r.status, 200);
    const errors = r.body.issue.filter((i: any) => i.severity === 'error');
    assert.ok(errors.length >= 1);
    assert.ok(errors.some((i: any) => /characteristic/.test(i.expression?.[0] ?? '')), JSON.stringify(errors));
    const ok = await post('HealthcareService/$validate', completedHealthcareService());
    assert.equal(ok.body.issue[0].severity, 'information');
    assert.equal(await offers(), before);
  });
});
