import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import type { CityOfferInput } from './city-offer.ts';
import { register } from './registration.ts';
import { FIXTURE_PROFESSIONALS, writeRegistrationFixtures } from './test-fixtures.ts';

const KINE = FIXTURE_PROFESSIONALS.kine;

/** A good city offer for a kiné of Limay going to patients in Limay and Mantes-la-Jolie. */
const goodOffer = (): CityOfferInput => ({
  places: [{ line: '12 rue de l\'Église', postalCode: '78520', communeCode: '78335' }],
  homeVisits: true,
  zone: ['78335', '78361'],
  skills: ['419', '421'],
  specificCompetences: ['06'],
  hours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '19:30' },
  acceptingNewPatients: true,
  phone: '01 30 92 12 34',
  phoneConfidentiality: '1',
  mss: 'alice.lemaire@masseur-kinesitherapeute.mssante.fr',
  mssConfidentiality: '2',
});

describeWithDatabases('professional self-registration', (db) => {
  let server: TestServer;
  let sink: SmtpSink;
  let session: Record<string, string>;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(db(), { ROR_SMTP_URL: sink.url, ROR_MAIL_FROM: 'ROR <ne-pas-repondre@ror.test>' });
    await writeRegistrationFixtures(server.services.store);
  });
  after(async () => {
    await server?.close();
    await sink?.close();
  });

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.origin}/api/inscription${path}`, {
      method, headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any, res }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const accountCount = async () => Number((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM account WHERE role = $1', ['professional'])).rows[0].n);

  test('an RPPS number is looked up in the imported data: identity and profession; the 11-digit RPPS form works too', async () => {
    const r = await api('GET', `/rpps/${KINE.idNatPS}`);
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.family, r.body.given, r.body.profession.code], ['LEMAIRE', 'Alice', '70']);
    assert.equal((await api('GET', `/rpps/${KINE.idNatPS.slice(1)}`)).body.rpps, KINE.idNatPS);
    const openapi = (await (await fetch(`${server.origin}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/api/inscription/rpps/{numero}'], Object.keys(openapi.paths).join(' '));
  });

  test('unknown RPPS, closed profession, malformed number: refused with a French message, no account', async () => {
    const unknown = await api('POST', '/', { rpps: '899999999999', email: 'x@example.fr', password: 'un mot de passe assez long' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.fr, /introuvable/);
    const closed = await api('POST', '/', { rpps: FIXTURE_PROFESSIONALS.doctor.idNatPS, email: 'dr@example.fr', password: 'un mot de passe assez long' });
    assert.equal(closed.status, 403);
    assert.match(closed.body.error.fr, /n'est pas ouverte pour la profession « Médecin »/);
    const malformed = await api('POST', '/', { rpps: '12AB', email: 'y@example.fr', password: 'un mot de passe assez long' });
    assert.equal(malformed.status, 422);
    assert.ok(malformed.body.fields.rpps);
    const badInput = await api('POST', '/', { rpps: KINE.idNatPS, email: 'pas-une-adresse', password: 'court' });
    assert.equal(badInput.status, 422);
    assert.deepEqual(Object.keys(badInput.body.fields).sort(), ['email', 'password']);
    assert.equal(await accountCount(), 0);
    assert.equal(sink.messages.length, 0);
  });

  let token = '';
  test('registration creates a disabled account linked to the practitioner and e-mails a confirmation link', async () => {
    const r = await api('POST', '/', { rpps: KINE.idNatPS, email: 'Alice.Lemaire@example.fr', password: 'kiné de Limay 2026 !' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const mail = await sink.waitFor((m) => m.to.includes('alice.lemaire@example.fr'));
    assert.match(mail.subject, /confirmez votre adresse/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/inscription\/confirmer\?jeton=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    token = new URL(link).searchParams.get('jeton')!;
    const row = (await db().query<{ disabled: boolean; practitioner: string; role: string }>('SELECT disabled, practitioner, role FROM account WHERE email = $1', ['alice.lemaire@example.fr'])).rows[0];
    assert.deepEqual(row, { disabled: true, practitioner: `rpps-${KINE.idNatPS}`, role: 'professional' });
    // Not confirmed yet: no login.
    const login = await fetch(`${server.origin}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice.lemaire@example.fr', password: 'kiné de Limay 2026 !' }) });
    assert.equal(login.status, 401);
  });

  test('the link confirms once: signed in, enabled; used again or unknown → refused', async () => {
    const r = await api('POST', '/confirmer', { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.user.practitioner, `rpps-${KINE.idNatPS}`);
    const cookie = r.res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    session = { cookie, 'x-csrf-token': r.body.csrfToken };
    const me = await fetch(`${server.origin}/auth/me`, { headers: { cookie } });
    assert.equal(((await me.json()) as { user: { email: string } }).user.email, 'alice.lemaire@example.fr');
    const again = await api('POST', '/confirmer', { token });
    assert.equal(again.status, 410);
    assert.match(again.body.error.fr, /déjà été utilisé/);
    assert.equal((await api('POST', '/confirmer', { token: 'x'.repeat(43) })).status, 404);
    // A second registration of the same professional is refused once confirmed.
    const twice = await api('POST', '/', { rpps: KINE.idNatPS, email: 'autre@example.fr', password: 'un mot de passe assez long' });
    assert.equal(twice.status, 409);
  });

  test('an expired link is refused', async () => {
    const r = await api('POST', '/', { rpps: FIXTURE_PROFESSIONALS.midwife.idNatPS, email: 'ines.roussel@example.fr', password: 'sage-femme à Gargenville' });
    assert.equal(r.status, 201);
    const mail = await sink.waitFor((m) => m.to.includes('ines.roussel@example.fr'));
    const expired = new URL(/(http:\S+)/.exec(mail.text)![1]).searchParams.get('jeton')!;
    await db().query(`UPDATE registration_token SET expires_at = now() - interval '1 minute' WHERE account_id = (SELECT id FROM account WHERE email = $1)`, ['ines.roussel@example.fr']);
    const res = await api('POST', '/confirmer', { token: expired });
    assert.equal(res.status, 410);
    assert.match(res.body.error.fr, /expiré/);
  });

  test('a confirmation mail that cannot leave is reported (502); a new attempt replaces the unconfirmed account', async () => {
    const failing = { delivering: true, close() {}, send: async () => { throw new Error('SMTP down'); } };
    await assert.rejects(
      register(db(), failing, { tokenTtlSeconds: 60 }, { rpps: FIXTURE_PROFESSIONALS.midwife.idNatPS, email: 'ines.roussel@example.fr', password: 'sage-femme à Gargenville' }, 'http://x/inscription/confirmer'),
      (e: Error & { status?: number; fr?: string }) => e.status === 502 && /réessayez/.test(e.fr ?? ''),
    );
    const again = await api('POST', '/', { rpps: FIXTURE_PROFESSIONALS.midwife.idNatPS, email: 'ines.roussel@example.fr', password: 'sage-femme à Gargenville' });
    assert.equal(again.status, 201);
    assert.equal(Number((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM account WHERE email = $1', ['ines.roussel@example.fr'])).rows[0].n), 1);
  });

  test('bad offer input: a message per field, nothing written', async () => {
    const before = Number((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM resource_history')).rows[0].n);
    const bad = { ...goodOffer(), phone: '01 30', mss: 'alice@gmail.com', zone: ['99999'], skills: ['282'], specificCompetences: ['ZZ'], hours: { days: [1], start: '19:00', end: '08:00' } };
    const r = await api('PUT', '/offre', bad, session);
    assert.equal(r.status, 422);
    assert.deepEqual(Object.keys(r.body.fields).sort(), ['hours.end', 'mss', 'phone', 'skills', 'specificCompetences', 'zone']);
    assert.match(r.body.fields.mss, /mssante\.fr/);
    assert.match(r.body.fields.phone, /10 chiffres/);
    const after = Number((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM resource_history')).rows[0].n);
    assert.equal(after, before);
    // Anonymous: refused.
    assert.equal((await api('PUT', '/offre', goodOffer())).status, 401);
  });

  test('the city offer is written (one offer per activity, zone, home visits) and read back; the RPPS draft is superseded', async () => {
    const r = await api('PUT', '/offre', goodOffer(), session);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.offers.sort(), [`ps-offre-${KINE.idNatPS}-339`, `ps-offre-${KINE.idNatPS}-419`, `ps-offre-${KINE.idNatPS}-421`]);
    assert.deepEqual(r.body.offer, goodOffer());
    const stored = await server.services.store.read('HealthcareService', `ps-offre-${KINE.idNatPS}-419`);
    const issues = (await server.services.validator.validate(stored.resource)).filter((i) => i.severity === 'error');
    assert.deepEqual(issues, []);
    const audit = (await db().query<{ actor: string; source: string }>(`SELECT actor, source FROM audit_event WHERE resource_id = $1 ORDER BY seq DESC LIMIT 1`, [`ps-offre-${KINE.idNatPS}-419`])).rows[0];
    assert.equal(audit.source, 'form');
    assert.notEqual(audit.actor, 'system');
    assert.equal((await server.services.store.read('HealthcareService', `rpps-offre-${KINE.idNatPS}-fixture`)).resource.active, false);

    // Found by the coordinator search for a commune of the zone (Mantes-la-Jolie), by activity.
    const search = await fetch(`${server.origin}/api/search?commune=78361&activity=419&radius=5`);
    const found = (await search.json()) as { results: { id: string }[] };
    assert.ok(found.results.some((o) => o.id === `ps-offre-${KINE.idNatPS}-419`), JSON.stringify(found.results.map((o) => o.id)));

    // Dropping a skill deactivates its offer; GET gives the description back.
    const fewer = { ...goodOffer(), skills: ['419'] };
    assert.equal((await api('PUT', '/offre', fewer, session)).status, 200);
    const got = await api('GET', '/offre', undefined, session);
    assert.deepEqual(got.body.offer.skills, ['419']);
    assert.equal((await server.services.store.read('HealthcareService', `ps-offre-${KINE.idNatPS}-421`)).resource.active, false);
  });
});
