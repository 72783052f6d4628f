import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AddressLocator } from './address-locator.ts';
import { CommuneDirectory } from './commune-directory.ts';
import { geoDataDir } from './shared-data.ts';

const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));

describe('addresses located offline: the commune the address names (COG 2026)', () => {
  const offline = new AddressLocator(communes);

  test('postcode and name: the commune of that postcode the text names, at its centroid', async () => {
    const [a] = await offline.locate('12 rue de la République 78520 Limay');
    assert.equal(a.commune.code, '78335');
    assert.equal(a.precision, 'commune');
    assert.deepEqual([a.lat, a.lon], [communes.get('78335')!.lat, communes.get('78335')!.lon]);
    // 78200 serves ten communes: the name picks Buchelay, not the most populated (Mantes-la-Jolie).
    assert.equal((await offline.locate('3 allée des Tilleuls 78200 Buchelay'))[0].commune.code, '78118');
    assert.equal((await offline.locate('3 allée des Tilleuls 78200'))[0].commune.code, '78361');
  });

  test('no postcode: the commune name the address ends with, accents and hyphens aside', async () => {
    assert.equal((await offline.locate('5 place du Marché, Mantes la Jolie'))[0].commune.code, '78361');
    assert.equal((await offline.locate('rue Nationale GARGENVILLE'))[0].commune.code, '78267');
  });

  test('an address naming no known commune gives nothing', async () => {
    assert.deepEqual(await offline.locate('12 rue de Nulle-Part-Sur-Rien'), []);
    assert.deepEqual(await offline.locate('ab'), []);
  });
});

describe('addresses located by a geocoder of the Base Adresse Nationale API (ROR_GEOCODER_URL)', () => {
  let server: http.Server;
  let base: string;
  const asked: URLSearchParams[] = [];
  before(async () => {
    // A local HTTP server answering in the BAN's GeoCodeJSON format: the locator's real request and parsing.
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      asked.push(url.searchParams);
      if (url.pathname !== '/search/') return res.writeHead(404).end();
      if (url.searchParams.get('q')!.includes('panne')) return res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1.7391, 48.9916] },
            properties: { label: '12 Rue de la République 78520 Limay', type: 'housenumber', citycode: '78335', score: 0.97 } },
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1.7, 49] }, properties: { label: 'ailleurs', type: 'street', citycode: '99999' } },
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1.69409, 48.99833] },
            properties: { label: 'Mantes-la-Jolie', type: 'municipality', citycode: '78361' } },
        ],
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('house numbers are placed where the geocoder says, with its label; unknown communes are left out', async () => {
    const found = await new AddressLocator(communes, base).locate('12 rue de la republique limay', 3);
    assert.equal(asked.at(-1)!.get('q'), '12 rue de la republique limay');
    assert.equal(asked.at(-1)!.get('limit'), '3');
    assert.deepEqual(found.map((a) => [a.commune.code, a.precision]), [['78335', 'adresse'], ['78361', 'commune']]);
    assert.deepEqual([found[0].lat, found[0].lon, found[0].label], [48.9916, 1.7391, '12 Rue de la République 78520 Limay']);
  });

  test('a geocoder failing or unreachable falls back to the commune the address names', async () => {
    const [failing] = await new AddressLocator(communes, base).locate('en panne 78520 Limay');
    assert.deepEqual([failing.commune.code, failing.precision], ['78335', 'commune']);
    const [unreachable] = await new AddressLocator(communes, 'http://127.0.0.1:9').locate('1 rue Nationale 78440 Gargenville');
    assert.deepEqual([unreachable.commune.code, unreachable.precision], ['78267', 'commune']);
  });
});
