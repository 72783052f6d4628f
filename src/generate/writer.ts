import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';

export const GENERATOR_CONTEXT: RequestContext = { actor: { id: 'import:generator', kind: 'import' }, source: 'generator', validation: 'lenient' };

/**
 * Collects generated resources and writes them in batches, one transaction each, through the store's
 * multi-row `bulkPut` (validation, index, history and audit as single writes, one statement per chunk).
 * Without a store it only counts (dry run).
 */
export class BatchWriter {
  private pending: Resource[] = [];
  written = 0;
  issues = 0;

  constructor(
    private readonly store: ResourceStore | null,
    private readonly batchSize: number,
    private readonly onBatch: (written: number) => void = () => undefined,
  ) {}

  async add(resources: Resource[]): Promise<void> {
    this.pending.push(...resources);
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.store) {
      const results = await this.store.bulkPut(batch, GENERATOR_CONTEXT);
      for (const r of results) this.issues += r.issues.filter((i) => i.severity !== 'information').length;
    }
    this.written += batch.length;
    this.onBatch(this.written);
  }
}
