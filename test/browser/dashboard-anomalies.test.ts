import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { takePopulationSnapshot } from '../../src/indicators/snapshots.ts';
import { complete, importYvelines, offer, writeAll } from '../../src/indicators/test-fixtures.ts';
import { XLSX_CONTENT_TYPE } from '../../src/indicators/xlsx.ts';
import { generateSecret } from '../../src/security/accounts.ts';
import { writeTestOffers } from '../../src/web/test-offers.ts';
import { artifactPath, assertNoSeriousAxeViolation, browserUnavailable, openBrowserSuite, type BrowserSuite } from './browser.ts';

const skip = browserUnavailable();

describe('indicators dashboard and anomaly reports in Debian chromium', { skip }, () => {
  let suite: BrowserSuite;
  let base: string;
  let browser: BrowserSuite['browser'];
  const accounts: Record<string, { email: string; password: string }> = {};

  /** A page signed in as an account created in `before` (the profile's cookies are cleared first). */
  async function signedIn(who: string): Promise<{ page: Page }> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${base}/connexion?retour=/`);
    await page.fill('#email', accounts[who].email);
    await page.fill('#password', accounts[who].password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/`);
    return { page };
  }

  before(async () => {
    suite = await openBrowserSuite({
      // Indicator figures: three real FINESS sites of the Yvelines, one with a complete EHPAD offer; one snapshot.
      prepare: async (db) => {
        const store = await importYvelines(db, ['780000204', '780001442', '780000287']);
        await writeAll(store, [offer({ ...complete('ehpad', 'finess-eg-780000204', '04', '288', '46', 'finess-loc-780000204'), organisationCategory: undefined })]);
        await takePopulationSnapshot(db);
      },
      seed: async (server) => {
        await writeTestOffers(server.services.store);
        for (const [who, input] of Object.entries({
          admin: { email: 'admin-tdb@test.ror', role: 'national-admin' as const },
          referent: { email: 'ref-limay@test.ror', role: 'referent' as const, organizations: ['org-cabinet-limay'] },
        })) {
          const password = generateSecret();
          await server.services.security.accounts.addUser({ ...input, password });
          accounts[who] = { email: input.email, password };
        }
      },
    });
    ({ base, browser } = suite);
  });
  after(() => suite?.close());

  test('a national administrator: map coloured by rate, sectors, trend, SEGUR, écarts with links, XLSX export; axe', async () => {
    const { page } = await signedIn('admin');
    await page.goto(`${base}/tableau-de-bord`);
    await page.waitForSelector('#tdb-table-zones tbody tr');
    assert.equal(await page.textContent('main h1'), 'Tableau de bord des indicateurs');
    assert.match(await page.textContent('#tdb-table-zones tbody') ?? '', /Île-de-France\s*4\s*1\s*25 %/);
    // Île-de-France drawn in the 20–40 % class.
    await page.waitForSelector('[data-testid="carte-taux"] path.leaflet-interactive');
    const fills = await page.$$eval('[data-testid="carte-taux"] path.leaflet-interactive', (ps) => ps.map((p) => p.getAttribute('fill')));
    assert.equal(fills.length, 13, 'the 13 metropolitan régions');
    assert.ok(fills.includes('#cacafb'), `one région at 25 % (${fills.join(',')})`);
    assert.match(await page.textContent('#tdb-table-secteurs') ?? '', /PA\s*1\s*1\s*0\s*100 %/);
    await page.waitForSelector('.ror-chart .recharts-line', { state: 'attached' });
    assert.ok(await page.locator('.ror-chart .recharts-line').count() >= 1, 'a trend line per sector');
    assert.ok(await page.locator('#tdb-table-segur tbody tr').count() > 0, 'SEGUR lines');
    const link = page.locator('#tdb-table-ecarts a').first();
    assert.match(await link.getAttribute('href') ?? '', /^\/(offre|fhir)\//);

    const xlsx = await page.request.get(`${base}${await page.getAttribute('a:has-text("Tableau de bord (XLSX)")', 'href')}`);
    assert.equal(xlsx.status(), 200);
    assert.equal(xlsx.headers()['content-type'], XLSX_CONTENT_TYPE);

    // Département grain inside the région.
    await page.selectOption('#tdb-region', '11');
    await page.click('label[for="tdb-maille-departement"]');
    await page.waitForFunction(() => document.querySelector('#tdb-table-zones tbody')?.textContent?.includes('Yvelines (78)'));
    // The same figures from the latest snapshot (taken in `before`).
    await page.click('label[for="tdb-source-snapshot"]');
    await page.waitForFunction(() => document.querySelector('main .fr-text--lead')?.textContent?.includes('instantané au'));
    await page.waitForFunction(() => /Yvelines \(78\)\s*4\s*1\s*25 %/.test(document.querySelector('#tdb-table-zones tbody')?.textContent ?? ''));
    await page.screenshot({ path: artifactPath('dashboard-idf.png'), fullPage: true });
    await assertNoSeriousAxeViolation(page);
    await page.close();
  });

  test('others get a clear message instead of the dashboard', async () => {
    const { page } = await signedIn('referent');
    await page.goto(`${base}/tableau-de-bord`);
    await page.waitForSelector('.fr-alert');
    assert.match(await page.textContent('.fr-alert') ?? '', /réservé aux administrateurs nationaux et régionaux/);
    await page.close();
    await browser.context.clearCookies();
    const anonymous = await browser.context.newPage();
    await anonymous.goto(`${base}/tableau-de-bord`);
    await anonymous.waitForSelector('.fr-alert');
    assert.match(await anonymous.textContent('.fr-alert') ?? '', /Connexion requise/);
    await anonymous.close();
  });

  test('an anonymous coordinator reports an error from the offer page; it appears in the referent’s list, who marks it corrected', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${base}/offre/hs-kine-limay`);
    await page.click('button:has-text("Signaler une erreur")');
    await page.selectOption('select:near(:text("Information concernée"))', { label: 'Contacts, téléphone' });
    await page.getByLabel('Qu’est-ce qui ne va pas ?').fill('Le numéro ne répond plus depuis un mois');
    await page.getByLabel('Valeur correcte, si vous la connaissez').fill('01 34 00 00 00');
    await assertNoSeriousAxeViolation(page);
    await page.click('button:has-text("Envoyer le signalement")');
    await page.waitForSelector('.fr-alert--success');
    assert.match(await page.textContent('.fr-alert--success') ?? '', /transmis aux référents de la structure/);
    await page.close();

    const { page: ref } = await signedIn('referent');
    await ref.goto(`${base}/espace/signalements`);
    await ref.waitForSelector('li[id^="signalement-"]');
    const item = ref.locator('li[id^="signalement-"]').first();
    const text = await item.textContent() ?? '';
    assert.match(text, /Kinésithérapie à domicile/);
    assert.match(text, /Le numéro ne répond plus depuis un mois/);
    assert.match(text, /01 34 00 00 00/);
    assert.match(text, /À traiter/);
    await ref.screenshot({ path: artifactPath('signalements-referent.png'), fullPage: true });
    await assertNoSeriousAxeViolation(ref);
    await item.locator('select').selectOption('08');
    await item.locator('button:has-text("Enregistrer le statut")').click();
    await ref.waitForSelector('text=Statut enregistré.');
    await ref.waitForSelector('text=Aucun signalement à traiter');
    await ref.click('label[for="filtre-all"]');
    await ref.waitForSelector('li[id^="signalement-"] >> text=Corrigé');
    await ref.close();
  });
});
