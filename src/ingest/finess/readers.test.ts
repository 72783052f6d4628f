import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { CommuneIndex } from '../geo/commune-index.ts';
import { defaultFinessDir } from '../reference-data.ts';
import type { FinessEstablishment, FinessReadItem, LineProblem } from './establishment.ts';
import { toEtalabRecord, writeEtalabFile } from './etalab-writer.ts';
import { detectFormat } from './input.ts';
import { crsOfSource, distanceMetres, fromWgs84, toWgs84 } from './projection.ts';
import { readFiness } from './read-finess.ts';

const DEP78 = path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv');
const NDJSON = path.join(defaultFinessDir(), 'finess-fhir-etablissements-20210108.ndjson.gz');

async function collect(file: string): Promise<{ records: FinessEstablishment[]; rejected: LineProblem[]; meta: FinessReadItem[] }> {
  const records: FinessEstablishment[] = [];
  const rejected: LineProblem[] = [];
  const meta: FinessReadItem[] = [];
  for await (const item of readFiness(file)) {
    if (item.kind === 'establishment') records.push(item.record);
    else if (item.kind === 'rejected') rejected.push(item.problem);
    else meta.push(item);
  }
  return { records, rejected, meta };
}

describe('FINESS coordinates', () => {
  test('Lambert-93 reference value of README §1a (FINESS 010000024) within 1 m', () => {
    const p = toWgs84(870215.7, 6571590.5, crsOfSource('1,ATLASANTE,96,BAN,L93_METROPOLE'));
    assert.ok(distanceMetres(p, { latitude: 46.2227448, longitude: 5.2085961 }) < 1);
  });

  test('the projection is read from sourcecoordet (§6.6): EPSG code, last token, else the département', () => {
    assert.equal(crsOfSource('1,ATLASANTE,96,BAN,L93_METROPOLE'), 'EPSG:2154');
    assert.equal(crsOfSource('LAMBERT_93'), 'EPSG:2154');
    assert.equal(crsOfSource('1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20'), 'EPSG:5490');
    assert.equal(crsOfSource('UTM_N21'), 'EPSG:4467');
    assert.equal(crsOfSource('UTM_N22'), 'EPSG:2972');
    assert.equal(crsOfSource('UTM_S38'), 'EPSG:4471');
    assert.equal(crsOfSource('UTM_S40'), 'EPSG:2975');
    assert.equal(crsOfSource('EPSG:2154 RGF93 / Lambert-93 (Métropole)'), 'EPSG:2154');
    assert.equal(crsOfSource('EPSG:5490 RGAF09/UTM Zone 20N (Antilles)'), 'EPSG:5490');
    assert.equal(crsOfSource('', '9D'), 'EPSG:2975');
    assert.equal(crsOfSource(undefined, '78'), 'EPSG:2154');
  });

  test('UTM zones round-trip within 1 m and put overseas communes at their place', () => {
    // Centroids of real communes (communes-centroides-cog2026.csv): Saint-Denis 97411, Cayenne 97302, Fort-de-France 97209.
    const cases = [
      { p: { latitude: -20.93277, longitude: 55.44669 }, src: 'UTM_S40', x: [300_000, 400_000], y: [7_650_000, 7_720_000] },
      { p: { latitude: 4.91691, longitude: -52.31686 }, src: 'UTM_N22', x: [300_000, 400_000], y: [500_000, 600_000] },
      { p: { latitude: 14.64036, longitude: -61.06836 }, src: 'UTM_N20', x: [700_000, 720_000], y: [1_600_000, 1_640_000] },
    ];
    for (const c of cases) {
      const crs = crsOfSource(c.src);
      const { x, y } = fromWgs84(c.p, crs);
      assert.ok(x > c.x[0]! && x < c.x[1]!, `${c.src} x ${x}`);
      assert.ok(y > c.y[0]! && y < c.y[1]!, `${c.src} y ${y}`);
      assert.ok(distanceMetres(toWgs84(x, y, crs), c.p) < 1);
    }
  });
});

