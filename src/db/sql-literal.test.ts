/** Literals written into statement text read back, on both engines, as the values they stand for. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWithDatabases } from '../testing/suite.ts';
import { inlineParams, sqlLiteral } from './sql-literal.ts';

const TEXTS = ["l'Hôpital", 'back\\slash', 'quote " double', '{braces},comma', 'ligne\nsuivante', '', 'NULL', 'émoji 🏥', "''"];

await describeWithDatabases('SQL literals', (db) => {
  test('text, arrays, numbers, booleans and null read back unchanged', async () => {
    for (const t of TEXTS) {
      const { rows } = await db().query<{ v: string }>(`SELECT ${sqlLiteral(t)}::text AS v`);
      assert.equal(rows[0].v, t);
    }
    const { rows } = await db().query<{ a: string[]; n: number; b: boolean; z: null; i: number[] }>(
      `SELECT ${sqlLiteral([...TEXTS, null])}::text[] AS a, ${sqlLiteral(-1.5)}::float8 AS n, ${sqlLiteral(true)} AS b, ${sqlLiteral(null)} AS z,
              ${sqlLiteral([0, 3, 17])}::int[] AS i`);
    assert.deepEqual(rows[0], { a: [...TEXTS, null], n: -1.5, b: true, z: null, i: [0, 3, 17] });
  });

  test('placeholders are replaced by the literal of their own value ($1 is not the start of $10)', async () => {
    const values = Array.from({ length: 10 }, (_, i) => `v${i + 1}'`);
    const sql = inlineParams('SELECT $10::text AS ten, $1::text AS one, $2::text || $3 AS two', values);
    const { rows } = await db().query<{ ten: string; one: string; two: string }>(sql);
    assert.deepEqual(rows[0], { ten: "v10'", one: "v1'", two: "v2'v3'" });
  });
});

test('values that cannot be written as a literal are refused', () => {
  assert.throws(() => sqlLiteral({ a: 1 }), /unsupported/);
  assert.throws(() => sqlLiteral(Number.NaN), /finite/);
  assert.throws(() => sqlLiteral('a\0b'), /NUL/);
  assert.throws(() => inlineParams('SELECT $2', ['only one']), /no value for \$2/);
});
