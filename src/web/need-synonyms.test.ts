/** The synonyms of the "besoin" box (web/src/needSynonyms.ts) point at real NOS concepts, with their NOS labels. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sharedDir } from '../geo/shared-data.ts';
import { NEED_SYNONYMS, synonymConcepts } from '../../web/src/needSynonyms.ts';
import { SYSTEMS } from './nos-systems.ts';

const nos = (file: string) => JSON.parse(fs.readFileSync(path.join(sharedDir(), 'data/nos', file), 'utf8'));
/** code → label of a value set file, restricted to one system when given. */
function labels(file: string, system?: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const inc of nos(file).compose.include) {
    if (system && inc.system !== system) continue;
    for (const c of inc.concept ?? []) out.set(c.code, c.display);
  }
  return out;
}
const byParam = {
  activity: labels('JDV_J17-ActiviteOperationnelle-ROR-FHIR.json', SYSTEMS.activity),
  profession: labels('JDV_J186-ProfessionRessource-ROR-FHIR.json', SYSTEMS.profession),
  careMode: labels('JDV_J19-ModePriseEnCharge-ROR-FHIR.json', SYSTEMS.careMode),
  public: labels('JDV_J29-PublicPrisEnCharge-ROR-FHIR.json'),
};

describe('need synonyms', () => {
  it('every concept is a NOS code of its value set, with the NOS label', () => {
    let n = 0;
    for (const s of NEED_SYNONYMS) {
      for (const c of s.concepts) {
        assert.equal(byParam[c.param].get(c.code), c.display, `${s.terms[0]} → ${c.param} ${c.code}`);
        n++;
      }
    }
    assert.ok(n >= 15);
  });

  it('offers the concepts of what coordinators type', () => {
    const codes = (typed: string) => synonymConcepts(typed).map((c) => `${c.param}|${c.code}`);
    assert.deepEqual(codes('kiné'), ['profession|70', 'activity|339']);
    assert.ok(codes('SSR').includes('activity|172'));
    assert.deepEqual(codes('Maison de ret'), ['careMode|46', 'public|01']);
    assert.deepEqual(codes('HAD'), ['careMode|31']);
    assert.ok(codes('psy').includes('activity|289'));
    assert.deepEqual(codes('x'), []);
    assert.deepEqual(codes('zzz'), []);
    assert.equal(synonymConcepts('kiné')[0].synonym, 'kine');
  });
});
