/**
 * The shared resources an import has already sent in this run (a professional with several activities, a
 * site with several professionals), in bounded memory: the most recently seen `capacity` keys. A key
 * forgotten and met again is sent again; the writer then skips it as already written by this run
 * (`oncePerRun`, from the run recorded in its provenance row), so the behaviour is the same, at the cost
 * of one more look-up. A key is never forgotten while the batch that sent it may still be uncommitted:
 * sent again meanwhile, it would be written by two transactions at once.
 */
export class SentKeys {
  /** key → sequence number of the batch that sent it; Map order = least recently seen first. */
  private readonly keys = new Map<string, number>();
  private firstUncommitted = 0;

  constructor(readonly capacity = 200_000) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new Error('SentKeys: capacity must be an integer ≥ 1');
  }

  get size(): number {
    return this.keys.size;
  }

  /** Whether `key` was sent recently (it becomes the most recently seen); if not, records it as sent by batch `batch`. */
  sentOrAdd(key: string, batch: number): boolean {
    const sentBy = this.keys.get(key);
    if (sentBy !== undefined) {
      this.keys.delete(key);
      this.keys.set(key, sentBy);
      return true;
    }
    this.keys.set(key, batch);
    this.evict();
    return false;
  }

  /** Every batch numbered below `batch` is committed (or rolled back): their keys may be forgotten. */
  committedBefore(batch: number): void {
    this.firstUncommitted = Math.max(this.firstUncommitted, batch);
    this.evict();
  }

  private evict(): void {
    for (const [key, batch] of this.keys) {
      if (this.keys.size <= this.capacity || batch >= this.firstUncommitted) return;
      this.keys.delete(key);
    }
  }
}
