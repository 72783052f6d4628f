// Mutual TLS: the server started with ROR_TLS_CERT/KEY/CA; a client certificate issued by the
// trusted CA, whose subject is registered, authenticates its application; an unregistered subject,
// a certificate from another CA, or none, authenticates nobody.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generate } from 'selfsigned';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { subjectDn } from './mtls.ts';

type Pem = { cert: string; key: string };
const attrs = (cn: string, o = 'EDITEUR DE TEST') => [
  { name: 'countryName', value: 'FR' }, { name: 'organizationName', value: o }, { name: 'commonName', value: cn },
];

async function ca(cn: string): Promise<Pem> {
  const r = await generate(attrs(cn, 'AC DE TEST'), {
    notAfterDate: new Date(Date.now() + 86_400_000), keySize: 2048, algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  return { cert: r.cert, key: r.private };
}

async function issued(cn: string, by: Pem, server = false): Promise<Pem> {
  const r = await generate(attrs(cn), {
    notAfterDate: new Date(Date.now() + 86_400_000), keySize: 2048, algorithm: 'sha256', ca: by,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: server, clientAuth: !server },
      ...(server ? [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }] }] : []),
    ],
  });
  return { cert: r.cert, key: r.private };
}

await describeWithDatabases('mutual TLS client certificates', (db) => {
  let server: TestServer;
  let port: number;
  let authority: Pem;
  let client: Pem;
  let stranger: Pem;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-mtls-'));

  before(async () => {
    authority = await ca('AC IGC-SANTE DE TEST');
    const serverPem = await issued('127.0.0.1', authority, true);
    client = await issued('via-trajectoire-test', authority);
    stranger = await issued('via-trajectoire-test', await ca('AUTRE AC'));
    for (const [name, content] of Object.entries({ 'ca.pem': authority.cert, 'server.pem': serverPem.cert, 'server.key': serverPem.key })) {
      fs.writeFileSync(path.join(dir, name), content);
    }
    server = await startTestServer(db(), {
      ROR_TLS_CERT: path.join(dir, 'server.pem'), ROR_TLS_KEY: path.join(dir, 'server.key'), ROR_TLS_CA: path.join(dir, 'ca.pem'),
    });
    port = (server.app.server.address() as AddressInfo).port;
    await server.services.security.accounts.addApp({
      name: 'Via Trajectoire (certificat)', accessProfile: 2, clientId: 'via-trajectoire-cert',
      certSubject: 'C=FR,O=EDITEUR DE TEST,CN=via-trajectoire-test',
    });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function get(urlPath: string, cert?: Pem): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1', port, path: urlPath, method: 'GET', ca: authority.cert, ...(cert ? { cert: cert.cert, key: cert.key } : {}),
      }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('the subject DN is written K=V in certificate order', async () => {
    const { X509Certificate } = await import('node:crypto');
    assert.equal(new X509Certificate(client.cert).subject.replace(/\n/g, ','), 'C=FR,O=EDITEUR DE TEST,CN=via-trajectoire-test');
    assert.equal(subjectDn({ C: 'FR', O: 'EDITEUR DE TEST', CN: 'via-trajectoire-test' } as never), 'C=FR,O=EDITEUR DE TEST,CN=via-trajectoire-test');
    assert.equal(subjectDn({ C: 'FR', OU: ['A', 'B'], CN: 'x' } as never), 'C=FR,OU=A,OU=B,CN=x');
  });

  test('a registered certificate of the trusted CA authenticates its application', async () => {
    const me = await get('/auth/me', client);
    assert.equal(me.status, 200, me.body);
    assert.deepEqual(JSON.parse(me.body), { kind: 'app', clientId: 'via-trajectoire-cert', accessProfile: 2, scopes: [] });
    // HTTPS brings HSTS.
    assert.match(String(me.headers['strict-transport-security']), /max-age=/);
  });

  test('no certificate, or the same subject from another CA, authenticates nobody', async () => {
    assert.equal((await get('/auth/me')).status, 401);
    assert.equal((await get('/auth/me', stranger)).status, 401);
  });

  test('a revoked application is no longer recognised by its certificate', async () => {
    await server.services.security.accounts.revokeApp('via-trajectoire-cert');
    assert.equal((await get('/auth/me', client)).status, 401);
  });
});
