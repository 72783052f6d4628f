import { checkEstablishment, type FinessReadItem } from './establishment.ts';
import { readEtalab } from './etalab-reader.ts';
import { detectFormat, type FinessFormat, type ReadProgress } from './input.ts';
import { readFlat } from './flat-reader.ts';
import { readNdjson } from './ndjson-reader.ts';

export type { FinessFormat } from './input.ts';

/**
 * Streams the establishments of a FINESS file of any of the three shapes (detected when not given),
 * each checked: a line whose fields cannot make a valid resource comes out as `rejected`.
 */
export async function* readFiness(file: string, format?: FinessFormat, progress?: ReadProgress): AsyncGenerator<FinessReadItem> {
  const fmt = format ?? (await detectFormat(file));
  const source = fmt === 'etalab' ? readEtalab(file, progress) : fmt === 'ndjson' ? readNdjson(file, progress) : readFlat(file, progress);
  for await (const item of source) {
    if (item.kind === 'establishment') {
      const problem = checkEstablishment(item.record);
      if (problem) {
        yield { kind: 'rejected', problem };
        continue;
      }
    }
    yield item;
  }
}
