import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { EHPAD, writeEhpad } from '../../src/templates/test-fixtures.ts';
import type { TestServer } from '../../src/testing/server.ts';
import { artifactPath, assertNoSeriousAxeViolation, browserUnavailable, openBrowserSuite, type BrowserSuite } from './browser.ts';

const skip = browserUnavailable();
const PASSWORD = 'référente des Tilleuls 2026';

describe('a referent edits an EHPAD offer in Debian chromium', { skip }, () => {
  let suite: BrowserSuite;
  let server: TestServer;
  let page: Page;

  before(async () => {
    suite = await openBrowserSuite({
      seed: async (s) => {
        await writeEhpad(s.services.store);
        await s.services.security.accounts.addUser({ email: 'referente@tilleuls.test', password: PASSWORD, role: 'referent', organizations: [EHPAD.ej] });
      },
    });
    ({ server, page } = suite);
  });
  after(() => suite?.close());

  const stored = async () => (await server.services.store.read('HealthcareService', EHPAD.offer)).resource as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const fieldError = (id: string) => page.locator(`#f-${id}`).locator('xpath=ancestor::div[contains(@class,"fr-input-group")][1]').locator('.fr-error-text, .fr-message--error');

  test('the EHPAD template drives the form; bad input is refused on the field; the completed offer is saved', async () => {
    await page.goto(`${server.origin}/connexion?retour=${encodeURIComponent(`/espace/offre/${EHPAD.offer}/modifier`)}`);
    await page.fill('#email', 'referente@tilleuls.test');
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/espace\/offre\/test-offre-ehpad\/modifier/);
    await page.waitForSelector('#f-name');
    assert.match(await page.textContent('main') ?? '', /modèle de saisie « Offre d'un EHPAD »/);
    assert.equal(await page.inputValue('#f-name'), 'Hébergement permanent');
    // Coded values are shown by their labels, never raw codes.
    assert.match(await page.inputValue('#f-careMode'), /Hébergement \(accueil jour et nuit\)/);
    const version = (await stored()).meta.versionId;

    // Age min > age max, then a negative age: messages on the field, nothing saved.
    await page.fill('#f-ageLow', '90');
    await page.fill('#f-ageHigh', '60');
    await page.click('#enregistrer');
    await page.waitForSelector('#erreurs');
    assert.match(await fieldError('ageLow').textContent() ?? '', /L'âge minimum doit être inférieur ou égal à l'âge maximum/);
    await page.fill('#f-ageLow', '-3');
    await page.click('#enregistrer');
    assert.match(await fieldError('ageLow').textContent() ?? '', /ne peut pas être négative/);
    // The EHPAD template requires the reception type; an invalid MSS address and phone are refused.
    await page.fill('#f-ageLow', '60');
    await page.fill('#f-ageHigh', '120');
    await page.fill('#f-mss', 'accueil@gmail.com');
    await page.fill('#f-contactPhone', '01 30 AB');
    await page.click('#enregistrer');
    assert.match(await page.textContent('[data-field="f-receptionType"]') ?? '', /champ obligatoire/);
    assert.match(await fieldError('mss').textContent() ?? '', /mssante\.fr/);
    assert.match(await fieldError('contactPhone').textContent() ?? '', /format invalide/);
    assert.equal((await stored()).meta.versionId, version, 'nothing saved');

    await page.fill('#f-receptionType', 'Perman');
    await page.locator('[role="option"]', { hasText: 'Permanent' }).first().click();
    await page.fill('#f-mss', 'accueil@ehpad-tilleuls.mssante.fr');
    // Past the template's own format but refused by the server's $validate: the message lands on the field.
    await page.fill('#f-contactPhone', '+33 13 092');
    await page.click('#enregistrer');
    await page.waitForFunction(() => /ni un numéro de téléphone/.test(document.querySelector('main')?.textContent ?? ''));
    assert.match(await fieldError('contactPhone').textContent() ?? '', /ni un numéro de téléphone ni une adresse électronique valide/);
    assert.equal((await stored()).meta.versionId, version, 'nothing saved');
    await page.fill('#f-contactPhone', '01 30 92 00 00');
    await page.click('#enregistrer');
    await page.waitForSelector('#enregistre');
    const saved = await stored();
    assert.equal(Number(saved.meta.versionId), Number(version) + 1);
    assert.ok(JSON.stringify(saved.characteristic).includes('"code":"02"'), 'reception type Permanent stored as its code');
    assert.equal(saved.telecom[0].value, 'accueil@ehpad-tilleuls.mssante.fr');
    // Codes written without a label are still shown by their NOS label (contact confidentiality level 1).
    assert.equal(await page.inputValue('#f-contactConfidentiality'), 'Accès libre');
    await page.screenshot({ path: artifactPath('edit-offer-ehpad.png'), fullPage: true });
    await assertNoSeriousAxeViolation(page);
  });

  test('the place form (generic Location template): a negative capacity is refused on its field, then saved', async () => {
    await page.goto(`${server.origin}/espace/lieu/${EHPAD.place}/modifier`);
    await page.waitForSelector('#f-locCapacity');
    assert.match(await page.textContent('main') ?? '', /Lieu de réalisation de l'offre/);
    await page.fill('#f-locCapacity', '-2');
    await page.click('#enregistrer');
    assert.match(await fieldError('locCapacity').textContent() ?? '', /ne peut pas être négative/);
    await page.fill('#f-locCapacityType', 'Plac');
    await page.locator('[role="option"]', { hasText: 'Place' }).first().click();
    await page.fill('#f-locCapacity', '84');
    await page.click('#enregistrer');
    await page.waitForSelector('#enregistre');
    const place = (await server.services.store.read('Location', EHPAD.place)).resource as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.match(JSON.stringify(place.extension), /"nbCapacity","valueInteger":84/);
  });

  test('the structure form (generic Organization template): invalid MSS refused on its field; a phone is saved', async () => {
    await page.goto(`${server.origin}/espace/structure/${EHPAD.eg}/modifier`);
    await page.waitForSelector('#f-orgName');
    assert.equal(await page.inputValue('#f-orgName'), 'EHPAD Les Tilleuls');
    await page.fill('#f-orgMss', 'direction@tilleuls.fr');
    await page.click('#enregistrer');
    assert.match(await fieldError('orgMss').textContent() ?? '', /mssante\.fr/);
    await page.fill('#f-orgMss', '');
    await page.fill('#f-orgPhone', '01 30 92 00 01');
    await page.click('#enregistrer');
    await page.waitForSelector('#enregistre');
    const eg = (await server.services.store.read('Organization', EHPAD.eg)).resource as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(eg.telecom[0].value, '01 30 92 00 01');
    assert.equal(eg.type[0].coding[0].code, '500', 'the FINESS category is kept');
    await page.goto(`${server.origin}/espace/offre/${EHPAD.offer}/modifier`);
    await page.waitForSelector('#f-name');
  });

  test('a concurrent edit is refused with a readable message, never overwritten; reloading shows the other version', async () => {
    // Someone else changes the offer after the form was loaded.
    const admin = await server.adminHeaders();
    const current = await stored();
    const res = await fetch(`${server.fhirBase}/HealthcareService/${EHPAD.offer}`, {
      method: 'PUT', headers: { ...admin, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...current, name: 'Hébergement permanent — unité protégée' }),
    });
    assert.equal(res.status, 200);

    await page.fill('#f-name', 'Hébergement permanent (mon changement)');
    await page.click('#enregistrer');
    await page.waitForSelector('#conflit');
    assert.match(await page.textContent('#conflit') ?? '', /Quelqu’un d’autre a modifié cette fiche.*n’ont pas été enregistrés/s);
    assert.equal((await stored()).name, 'Hébergement permanent — unité protégée');
    await page.click('#recharger');
    await page.waitForFunction(() => (document.querySelector('#f-name') as HTMLInputElement | null)?.value === 'Hébergement permanent — unité protégée');
    assert.equal(await page.locator('#conflit').count(), 0);
  });
});
