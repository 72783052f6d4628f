import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';

await describeWithDatabases('password reset by e-mail: token, expiry, single use, throttling', (db) => {
  let server: TestServer;
  let sink: SmtpSink;
  const EMAIL = 'referent.oubli@test.ror';
  const OLD = 'ancien mot de passe 123';
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
    return { status: res.statusCode, body: res.json() as Record<string, any>, headers: res.headers }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const login = (password: string) => post('/auth/login', { email: EMAIL, password });
  const tokenOf = (text: string) => /mot-de-passe-oublie\?jeton=([A-Za-z0-9_-]+)/.exec(text)?.[1];

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(db(), { ROR_SMTP_URL: sink.url, ROR_BASE_URL: 'https://ror.example.test/fhir' });
    await server.services.security.accounts.addUser({ email: EMAIL, password: OLD, role: 'national-admin' });
  });
  after(async () => {
    await server?.close();
    await sink?.close();
  });

  test('a link is mailed; the token sets the new password once, ends the sessions, and the old password no longer works', async () => {
    const session = await login(OLD);
    assert.equal(session.status, 200);
    const cookie = String(session.headers['set-cookie']).split(';')[0];
    const r = await post('/auth/password-reset/request', { email: EMAIL.toUpperCase() });
    assert.equal(r.status, 202);
    const mail = await sink.waitFor((m) => m.to.includes(EMAIL));
    assert.match(mail.text, /https:\/\/ror\.example\.test\/mot-de-passe-oublie\?jeton=/, 'link on ROR_BASE_URL, not the Host header');
    const token = tokenOf(mail.text)!;
    const stored = await db().query<{ token_hash: string }>('SELECT token_hash FROM password_reset');
    assert.ok(stored.rows.every((x) => x.token_hash !== token), 'only the hash is stored');

    const short = await post('/auth/password-reset/confirm', { token, password: 'court' });
    assert.equal(short.status, 400);
    assert.equal((await login(OLD)).status, 200, 'a refused confirmation changes nothing');

    const ok = await post('/auth/password-reset/confirm', { token, password: 'nouveau mot de passe 456' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await login(OLD)).status, 401);
    assert.equal((await login('nouveau mot de passe 456')).status, 200);
    const me = await server.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
    assert.equal(me.statusCode, 401, 'the sessions opened before the reset are over');

    const again = await post('/auth/password-reset/confirm', { token, password: 'encore un autre 789' });
    assert.equal(again.status, 400, 'single use');
    assert.match(JSON.stringify(again.body), /plus valable/);
    assert.equal((await login('encore un autre 789')).status, 401);
  });

  test('an expired token is refused; an unknown e-mail gets the same answer and no mail', async () => {
    const before = sink.messages.length;
    const unknown = await post('/auth/password-reset/request', { email: 'personne@test.ror' });
    assert.equal(unknown.status, 202);
    const known = await post('/auth/password-reset/request', { email: EMAIL });
    assert.equal(known.status, 202);
    assert.deepEqual(unknown.body, known.body);
    const mail = await sink.waitFor((m) => m.to.includes(EMAIL) && sink.messages.indexOf(m) >= before);
    assert.equal(sink.messages.filter((m) => m.to.includes('personne@test.ror')).length, 0);
    await db().query(`UPDATE password_reset SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    const expired = await post('/auth/password-reset/confirm', { token: tokenOf(mail.text), password: 'mot de passe expiré 000' });
    assert.equal(expired.status, 400);
    assert.equal((await login('mot de passe expiré 000')).status, 401);
  });

  test('requests for one e-mail are throttled (429 with Retry-After)', async () => {
    const email = 'throttle@test.ror';
    for (let i = 0; i < 3; i++) assert.equal((await post('/auth/password-reset/request', { email })).status, 202);
    const fourth = await post('/auth/password-reset/request', { email });
    assert.equal(fourth.status, 429);
    assert.ok(Number(fourth.headers['retry-after']) > 0);
    const form = await server.app.inject({ method: 'POST', url: '/auth/password-reset/request', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a%40b.fr' });
    assert.equal(form.statusCode, 415, 'JSON only');
  });
});
