import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Resource } from '../../fhir/types.ts';
import { ResourceStore } from '../../store/resource-store.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { CommuneIndex } from '../geo/commune-index.ts';
import { defaultRppsDir } from '../reference-data.ts';
import { importRpps } from './import-rpps.ts';
import { mapActivity, RPPS_EXTENSIONS, RPPS_SYSTEMS } from './mapping.ts';
import { readRpps, type RppsActivity } from './rpps-reader.ts';

const SAMPLE = path.join(defaultRppsDir(), 'PS_LibreAcces_Personne_activite_small.txt');
const communes = CommuneIndex.load();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-rpps-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function activities(file: string) {
  const out: RppsActivity[] = [];
  const rejected: number[] = [];
  for await (const item of readRpps(file)) {
    if (item.kind === 'activity') out.push(item.record);
    else rejected.push(item.problem.line);
  }
  return { out, rejected };
}

describe('RPPS reader and mapping on the real 22-line sample', () => {
  let rows: RppsActivity[];
  before(async () => {
    const r = await activities(SAMPLE);
    rows = r.out;
    assert.deepEqual(r.rejected, []);
  });

  test('reads the 22 activities with their 52 named columns', () => {
    assert.equal(rows.length, 22);
    assert.deepEqual([rows[0]!.line, rows[0]!.idNatPS, rows[0]!.nom, rows[0]!.professionCode, rows[0]!.modeCode], [2, '0010001949', 'JOLY', '71', 'L']);
    assert.equal(rows.filter((r) => r.structureId).length, 13);
    assert.equal(rows.at(-1)!.idNatPS, '810106476764');
  });

  test('a private practice gets a draft city offer; a FINESS site is the FINESS import\'s EG', () => {
    const orthoptiste = mapActivity(rows.find((r) => r.idNatPS === '0019200575')!, communes);
    assert.equal(orthoptiste.offer?.resourceType, 'HealthcareService');
    assert.deepEqual((orthoptiste.offer!.type as { coding: { code: string }[] }[])[0]!.coding[0]!.code, '05');
    assert.deepEqual(orthoptiste.role!.healthcareService, [{ reference: `HealthcareService/${orthoptiste.offer!.id}` }]);
    const mode = (orthoptiste.role!.extension as { url: string; valueCodeableConcept?: { coding: { system: string; code: string }[] } }[])[0]!;
    assert.equal(mode.url, RPPS_EXTENSIONS.exerciseMode);
    assert.deepEqual(mode.valueCodeableConcept!.coding[0]!.code, 'L');
    const cog = (orthoptiste.location!.extension as { valueCodeableConcept: { coding: { code: string }[] } }[])[0]!;
    assert.equal(cog.valueCodeableConcept.coding[0]!.code, '01248'); // Mionnay (COG 2026)
    const pos = orthoptiste.location!.position as { latitude: number; longitude: number; extension: { valueBoolean: boolean }[] };
    assert.deepEqual([pos.latitude, pos.longitude], [communes.centroid('01248')!.latitude, communes.centroid('01248')!.longitude]);
    assert.equal(pos.extension[0]!.valueBoolean, false);

    const manip = mapActivity(rows.find((r) => r.idNatPS === '0019801570')!, communes);
    assert.equal(manip.offer, undefined);
    assert.equal(manip.site, undefined);
    assert.deepEqual(manip.role!.organization, { reference: 'Organization/finess-eg-010000024' });
    assert.deepEqual(manip.role!.location, [{ reference: 'Location/finess-loc-010000024' }]);
    assert.deepEqual((manip.role!.code as { coding: { system: string; code: string }[] }[])[0]!.coding[0], { system: RPPS_SYSTEMS.profession, code: '98', display: 'Manipulateur ERM' });
    assert.deepEqual((manip.practitioner.identifier as unknown[])[0], { system: RPPS_SYSTEMS.idNatPS, value: '0019801570' });
  });

  test('broken lines are rejected with their line number', async () => {
    const lines = fs.readFileSync(SAMPLE, 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/\|$/, ''); // line 4: trailing | lost, one field short
    lines[6] = lines[6]!.replace('0013102413', '00131X'); // line 7: bad national id
    const file = path.join(dir, 'broken.txt');
    fs.writeFileSync(file, lines.join('\n'));
    const r = await activities(file);
    assert.deepEqual(r.rejected, [4, 7]);
    assert.equal(r.out.length, 20);
  });
});

