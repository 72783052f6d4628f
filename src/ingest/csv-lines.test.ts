import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { csvLines, type CsvLine } from './csv-lines.ts';

async function rows(text: string, maxLines?: number): Promise<CsvLine[]> {
  const out: CsvLine[] = [];
  for await (const r of csvLines(Readable.from([text]), ';', maxLines)) out.push(r);
  return out;
}

test('plain, quoted, multi-line and CRLF records keep the number of the line where they start', async () => {
  const r = await rows('\uFEFFa;b;c\r\n"x;1";"say ""hi""";z\r\n"two\r\nlines";k\r\n\r\nlast;;\r\n');
  assert.deepEqual(r, [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['x;1', 'say "hi"', 'z'] },
    { line: 3, fields: ['two\nlines', 'k'] },
    { line: 6, fields: ['last', '', ''] },
  ]);
});

test('a quote inside an unquoted field is literal; an unclosed quote spoils only its own line', async () => {
  const r = await rows('EHPAD "LES PINS;2\nok;1\n"never closed;3\nnext;4\nafter;5\n', 2);
  assert.deepEqual(r[0], { line: 1, fields: ['EHPAD "LES PINS', '2'] });
  assert.deepEqual(r[1], { line: 2, fields: ['ok', '1'] });
  assert.equal(r[2]!.line, 3);
  assert.ok('error' in r[2]!);
  assert.deepEqual(r.slice(3), [{ line: 4, fields: ['next', '4'] }, { line: 5, fields: ['after', '5'] }]);
});
