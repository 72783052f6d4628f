import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { listReminderRuns, reminderIntervalHours } from './reminders.ts';
import { GARGENVILLE, writeReferentFixture } from './test-structure.ts';

test('reminder interval from ROR_REMINDER_INTERVAL_HOURS', () => {
  assert.equal(reminderIntervalHours({}), 24);
  assert.equal(reminderIntervalHours({ ROR_REMINDER_INTERVAL_HOURS: '0' }), 0);
  assert.equal(reminderIntervalHours({ ROR_REMINDER_INTERVAL_HOURS: '6' }), 6);
  assert.throws(() => reminderIntervalHours({ ROR_REMINDER_INTERVAL_HOURS: '-1' }), /ROR_REMINDER_INTERVAL_HOURS/);
});

await describeWithDatabases('reminder job run by the server on its interval', (db) => {
  let server: TestServer;
  let sink: SmtpSink;

  before(async () => {
    sink = await startSmtpSink();
    // About two seconds between runs; everything is stale with a one-day threshold once the clock says so.
    process.env.ROR_REMINDER_INTERVAL_HOURS = '0.0006';
    process.env.ROR_STALE_AFTER_DAYS = '1';
    try {
      server = await startTestServer(db(), { ROR_SMTP_URL: sink.url });
    } finally {
      delete process.env.ROR_REMINDER_INTERVAL_HOURS;
      delete process.env.ROR_STALE_AFTER_DAYS;
    }
    await writeReferentFixture(server.services.store);
    await server.services.security.accounts.addUser({ email: 'referent.rappel@test.ror', password: 'un mot de passe de test', role: 'referent', organizations: [GARGENVILLE.eg] });
    // Two days old: stale for the one-day threshold.
    await db().query(`UPDATE healthcare_service SET last_updated = now() - interval '2 days' WHERE id = 'offre-clos-aj'`);
  });
  after(async () => {
    await server?.close();
    await sink?.close();
  });

  test('the server runs the job by itself, records the run, and the referent gets the digest', async () => {
    const mail = await sink.waitFor((m) => m.to.includes('referent.rappel@test.ror'), 20_000);
    assert.match(mail.subject, /à confirmer/);
    assert.match(mail.text, /Accueil de jour EHPAD Le Clos Saint Jean/);
    assert.match(mail.text, /plus de 1 jours/);
    // The run row is completed right after its last e-mail.
    let runs = await listReminderRuns(db());
    for (let i = 0; i < 40 && !runs.some((r) => r.status === 'done' && r.emailsSent >= 1); i++) {
      await new Promise((r) => setTimeout(r, 250));
      runs = await listReminderRuns(db());
    }
    assert.ok(runs.some((r) => r.trigger === 'interval' && r.status === 'done' && r.emailsSent >= 1 && r.staleAfterDays === 1), JSON.stringify(runs));
  });
});