describe('FINESS readers on the real Yvelines extract', () => {
  let dir: string;
  let flat: FinessEstablishment[];
  let communes: CommuneIndex;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-finess-'));
    communes = CommuneIndex.load();
    const r = await collect(DEP78);
    flat = r.records;
    assert.equal(r.rejected.length, 0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the flat CSV gives its 1,623 rows, every one with a WGS84 position', async () => {
    assert.equal(await detectFormat(DEP78), 'flat');
    assert.equal(flat.length, 1623);
    assert.equal(flat.filter((r) => r.position).length, 1623);
    const ehpad = flat.find((r) => r.nofinesset === '780018560')!;
    // The extract keeps CSV quoting inside the name (`"EHPAD ""LA VILLA DES AINES"""`): undone.
    assert.equal(ehpad.rs, 'EHPAD "LA VILLA DES AINES"');
    assert.equal(ehpad.categetab, '500');
    assert.equal(ehpad.line, flat.indexOf(ehpad) + 2);
  });

  for (const encoding of ['utf8', 'win1252'] as const) {
    test(`etalab round trip (${encoding}): same establishments, positions within 1 m through Lambert-93`, async () => {
      const file = path.join(dir, `etalab-${encoding}.csv`);
      writeEtalabFile(file, flat.map((r) => toEtalabRecord(r, communes)), { encoding, snapshotDate: '2021-01-08' });
      if (encoding === 'win1252') assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file)));
      assert.equal(await detectFormat(file), 'etalab');
      const back = await collect(file);
      assert.deepEqual(back.rejected, []);
      assert.deepEqual(back.meta.at(-1), { kind: 'meta', encoding, snapshotDate: '2021-01-08' });
      assert.equal(back.records.length, 1623);
      let worst = 0;
      for (const [i, r] of back.records.entries()) {
        const src = flat[i]!;
        assert.equal(r.nofinesset, src.nofinesset);
        assert.equal(r.line, i + 2);
        for (const k of ['nofinessej', 'rs', 'siret', 'categetab', 'libcategetab', 'categagretab', 'libcategagretab', 'dateouv', 'datemaj', 'postalCode', 'city', 'telephone'] as const) {
          assert.equal(r[k], src[k], `${r.nofinesset} ${k}`);
        }
        assert.equal(r.coordinates?.crs, 'EPSG:2154');
        worst = Math.max(worst, distanceMetres(r.position!, src.position!));
      }
      assert.ok(worst < 1, `worst round-trip error ${worst} m`);
      // Accents survive both encodings.
      assert.ok(back.records.some((r) => r.libcategetab === 'Résidences autonomie'));
    });
  }

  test('a broken line is rejected with its line number, the others are read', async () => {
    const file = path.join(dir, 'etalab-broken.csv');
    writeEtalabFile(file, flat.slice(0, 20).map((r) => toEtalabRecord(r, communes)));
    const lines = fs.readFileSync(file, 'utf8').split('\r\n');
    lines[5] = lines[5]!.replace(flat[4]!.dateouv!, '2005-13-45'); // line 6: impossible opening date
    lines[9] = lines[9]!.split(';').slice(0, 30).join(';'); // line 10: truncated
    lines[12] = lines[12]!.replace(flat[11]!.nofinessej, '78ABC'); // line 13: bad EJ number
    fs.writeFileSync(file, lines.join('\r\n'));
    const r = await collect(file);
    assert.equal(r.records.length, 17);
    assert.deepEqual(r.rejected.map((p) => p.line), [6, 10, 13]);
    assert.match(r.rejected[0]!.fr, /dateouv/);
    assert.match(r.rejected[1]!.fr, /30 champs/);
    assert.match(r.rejected[2]!.en, /EJ number/);
  });
});

describe('FINESS etalab overseas establishments', () => {
  test('UTM coordinates named by sourcecoordet and 9A–9D département codes read back to WGS84 within 1 m and the right COG', async () => {
    const communes = CommuneIndex.load();
    const NATIONAL = path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84.csv.gz');
    // Real overseas establishments (their positions are unusable in the extract): placed at their commune's centroid.
    const picked = new Map<string, FinessEstablishment>();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-finess-dom-'));
    // The overseas rows of the national extract (cheap raw filter, then the real reader).
    const overseas = path.join(dir, 'overseas.csv');
    const kept: string[] = [];
    for await (const line of readline.createInterface({ input: fs.createReadStream(NATIONAL).pipe(zlib.createGunzip()) })) {
      if (kept.length === 0 || line.startsWith('97')) kept.push(line);
    }
    fs.writeFileSync(overseas, kept.join('\n'));
    for await (const item of readFiness(overseas)) {
      if (item.kind !== 'establishment' || !item.record.nofinesset.startsWith('97')) continue;
      const dep = item.record.postalCode?.slice(0, 3);
      const commune = communes.resolve(item.record.postalCode, item.record.city);
      // A CEDEX postcode may carry another département's prefix (97826 is Le Port, 974): keep plain ones.
      if (!dep || !commune || commune.departement !== dep || picked.has(dep) || !communes.centroid(commune.code)) continue;
      picked.set(dep, { ...item.record, position: communes.centroid(commune.code) });
    }
    assert.deepEqual([...picked.keys()].sort(), ['971', '972', '973', '974']);
    try {
      const file = path.join(dir, 'etalab-dom.csv');
      const records = [...picked.values()].map((r) => toEtalabRecord(r, communes));
      assert.deepEqual(records.map((r) => r.departement).sort(), ['9A', '9B', '9C', '9D']);
      writeEtalabFile(file, records);
      const text = fs.readFileSync(file, 'utf8');
      for (const zone of ['UTM_N20', 'UTM_N22', 'UTM_S40']) assert.ok(text.includes(zone), zone);
      const back = await collect(file);
      assert.deepEqual(back.rejected, []);
      for (const r of back.records) {
        const src = records.find((x) => x.nofinesset === r.nofinesset)!;
        assert.equal(r.communeCog, src.communeCog);
        assert.ok(r.communeCog!.startsWith(src.postalCode!.slice(0, 3)));
        assert.notEqual(r.coordinates!.crs, 'EPSG:2154');
        assert.ok(distanceMetres(r.position!, src.position!) < 1, `${r.nofinesset} ${r.coordinates!.crs}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FINESS FHIR ndjson reader', () => {
  test('reads the 95,333 establishments of the national extract and drops the wrong overseas positions', async () => {
    let n = 0;
    let overseas = 0;
    let overseasWithPosition = 0;
    let withPosition = 0;
    let rejected = 0;
    for await (const item of readFiness(NDJSON)) {
      if (item.kind === 'rejected') rejected++;
      if (item.kind !== 'establishment') continue;
      n++;
      if (item.record.position) withPosition++;
      if (item.record.nofinesset.startsWith('97')) {
        overseas++;
        if (item.record.position) overseasWithPosition++;
      }
    }
    assert.equal(rejected, 0);
    assert.equal(n, 95_333);
    assert.equal(overseas, 2045);
    assert.equal(overseasWithPosition, 0);
    assert.equal(withPosition, 95_333 - 2054);
  });
});
