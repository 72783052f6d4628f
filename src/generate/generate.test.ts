import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { NosTerminology } from '../terminology/nos-terminology.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { createRorValidator } from '../validation/index.ts';
import { generate, type GenerateOptions, type GenerateReport } from './generate.ts';

const TRE = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;
const VS = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;
/** The NOS value set each generated coding must belong to, by system. */
const BINDINGS: Record<string, string> = {
  [TRE('TRE_R211-ActiviteOperationnelle')]: VS('JDV_J17-ActiviteOperationnelle-ROR'),
  [TRE('TRE_R213-ModePriseEnCharge')]: VS('JDV_J19-ModePriseEnCharge-ROR'),
  [TRE('TRE_R227-ChampActivite')]: VS('JDV_J20-ChampActivite-ROR'),
  [TRE('TRE_R239-PublicPrisEnCharge')]: VS('JDV_J29-PublicPrisEnCharge-ROR'),
  [TRE('TRE_G15-ProfessionSante')]: VS('JDV_J229-ProfessionSante-ROR'),
};

// Centre-Val de Loire (24), 0.4 % of its establishments and of its share of the professionals: ≈ 25 sites, ≈ 150 professionals.
const OPTS: GenerateOptions = { scale: 'region', region: '24', fraction: 0.004, seed: 7, batchSize: 200 };

function codings(value: unknown, out: { system?: string; code?: string }[] = []): { system?: string; code?: string }[] {
  if (Array.isArray(value)) for (const v of value) codings(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.code === 'string' && typeof o.system === 'string') out.push(o as { system: string; code: string });
    for (const v of Object.values(o)) codings(v, out);
  }
  return out;
}

test('a dry run is deterministic for a seed and changes with it', async () => {
  const a = await generate(null, { ...OPTS, dryRun: true });
  const b = await generate(null, { ...OPTS, dryRun: true });
  const c = await generate(null, { ...OPTS, seed: 8, dryRun: true });
  const strip = (r: GenerateReport) => ({ ...r, seconds: 0 });
  assert.deepEqual(strip(a), strip(b));
  assert.ok(a.professionals > 50 && a.siteOffers > 0 && a.sitePlaces > 0, JSON.stringify(a));
  assert.notDeepEqual({ ...strip(a), seed: 0 }, { ...strip(c), seed: 0 });
});

await describeWithDatabases('ror generate --scale region (tiny fraction)', (db) => {
  let report: GenerateReport;
  let terminology: NosTerminology;
  let store: ResourceStore;

  before(async () => {
    terminology = await NosTerminology.load(db());
    store = new ResourceStore(db(), { validator: createRorValidator(terminology), indexers: [createSearchIndexer()] });
    // Every resource validated here (`--validate all`), so that the check below covers all the generated content.
    report = await generate(store, { ...OPTS, validate: 'all' });
  });

  const rows = async (type: ResourceType, where = 'NOT deleted'): Promise<Resource[]> =>
    (await db().query<{ content: Resource }>(`SELECT content FROM ${tableOf(type)} WHERE ${where} ORDER BY id`)).rows.map((r) => r.content);

  test('counts in the database are those of the report, every synthetic resource tagged', async () => {
    const synthetic = `NOT deleted AND content -> 'meta' -> 'tag' @> '[{"system":"urn:ror:origine-donnees","code":"synthetique"}]'`;
    for (const [type, n] of Object.entries(report.resources)) {
      const generated = await rows(type as ResourceType, `${synthetic} AND id LIKE 'gen-%'`);
      assert.equal(generated.length, n, type);
    }
    assert.equal(report.resources.HealthcareService, report.siteOffers + report.cityOffers);
    assert.equal(report.resources.Practitioner, report.professionals);
    assert.equal(report.resources.PractitionerRole, report.roles);
    assert.ok(report.roles >= report.professionals, 'one role per offer a professional works in');
    // The sites are the real FINESS establishments of the région, imported (not tagged synthetic).
    const sites = await rows('Organization', `id LIKE 'finess-eg-%'`);
    assert.equal(sites.length, report.establishments);
    for (const s of sites) assert.ok(s.meta?.tag?.some((t) => t.code === '24'), `${s.id} in région 24`);
    // Every generated resource of the région carries its région tag.
    const offers = await rows('HealthcareService');
    for (const o of offers) assert.ok(o.meta?.tag?.some((t) => t.system === TRE('TRE_R30-RegionOM') && t.code === '24'), o.id);
  });

  test('codes are valid against the NOS value sets, places carry capacities, roles point at existing offers', async () => {
    const offers = await rows('HealthcareService');
    let checked = 0;
    for (const r of [...offers, ...(await rows('PractitionerRole')), ...(await rows('Location', `id LIKE 'gen-%'`))]) {
      for (const c of codings(r)) {
        const vs = BINDINGS[c.system!];
        if (!vs) continue;
        assert.equal(terminology.validateCode(vs, c.system, c.code!).result, 'valid', `${r.id}: ${c.system}|${c.code}`);
        checked++;
      }
    }
    assert.ok(checked > 100);
    const places = await rows('Location', `id LIKE 'gen-lieu-%'`);
    assert.equal(places.length, report.sitePlaces);
    for (const p of places) {
      const caps = (p.extension as { url: string }[]).filter((e) => e.url.endsWith('/ror-location-supported-capacity'));
      assert.equal(caps.length, 2, p.id);
    }
    const offerIds = new Set(offers.map((o) => o.id));
    for (const role of await rows('PractitionerRole')) {
      for (const s of role.healthcareService as { reference: string }[]) assert.ok(offerIds.has(s.reference.slice('HealthcareService/'.length)), s.reference);
    }
    // Nothing stored with profile violations.
    const issues = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_issue WHERE id LIKE 'gen-%' AND issues @> '[{"severity":"error"}]'`);
    assert.equal(issues.rows[0].n, 0);
    assert.equal(report.issues, 0);
    assert.deepEqual(report.validation, { mode: 'all', validated: report.written, skipped: 0, failed: 0, failures: [] });
  });

  test('a second run with the same seed writes no new version', async () => {
    const before = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_history WHERE id LIKE 'gen-%'`);
    const again = await generate(store, { ...OPTS, skipFiness: true });
    const afterRun = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_history WHERE id LIKE 'gen-%'`);
    assert.equal(afterRun.rows[0].n, before.rows[0].n, 'same content, no new version');
    assert.deepEqual(again.resources, report.resources);
    // The default, sampled validation: nothing created, so nothing sampled.
    assert.deepEqual(again.validation, { mode: 'sample', validated: 0, skipped: 0, failed: 0, failures: [] });
  });
});
