import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../../src/testing/server.ts';
import { startSmtpSink, type SmtpSink } from '../../src/testing/smtp-sink.ts';
import { artifactPath, browserUnavailable, openBrowserSuite, type BrowserSuite } from './browser.ts';

const skip = browserUnavailable();
const EMAIL = 'admin.oublieux@test.ror';

describe('password reset in Debian chromium: link by e-mail, new password, sign-in', { skip }, () => {
  let suite: BrowserSuite;
  let server: TestServer;
  let sink: SmtpSink;
  let page: Page;

  before(async () => {
    sink = await startSmtpSink();
    suite = await openBrowserSuite({
      env: { ROR_SMTP_URL: sink.url, ROR_BASE_URL: 'https://ror.example.test/fhir' },
      seed: (s) => s.services.security.accounts.addUser({ email: EMAIL, password: 'un ancien mot de passe', role: 'national-admin' }).then(() => undefined),
    });
    ({ server, page } = suite);
  });
  after(async () => {
    await suite?.close();
    await sink?.close();
  });

  test('from the login page: request the link, choose a new password (checked on the field), sign in with it', async () => {
    await page.goto(`${server.origin}/connexion`);
    await page.click('a[href="/mot-de-passe-oublie"]');
    await page.waitForSelector('#email');
    await page.fill('#email', EMAIL);
    await page.click('button[type="submit"]');
    await page.waitForSelector('.fr-alert--success');
    assert.match(await page.textContent('.fr-alert--success') ?? '', /Si un compte correspond/);
    const mail = await sink.waitFor((m) => m.to.includes(EMAIL));
    const link = /https:\/\/ror\.example\.test(\/mot-de-passe-oublie\?jeton=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);

    await page.goto(`${server.origin}${link}`);
    await page.waitForSelector('#nouveau');
    await page.fill('#nouveau', 'un nouveau mot de passe');
    await page.fill('#confirmation', 'autre chose encore');
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Les deux saisies diffèrent');
    assert.equal(await page.getAttribute('#nouveau', 'aria-invalid') ?? 'true', 'true');
    await page.fill('#confirmation', 'un nouveau mot de passe');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.fr-alert--success');
    await page.screenshot({ path: artifactPath('password-reset.png'), fullPage: true });

    await page.click('a[href="/connexion"]');
    await page.waitForSelector('#password');
    await page.fill('#email', EMAIL);
    await page.fill('#password', 'un nouveau mot de passe');
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/espace$/);

    // The link was for one use only.
    await page.goto(`${server.origin}${link}`);
    await page.fill('#nouveau', 'encore un autre mot de passe');
    await page.fill('#confirmation', 'encore un autre mot de passe');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[role="alert"]');
    assert.match(await page.textContent('[role="alert"]') ?? '', /plus valable/);
  });
});
