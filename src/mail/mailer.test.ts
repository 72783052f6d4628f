import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.ts';
import { createMailer, mailSettingsFromEnv } from './mailer.ts';

describe('mailer', () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink.close();
  });

  it('sends through the configured SMTP server, accents and long links intact', async () => {
    const mailer = createMailer(mailSettingsFromEnv({ ROR_SMTP_URL: sink.url, ROR_MAIL_FROM: 'ROR test <ror@test.fr>' }));
    const link = `http://localhost:8080/inscription/confirmer?jeton=${'a1b2c3d4'.repeat(12)}`;
    await mailer.send({ to: 'kine@example.fr', subject: 'Confirmez votre adresse électronique', text: `Bonjour,\nCliquez : ${link}\n`, html: `<p><a href="${link}">Confirmer</a></p>` });
    mailer.close();
    const got = await sink.waitFor((m) => m.to.includes('kine@example.fr'));
    assert.equal(got.subject, 'Confirmez votre adresse électronique');
    assert.equal(got.from, 'ror@test.fr');
    assert.ok(got.text.includes(link), got.text);
    assert.ok(got.html?.includes(link));
  });

  it('rejects when the SMTP server cannot be reached', async () => {
    const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', from: 'ror@test.fr' });
    await assert.rejects(mailer.send({ to: 'x@example.fr', subject: 's', text: 't' }));
    mailer.close();
  });

  it('without ROR_SMTP_URL writes the message to the log instead', async () => {
    const lines: string[] = [];
    const mailer = createMailer(mailSettingsFromEnv({}), { log: (l) => lines.push(l) });
    assert.equal(mailer.delivering, false);
    await mailer.send({ to: 'x@example.fr', subject: 'Sujet', text: 'lien http://x/y' });
    assert.equal(lines.length, 1);
    assert.ok(lines[0].includes('http://x/y'));
  });

  it('refuses a URL that is not smtp(s)', () => {
    assert.throws(() => mailSettingsFromEnv({ ROR_SMTP_URL: 'http://mail.example.fr' }), /ROR_SMTP_URL/);
  });
});
