import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import type { ValidationSampler } from '../store/validation-sampler.ts';

export const GENERATOR_CONTEXT: RequestContext = { actor: { id: 'import:generator', kind: 'import' }, source: 'generator', validation: 'lenient' };

/**
 * Collects generated resources and writes them in batches, one transaction each, through the store's
 * multi-row `bulkPut` (index, versions, history and audit as single writes, one statement per chunk).
 * A trusted write: with a sampler, only the sampled resources are validated against the ROR profiles
 * (src/store/validation-sampler.ts). Generated batches never share a resource, so up to `concurrency`
 * of them are written at once (PostgreSQL: one batch is built and indexed here while the server
 * writes the other). Without a store it only counts (dry run).
 */
export class BatchWriter {
  private pending: Resource[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  written = 0;
  issues = 0;

  constructor(
    private readonly store: ResourceStore | null,
    private readonly batchSize: number,
    private readonly onBatch: (written: number) => void = () => undefined,
    private readonly opts: { sampler?: ValidationSampler; concurrency?: number } = {},
  ) {}

  async add(resources: Resource[]): Promise<void> {
    this.pending.push(...resources);
    if (this.pending.length >= this.batchSize) await this.launch();
  }

  /** Writes what is pending and waits for every batch in flight. */
  async flush(): Promise<void> {
    await this.launch();
    await Promise.all(this.inFlight);
  }

  private async launch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const p: Promise<void> = this.write(batch).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    p.catch(() => undefined); // handled by the race or flush below, not an unhandled rejection meanwhile
    // A failed batch fails the run at the next launch or flush.
    if (this.inFlight.size >= Math.max(1, this.opts.concurrency ?? 1)) await Promise.race(this.inFlight);
  }

  private async write(batch: Resource[]): Promise<void> {
    if (this.store) {
      const results = await this.store.bulkPut(batch, GENERATOR_CONTEXT, { sampler: this.opts.sampler, chunkSize: batch.length });
      for (const r of results) this.issues += r.issues.filter((i) => i.severity !== 'information').length;
    }
    this.written += batch.length;
    this.onBatch(this.written);
  }
}
