import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { cacheControlFor, registerStaticApp } from './static-app.ts';

let dist: string;
let app: FastifyInstance;

before(async () => {
  // A real (small) Vite-shaped output: index.html and a hashed asset.
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-dist-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><html lang="fr"><body><div id="root"></div></body></html>');
  fs.writeFileSync(path.join(dist, 'assets/index-abc123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dist, 'robots.txt'), 'User-agent: *');
  app = Fastify();
  app.get('/fhir/metadata', async () => ({ resourceType: 'CapabilityStatement' }));
  app.get('/api/config', async () => ({ tileUrl: null }));
  await registerStaticApp(app, dist);
});
after(async () => {
  await app.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

test('hashed assets are immutable for a year, index.html is revalidated, other files cached an hour', () => {
  assert.equal(cacheControlFor('/x/dist/web/assets/index-abc.js'), 'public, max-age=31536000, immutable');
  assert.equal(cacheControlFor('/x/dist/web/index.html'), 'no-cache');
  assert.equal(cacheControlFor('/x/dist/web/robots.txt'), 'public, max-age=3600');
});

test('the built files are served with those headers', async () => {
  const root = await app.inject('/');
  assert.equal(root.statusCode, 200);
  assert.match(root.body, /<div id="root">/);
  assert.equal(root.headers['cache-control'], 'no-cache');
  const asset = await app.inject('/assets/index-abc123.js');
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  const robots = await app.inject('/robots.txt');
  assert.equal(robots.headers['cache-control'], 'public, max-age=3600');
});

test('client-side routes fall back to index.html; /fhir, /api and /assets paths never do', async () => {
  const deep = await app.inject('/offre/hs-123');
  assert.equal(deep.statusCode, 200);
  assert.match(deep.body, /<div id="root">/);
  assert.equal(deep.headers['cache-control'], 'no-cache');
  assert.equal((await app.inject('/fhir/Nothing/here')).statusCode, 404);
  assert.equal((await app.inject('/api/nothing')).statusCode, 404);
  assert.equal((await app.inject('/fhir/metadata')).json().resourceType, 'CapabilityStatement');
  assert.equal((await app.inject('/assets/missing-file.js')).statusCode, 404, 'a missing build asset is not answered with HTML');
});
