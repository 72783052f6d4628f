import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../src/testing/server.ts';
import { TEST_CONTEXT, writeTestOffers } from '../../src/web/test-offers.ts';
import { artifactPath, assertNoSeriousAxeViolation, browserUnavailable, openBrowserSuite, type BrowserSuite } from './browser.ts';

const skip = browserUnavailable();

/** Presses Tab until the element with this id has the focus (keyboard-only navigation). */
async function tabTo(page: Page, id: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
  }
  assert.fail(`#${id} not reached with ${max} Tab presses`);
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('coordinator search page in Debian chromium', { skip }, () => {
  let suite: BrowserSuite;
  let server: TestServer;
  let base: string;
  let page: Page;

  before(async () => {
    suite = await openBrowserSuite({ seed: (s) => writeTestOffers(s.services.store) });
    ({ server, base, page } = suite);
  });
  after(() => suite?.close());

  test('keyboard only: need, commune picked in the list, search; results, markers and radius on the map', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('main h1');
    assert.equal(await page.textContent('main h1'), 'Trouver une offre de santé près d’un patient');
    assert.equal(await page.locator('header.fr-header').count(), 1, 'DSFR header');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');

    await tabTo(page, 'besoin');
    await page.keyboard.type('kinésithérapie');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'commune');
    await page.keyboard.type('Limay');
    const communeList = await page.getAttribute('#commune', 'aria-controls');
    await page.waitForSelector(`[id="${communeList}"] [role="option"]`, { state: 'visible' });
    await page.keyboard.press('ArrowDown');
    assert.match(await page.getAttribute('#commune', 'aria-activedescendant') ?? '', /-0$/);
    await page.keyboard.press('Enter');
    assert.equal(await page.inputValue('#commune'), 'Limay (78520)');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'rayon');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    await page.waitForSelector('#offre-hs-kine-limay');
    assert.equal(await focusedId(page), 'titre-resultats', 'focus moved to the results heading');
    assert.match(await page.textContent('#titre-resultats') ?? '', /résultat.* de Limay/);
    const first = page.locator('.ror-results article').first();
    assert.match(await first.textContent() ?? '', /Kinésithérapie à domicile/);
    assert.match(await first.textContent() ?? '', /Intervient dans la commune/);
    assert.doesNotMatch(await page.textContent('#resultats') ?? '', /Unité sensible/);

    await page.waitForSelector('.leaflet-marker-icon');
    assert.ok(await page.locator('.leaflet-marker-icon').count() >= 1, 'markers on the map');
    assert.ok(await page.locator('.leaflet-overlay-pane path').count() >= 2, 'département outlines and the radius circle');
    await page.screenshot({ path: artifactPath('search-limay.png'), fullPage: true });
  });

  test('need synonyms: "kiné" offers Masseur-Kinésithérapeute, "maison de retraite" the hébergement', async () => {
    const first = async (typed: string) => {
      await page.fill('#besoin', '');
      await page.focus('#besoin');
      await page.keyboard.type(typed);
      const list = await page.getAttribute('#besoin', 'aria-controls');
      await page.waitForSelector(`[id="${list}"] [role="option"]`, { state: 'visible' });
      return page.locator(`[id="${list}"] [role="option"]`).first().textContent();
    };
    assert.match(await first('kiné') ?? '', /^Masseur-Kinésithérapeute\s*Profession · « kine »/);
    assert.match(await first('maison de ret') ?? '', /^Hébergement \(accueil jour et nuit\)\s*Mode de prise en charge/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await page.inputValue('#besoin'), 'Hébergement (accueil jour et nuit)');
  });

  test('need from the nomenclatures ($expand): "sage" offers Sage-Femme first; a midwife visiting Gargenville is found', async () => {
    await page.fill('#besoin', '');
    await page.focus('#besoin');
    await page.keyboard.type('sage');
    const list = await page.getAttribute('#besoin', 'aria-controls');
    await page.waitForSelector(`[id="${list}"] [role="option"]`, { state: 'visible' });
    assert.match(await page.locator(`[id="${list}"] [role="option"]`).first().textContent() ?? '', /^Sage-Femme\s*Profession/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await page.inputValue('#besoin'), 'Sage-Femme');
    await page.fill('#commune', 'Gargenv');
    await page.locator('[role="option"]', { hasText: 'Gargenville' }).click();
    await page.click('label[for="domicile"]');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#offre-hs-sf-mantes');
    assert.match(page.url(), /profession=50/);
    assert.match(await page.textContent('#offre-hs-sf-mantes') ?? '', /Intervient dans la commune/);
    await page.click('label[for="domicile"]');
  });

  test('too few SMR near Mantes-la-Jolie: the radius widens and says so; availability filters', async () => {
    // Availabilities are for signed-in people (access matrix): anonymous visitors are invited to sign in.
    assert.equal(await page.locator('#disponible').count(), 0);
    assert.match(await page.textContent('#disponible-connexion') ?? '', /Connectez-vous/);
    const session = await server.userHeaders({ email: 'coordinatrice@test.ror', role: 'referent', organizations: ['org-smr-versailles'] });
    const cookie = session.cookie.split('=');
    await page.context().addCookies([{ name: cookie[0], value: cookie.slice(1).join('='), url: base }]);
    await page.goto(`${base}/`);
    await page.waitForSelector('#disponible', { state: 'attached' });
    await page.fill('#besoin', '');
    await page.fill('#commune', 'Mantes-la-J');
    await page.locator('[role="option"]', { hasText: 'Mantes-la-Jolie' }).click();
    await page.click('label[for="champ-02"]'); // DSFR draws the checkbox on its label
    await page.click('button[type="submit"]');
    await page.waitForSelector('#offre-hs-smr-versailles');
    assert.match(await page.textContent('#resultats') ?? '', /rayon élargi à 50 km/);
    assert.match(await page.textContent('#titre-resultats') ?? '', /2 résultats à moins de 50 km de Mantes-la-Jolie/);
    assert.match(await page.textContent('label[for="disponible"]') ?? '', /\(1\)/, 'facet count on availability');
    await page.click('label[for="disponible"]');
    await page.waitForFunction(() => !document.querySelector('#offre-hs-smr-versailles'));
    assert.equal(await page.locator('.ror-results article').count(), 1);
    await page.screenshot({ path: artifactPath('search-smr-mantes.png'), fullPage: true });

    // The search is in the address: a reload (or a shared link) shows it again.
    assert.match(page.url(), /commune=78361.*field=02.*available=true/);
    await page.reload();
    await page.waitForSelector('#offre-hs-smr-mantes');
    assert.equal(await page.inputValue('#commune'), 'Mantes-la-Jolie (78200)');
    assert.equal(await page.locator('.ror-results article').count(), 1);
  });

  test('the offer detail opens from the list: places, capacity, print view, no serious axe violation; back to the results', async () => {
    await page.click('#offre-hs-smr-mantes h3 a');
    await page.waitForSelector('#titre-offre');
    assert.equal(await page.textContent('#titre-offre'), 'SMR locomoteur — hospitalisation complète');
    assert.equal(await focusedId(page), 'titre-offre');
    assert.match(await page.textContent('main') ?? '', /3 places disponibles/);
    assert.match(await page.textContent('main') ?? '', /Clinique SMR du Mantois/);
    await assertNoSeriousAxeViolation(page);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('button', { hasText: 'Imprimer' }).isVisible(), false, 'print view without buttons');
    await page.screenshot({ path: artifactPath('offer-detail-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.goBack();
    await page.waitForSelector('#offre-hs-smr-mantes');
  });

  test('"Ma structure": a referent searches from the position of its site', async () => {
    const site = { lat: 48.996, lon: 1.7 };
    for (const r of [
      { resourceType: 'Organization', id: 'org-eg-glycines', name: 'EHPAD Les Glycines' },
      { resourceType: 'Location', id: 'loc-site-glycines', name: 'EHPAD Les Glycines', managingOrganization: { reference: 'Organization/org-eg-glycines' },
        address: { postalCode: '78200', city: 'Mantes-la-Jolie' }, position: { latitude: site.lat, longitude: site.lon } },
    ]) await server.services.store.update(r as never, TEST_CONTEXT);
    const session = await server.userHeaders({ email: 'referente-glycines@test.ror', role: 'referent', organizations: ['org-eg-glycines'] });
    const cookie = session.cookie.split('=');
    await page.context().addCookies([{ name: cookie[0], value: cookie.slice(1).join('='), url: base }]);
    await page.goto(`${base}/`);
    await page.click('button:has-text("Ma structure")');
    await page.waitForFunction(() => (document.querySelector('#commune') as HTMLInputElement).value === 'Ma structure : EHPAD Les Glycines');
    await page.fill('#besoin', '');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#offre-hs-smr-mantes');
    assert.match(page.url(), /commune=78361/);
    assert.match(page.url(), new RegExp(`lat=${site.lat}&lon=${site.lon}`));
    assert.match(await page.textContent('#titre-resultats') ?? '', /de Mantes-la-Jolie/);
    // Reloaded, the address keeps the structure as the place.
    await page.reload();
    await page.waitForSelector('#offre-hs-smr-mantes');
    assert.equal(await page.inputValue('#commune'), 'Ma structure : EHPAD Les Glycines');
    assert.match(page.url(), new RegExp(`lat=${site.lat}&lon=${site.lon}`));
  });

  test('an address as the place: without a geocoder, placed at the commune it names, and the page says so', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('#commune');
    await page.focus('#commune');
    await page.keyboard.type('12 rue de la République 78520 Limay');
    const list = await page.getAttribute('#commune', 'aria-controls');
    await page.locator(`[id="${list}"] [role="option"]`, { hasText: 'commune de l’adresse : Limay' }).first().click();
    assert.equal(await page.inputValue('#commune'), 'Limay (78520)');
    assert.match(await page.textContent('#lieu-note') ?? '', /centre de Limay/);
    await page.click('button[type="submit"]');
    await page.waitForSelector('#offre-hs-kine-limay');
    assert.match(page.url(), /commune=78335/);
  });

  test('axe-core: no serious or critical accessibility violation on the search page', async () => {
    await assertNoSeriousAxeViolation(page);
  });
});
