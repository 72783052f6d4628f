import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Resource } from '../../fhir/types.ts';
import { createSearchIndexer } from '../../search/indexer.ts';
import { ResourceStore } from '../../store/resource-store.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { CommuneIndex } from '../geo/commune-index.ts';
import { defaultRppsDir } from '../reference-data.ts';
import { importRpps } from './import-rpps.ts';
import { importSavoirFaire } from './import-savoir-faire.ts';
import { RPPS_SYSTEMS } from './mapping.ts';
import { firstLine, isSavoirFaireHeader } from './savoir-faire-reader.ts';

const SAMPLE = path.join(defaultRppsDir(), 'PS_LibreAcces_Personne_activite_small.txt');
const communes = CommuneIndex.load();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-rpps-sf-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Synthetic professionals (made-up ids and names) on the layout of a real sample line with a practice
 * structure: médecins, ordinal speciality SM54 on their activity line.
 */
function activityFile(): string {
  const lines = fs.readFileSync(SAMPLE, 'utf8').split('\n');
  const template = lines.find((l) => l.includes('|C49940088500020|'))!.split('|');
  const person = (idNat: string, name: string, structure: string) => {
    const f = [...template];
    [f[1], f[2], f[7], f[8], f[9], f[10]] = [idNat.slice(1), idNat, name, 'Camille', '10', 'Médecin'];
    [f[13], f[14], f[15], f[16], f[17], f[18]] = ['S', 'Spécialité ordinale', 'SM54', 'Médecine générale', 'L', 'Libéral'];
    f[23] = structure;
    return f.join('|');
  };
  const file = path.join(dir, 'PS_LibreAcces_Personne_activite_test.txt');
  fs.writeFileSync(file, [lines[0], person('899999999901', 'TESTA', 'RTEST0001'), person('899999999902', 'TESTB', 'RTEST0002')].join('\n') + '\n');
  return file;
}

const SF_HEADER = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|";
const sf = (idNat: string, type: string, typeLabel: string, code: string, label: string) =>
  `8|${idNat.slice(1)}|${idNat}|TEST|Camille|10|Médecin|C|Civil|${type}|${typeLabel}|${code}|${label}|`;

function savoirFaireFile(): string {
  const file = path.join(dir, 'PS_LibreAcces_SavoirFaire_test.txt');
  fs.writeFileSync(file, [
    SF_HEADER,
    sf('899999999901', 'S', 'Spécialité ordinale', 'SM54', 'Médecine générale'),
    sf('899999999901', 'CAPA', 'Capacité', 'CAPA02', 'Aide médicale urgente'),
    sf('899999999902', 'S', 'Spécialité ordinale', 'SM54', 'Médecine générale'),
    sf('899999999902', 'CAPA', 'Capacité', 'CAPA01', 'Addictologie clinique'),
    sf('899999999903', 'S', 'Spécialité ordinale', 'SM54', 'Médecine générale'), // no role: skipped
    sf('899999999904', 'XX', 'Inconnu', 'X1', 'inconnu'), // line 7: unknown type
    sf('89999', 'S', 'Spécialité ordinale', 'SM54', 'Médecine générale'), // line 8: bad id
  ].join('\n') + '\n');
  return file;
}

describeWithDatabases('RPPS SavoirFaire import', (db) => {
  let store: ResourceStore;
  before(() => {
    store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
  });
  const specialty = async (idNat: string) => {
    const r = await db().query<{ content: Resource }>(`SELECT content FROM practitioner_role WHERE id LIKE $1`, [`rpps-role-${idNat}-%`]);
    assert.equal(r.rows.length, 1);
    return (r.rows[0]!.content.specialty as { coding: { system?: string; code: string }[] }[]).map((c) => `${c.coding[0]!.system ?? '-'}#${c.coding[0]!.code}`);
  };

  test('the savoir-faire of each professional go on their roles; re-imports and the activity file leave them', async () => {
    const activities = activityFile();
    const savoirFaire = savoirFaireFile();
    assert.equal(isSavoirFaireHeader(await firstLine(savoirFaire)), true);
    assert.equal(isSavoirFaireHeader(await firstLine(activities)), false);

    const a = await importRpps(store, activities, { communes });
    assert.equal(a.rejected, 0);
    assert.deepEqual(await specialty('899999999901'), [`${RPPS_SYSTEMS.typeSavoirFaire}#S`, `${RPPS_SYSTEMS.specialiteOrdinale}#SM54`]);

    const r = await importSavoirFaire(store, savoirFaire);
    assert.deepEqual(r.rejectedLines.map((p) => p.line), [7, 8]);
    assert.equal(r.read, 7);
    assert.equal(r.practitioners, 2);
    assert.deepEqual([r.updated, r.unchanged, r.referentFieldsKept], [2, 0, 0]);
    assert.deepEqual(await specialty('899999999901'), [
      `${RPPS_SYSTEMS.typeSavoirFaire}#S`, `${RPPS_SYSTEMS.specialiteOrdinale}#SM54`,
      `${RPPS_SYSTEMS.typeSavoirFaire}#CAPA`, 'urn:oid:1.2.250.1.213.2.33#CAPA02',
    ]);
    // Searchable through the index like any role field.
    const found = await db().query(`SELECT 1 FROM search_token WHERE rtype = 'PractitionerRole' AND param = 'specialty' AND code = 'CAPA02'`);
    assert.equal(found.rowCount, 1);

    // Same file again: nothing changes. The activity file again: it leaves the savoir-faire alone.
    const again = await importSavoirFaire(store, savoirFaire);
    assert.deepEqual([again.updated, again.unchanged], [0, 2]);
    const a2 = await importRpps(store, activities, { communes });
    assert.deepEqual([a2.created, a2.updated, a2.referentFieldsKept], [0, 0, 0]);
    assert.equal((await specialty('899999999901')).length, 4);

    // A person's own change to the savoir-faire survives the next SavoirFaire import.
    const role = (await db().query<{ id: string }>(`SELECT id FROM practitioner_role WHERE id LIKE 'rpps-role-899999999902-%'`)).rows[0]!.id;
    await store.patch('PractitionerRole', role, (x: Resource) => ({ ...x, specialty: (x.specialty as unknown[]).slice(0, 2) }), { actor: { id: 'ps-899999999902', kind: 'user' }, source: 'form' });
    const third = await importSavoirFaire(store, savoirFaire);
    assert.deepEqual([third.updated, third.referentFieldsKept], [0, 1]);
    assert.equal((await specialty('899999999902')).length, 2);
  });
});
