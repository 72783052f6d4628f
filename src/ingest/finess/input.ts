import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** The three FINESS file shapes we read. */
export type FinessFormat = 'etalab' | 'ndjson' | 'flat';

async function firstBytes(file: string, n: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** How far a reader is in its file (bytes of the file as stored, compressed or not), for progress bars. */
export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

/** A byte stream of the file, gunzipped when it is gzip-compressed (detected by its magic bytes). */
export async function openBytes(file: string, progress?: ReadProgress): Promise<Readable> {
  const head = await firstBytes(file, 2);
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (progress) {
    progress.bytesRead = 0;
    raw.on('data', (chunk) => (progress.bytesRead += chunk.length));
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return raw.pipe(createGunzip());
  return raw;
}

/** The first bytes of the (decompressed) content. */
async function headOf(file: string, n = 4096): Promise<Buffer> {
  const stream = await openBytes(file);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= n) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, n);
}

/** Recognises the shape from the first line: `finess;etalab;…`, a JSON object, or the flat CSV header. */
export async function detectFormat(file: string): Promise<FinessFormat> {
  const head = (await headOf(file)).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const first = head.split(/\r?\n/, 1)[0]!.trim();
  if (/^"?finess"?;"?etalab"?/i.test(first)) return 'etalab';
  if (first.startsWith('{')) return 'ndjson';
  if (/^"?nofinesset"?;/i.test(first)) return 'flat';
  throw new Error(`Format de fichier FINESS non reconnu (première ligne : « ${first.slice(0, 60)} »)`);
}
