import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { FIXTURE_PROFESSIONALS, writeRegistrationFixtures } from '../../src/registration/test-fixtures.ts';
import type { TestServer } from '../../src/testing/server.ts';
import { startSmtpSink, type SmtpSink } from '../../src/testing/smtp-sink.ts';
import { artifactPath, assertNoSeriousAxeViolation, browserUnavailable, openBrowserSuite, type BrowserSuite } from './browser.ts';

const skip = browserUnavailable();
const KINE = FIXTURE_PROFESSIONALS.kine;

/** Types in a combobox and picks the option whose text contains `option`. */
async function pick(page: Page, inputId: string, text: string, option: string): Promise<void> {
  await page.fill(`#${inputId}`, text);
  const list = await page.getAttribute(`#${inputId}`, 'aria-controls');
  await page.locator(`[id="${list}"] [role="option"]`, { hasText: option }).first().click();
}

describe('a physiotherapist self-registers in Debian chromium', { skip }, () => {
  let suite: BrowserSuite;
  let server: TestServer;
  let sink: SmtpSink;
  let page: Page;

  before(async () => {
    sink = await startSmtpSink();
    suite = await openBrowserSuite({ env: { ROR_SMTP_URL: sink.url }, seed: (s) => writeRegistrationFixtures(s.services.store) });
    ({ server, page } = suite);
  });
  after(async () => {
    await suite?.close();
    await sink?.close();
  });

  test('RPPS number → identity → account → e-mail link → offer with zone on the map → found by the coordinator search', async () => {
    await page.goto(`${server.origin}/inscription`);
    await page.waitForSelector('main h1');
    // A closed profession first: refused with a readable message.
    await page.fill('#rpps', FIXTURE_PROFESSIONALS.doctor.idNatPS);
    await page.click('button:has-text("Rechercher mon identité")');
    await page.waitForSelector('[role="alert"]');
    assert.match(await page.textContent('[role="alert"]') ?? '', /n'est pas ouverte pour la profession « Médecin »/);

    await page.fill('#rpps', KINE.idNatPS);
    await page.click('button:has-text("Rechercher mon identité")');
    await page.waitForSelector('#identite');
    assert.match(await page.textContent('#identite') ?? '', /Alice LEMAIRE.*Masseur-Kinésithérapeute/s);
    await page.fill('#email', 'alice.lemaire@example.fr');
    await page.fill('#password', 'court');
    await page.click('button:has-text("Créer mon compte")');
    await page.waitForSelector('text=au moins 12 caractères');
    await page.fill('#password', 'kiné de Limay 2026 !');
    await page.fill('#password2', 'kiné de Limay 2026 !');
    await page.click('button:has-text("Créer mon compte")');
    await page.waitForSelector('text=Vérifiez votre messagerie');

    const mail = await sink.waitFor((m) => m.to.includes('alice.lemaire@example.fr'));
    const link = /(http:\/\/\S+\/inscription\/confirmer\?jeton=[A-Za-z0-9_-]+)/.exec(mail.text)![1];
    await page.goto(link);
    await page.waitForSelector('text=Votre compte est activé');
    await page.click('#decrire-offre');
    await page.waitForSelector('#place-0-line');

    // Bad input first: invalid phone and MSS, home visits without a commune → messages on the fields, nothing saved.
    await page.fill('#phone', '01 30');
    await page.fill('#mss', 'alice@gmail.com');
    await page.click('button:has-text("Enregistrer mon offre")');
    await page.waitForSelector('text=Numéro de téléphone invalide');
    assert.match(await page.textContent('main') ?? '', /se termine par \.mssante\.fr/);
    assert.match(await page.textContent('main') ?? '', /au moins une commune de votre zone/);
    assert.equal(Number((await suite.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM healthcare_service WHERE id LIKE 'ps-offre-%'`)).rows[0].n), 0);

    await page.fill('#place-0-line', '12 rue de l’Église');
    await pick(page, 'place-0-commune', 'Limay', 'Limay');
    await pick(page, 'zone', 'Mantes-la-J', 'Mantes-la-Jolie');
    await pick(page, 'zone', 'Gargenv', 'Gargenville');
    await page.waitForSelector('path.ror-zone-commune');
    assert.equal(await page.locator('path.ror-zone-commune').count(), 2, 'the two zone communes on the map');
    await page.click('label[for="skill-419"]');
    await page.click('label[for="skill-421"]');
    await page.fill('#phone', '01 30 92 12 34');
    await page.fill('#mss', 'alice.lemaire@masseur-kinesitherapeute.mssante.fr');
    await page.click('button:has-text("Enregistrer mon offre")');
    await page.waitForSelector('text=Offre enregistrée');
    const savedAt = Date.now();
    // The coordinator search for a commune of the zone finds the offer (a kiné doing home visits in Gargenville).
    let found = false;
    while (!found && Date.now() - savedAt < 10_000) {
      const res = await fetch(`${server.origin}/api/search?commune=78267&activity=339&radius=5`);
      found = ((await res.json()) as { results: { id: string }[] }).results.some((r) => r.id === `ps-offre-${KINE.idNatPS}-339`);
    }
    assert.ok(found, 'found in the coordinator search within 10 s');
    console.log(`# registration: offer found by the coordinator search ${Date.now() - savedAt} ms after saving`);
    await page.screenshot({ path: artifactPath('registration-offer.png'), fullPage: true });
    await assertNoSeriousAxeViolation(page);

    await page.goto(`${server.origin}/offre/ps-offre-${KINE.idNatPS}-339`);
    await page.waitForSelector('main h1');
    assert.match(await page.textContent('main') ?? '', /Alice LEMAIRE/);
  });
});
