import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { GARGENVILLE, writeReferentFixture } from '../../src/referent/test-structure.ts';
import type { TestServer } from '../../src/testing/server.ts';
import { artifactPath, browserUnavailable, openBrowserSuite, type BrowserSuite } from './browser.ts';

const skip = browserUnavailable();
const EMAIL = 'referente@clos-saint-jean.test';
const PASSWORD = 'Un mot de passe de test assez long 42';

describe('referent space in Debian chromium: EHPAD tree, confirmation, capacity update seen by the coordinator search', { skip }, () => {
  let suite: BrowserSuite;
  let server: TestServer;
  let base: string;
  let page: Page;

  before(async () => {
    suite = await openBrowserSuite({
      seed: async (s) => {
        await writeReferentFixture(s.services.store);
        await s.services.security.accounts.addUser({ email: EMAIL, password: PASSWORD, role: 'referent', organizations: [GARGENVILLE.eg] });
      },
    });
    ({ server, base, page } = suite);
  });
  after(() => suite?.close());

  test('the referent signs in and lands on their space; the structure tree shows the missing criteria', async () => {
    await page.goto(`${base}/espace`);
    await page.waitForURL(/\/connexion\?retour=/);
    await page.fill('#email', EMAIL);
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/espace$/);
    await page.waitForSelector('main h1');
    assert.equal(await page.textContent('main h1'), 'Mon espace');
    await page.click(`a[href="/espace/structure/${GARGENVILLE.eg}"]`);
    await page.waitForSelector('#element-offre-clos-aj');
    assert.match(await page.textContent('main h1') ?? '', /CLOS SAINT JEAN/i);
    const aj = await page.textContent('#element-offre-clos-aj > .ror-item') ?? '';
    assert.match(aj, /Donnée manquante : patientèle/);
    assert.match(aj, /Donnée manquante : contact/);
    assert.match(await page.textContent(`#element-${GARGENVILLE.eg} > .ror-item`) ?? '', /À vérifier/);
    await page.screenshot({ path: artifactPath('referent-structure.png'), fullPage: true });
  });

  test('"Confirmer comme exact" in one click: the offer becomes Vérifié with its confirmation date', async () => {
    const before = (await server.services.store.read('HealthcareService', 'offre-clos-hp')).versionId;
    await page.click('#confirmer-offre-clos-hp');
    await page.waitForSelector('[role="status"] .fr-alert--success');
    assert.match(await page.textContent('[role="status"]') ?? '', /confirmé comme exact/);
    await page.waitForFunction(() => /Vérifié/.test(document.querySelector('#element-offre-clos-hp > .ror-item')?.textContent ?? ''));
    assert.match(await page.textContent('#element-offre-clos-hp > .ror-item') ?? '', /confirmé le/);
    const after = await server.services.store.read('HealthcareService', 'offre-clos-hp');
    assert.equal(after.versionId, before + 1);
    assert.equal(after.resource.meta?.tag?.find((t) => t.system === 'urn:ror:statut-verification')?.code, 'verifie');
  });

  test('a wrong capacity is refused on the field; a right one is saved, its history shown and restorable, and the coordinator search shows the new availability', async () => {
    const before = (await server.services.store.read('Location', 'lieu-clos-aj')).versionId;
    await page.selectOption('#capacite-lieu-clos-aj-type', '02');
    await page.fill('#capacite-lieu-clos-aj-nombre', '-3');
    await page.click('#capacite-lieu-clos-aj-valider');
    await page.waitForSelector('#capacite-lieu-clos-aj-erreur');
    assert.equal((await server.services.store.read('Location', 'lieu-clos-aj')).versionId, before, 'nothing saved');

    await page.fill('#capacite-lieu-clos-aj-nombre', '5');
    await page.click('#capacite-lieu-clos-aj-valider');
    await page.waitForFunction(() => /Places disponibles : 5/.test(document.querySelector('#element-lieu-clos-aj > .ror-item')?.textContent ?? ''));
    assert.equal((await server.services.store.read('Location', 'lieu-clos-aj')).versionId, before + 1);

    // The history tells who changed what; the previous version can be restored (as a new version).
    await page.click('#element-lieu-clos-aj > .ror-item button:has-text("Historique")');
    await page.waitForSelector('#element-lieu-clos-aj table');
    const history = await page.textContent('#element-lieu-clos-aj table') ?? '';
    assert.match(history, /referente@clos-saint-jean\.test/);
    assert.match(history, /Mise à jour des capacités/);
    await page.click(`#restaurer-lieu-clos-aj-${before}`);
    await page.waitForFunction(() => /Places disponibles : 0/.test(document.querySelector('#element-lieu-clos-aj > .ror-item')?.textContent ?? ''));
    assert.match(await page.textContent('[role="status"]') ?? '', new RegExp(`Version ${before} restaurée`));
    assert.equal((await server.services.store.read('Location', 'lieu-clos-aj')).versionId, before + 2);
    // Back to 5 free places for the coordinator.
    await page.fill('#capacite-lieu-clos-aj-nombre', '5');
    await page.click('#capacite-lieu-clos-aj-valider');
    await page.waitForFunction(() => /Places disponibles : 5/.test(document.querySelector('#element-lieu-clos-aj > .ror-item')?.textContent ?? ''));

    await page.goto(`${base}/?commune=${GARGENVILLE.commune[0]}&radius=10&available=true`);
    await page.waitForSelector('#offre-offre-clos-aj');
    const card = await page.textContent('#offre-offre-clos-aj') ?? '';
    assert.match(card, /5 places disponibles/);
    await page.screenshot({ path: artifactPath('referent-capacity-in-search.png'), fullPage: true });
  });
});