describeWithDatabases('RPPS import', (db) => {
  let store: ResourceStore;
  before(() => {
    store = new ResourceStore(db());
  });

  test('imports the sample, then a second run writes nothing; a professional\'s edit survives', async () => {
    const r = await importRpps(store, SAMPLE, { communes });
    assert.equal(r.rejected, 0);
    assert.equal(r.practitioners, 22);
    // 22 practitioners, 13 roles, 6 non-FINESS sites with their places (7 are FINESS EGs), 1 draft offer.
    assert.equal(r.created, 22 + 13 + 6 * 2 + 1);
    const n = async (t: string) => Number((await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]!.n);
    assert.equal(await n('practitioner'), 22);
    assert.equal(await n('practitioner_role'), 13);
    assert.equal(await n('healthcare_service'), 1);

    const offerId = (await db().query<{ id: string }>('SELECT id FROM healthcare_service')).rows[0]!.id;
    await store.patch('HealthcareService', offerId, (o: Resource) => ({ ...o, name: 'Orthoptie à domicile et au cabinet' }), {
      actor: { id: 'ps-0019200575', kind: 'user' }, source: 'form',
    });
    const again = await importRpps(store, SAMPLE, { communes });
    assert.equal(again.created + again.updated, 0);
    assert.equal(again.unchanged, r.created);
    assert.equal(again.referentFieldsKept, 1);
    assert.equal((await store.read('HealthcareService', offerId)).resource.name, 'Orthoptie à domicile et au cabinet');
  });
});

describeWithDatabases('RPPS import in bounded memory, shared resources written once per run', (db) => {
  let store: ResourceStore;
  before(() => {
    store = new ResourceStore(db());
  });

  test('a site shared by professionals and a professional on several lines, met again after being forgotten', async () => {
    const lines = fs.readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim());
    const renumbered = (line: string, idPP: string) => line.split('|').map((f, i) => (i === 1 ? idPP : i === 2 ? `0${idPP}` : f)).join('|');
    // After the 22 sample lines: a new orthoptist at the private practice of line 11 (shared site and place),
    // line 11 again (same professional, second activity line: nothing new), a new professional at the site of line 4.
    const extra = [renumbered(lines[10]!, '019200576'), lines[10]!, renumbered(lines[3]!, '012600632')];
    // Its own folder: the file-level one may already be removed when the database suites run.
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-rpps-shared-'));
    after(() => fs.rmSync(own, { recursive: true, force: true }));
    const file = path.join(own, 'shared.txt');
    fs.writeFileSync(file, [...lines, ...extra].join('\n') + '\n');

    // One key remembered, batches of 2 resources: every shared resource is forgotten before it comes back,
    // and on PostgreSQL two batches are in flight.
    const r = await importRpps(store, file, { communes, rememberedKeys: 1, batchSize: 2 });
    assert.equal(r.rejected, 0);
    assert.equal(r.activities, 25);
    assert.equal(r.practitioners, 24);
    // The sample's 48, plus practitioner + role + offer for the new orthoptist, practitioner + role for the other.
    assert.equal(r.created, 48 + 3 + 2);
    assert.equal(r.updated + r.unchanged, 0);
    assert.equal(r.validation.mode, 'sample'); // trusted write (this store has no validator: nothing to sample)
    for (const t of ['practitioner', 'practitioner_role', 'healthcare_service', 'organization', 'location']) {
      const v = await db().query<{ n: number; v: number | null }>(`SELECT count(*)::int AS n, max(version_id)::int AS v FROM ${t}`);
      assert.ok((v.rows[0]!.v ?? 1) === 1, `${t}: a resource written twice in one run`);
    }
    const site = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM practitioner_role WHERE content -> 'organization' ->> 'reference' = (SELECT content -> 'organization' ->> 'reference' FROM practitioner_role WHERE id LIKE 'rpps-role-0019200575-%')`);
    assert.equal(site.rows[0]!.n, 2);

    const again = await importRpps(store, file, { communes, rememberedKeys: 1, batchSize: 2 });
    assert.equal(again.created + again.updated, 0);
    assert.equal(again.unchanged, r.created);
    assert.equal(again.practitioners, 24);
  });
});
