/**
 * Sampled profile validation for trusted bulk writes (register imports, the generator): resources built
 * by our own mapping code from one template per kind, where validating every one costs half of a
 * national import's CPU and finds nothing the sample does not (a mapping defect repeats itself).
 *
 * The first `first` creations of each resource type are validated, then one in `every`. A sampled
 * resource is treated exactly as under full validation (strict: the batch is refused naming it;
 * lenient: stored with its issues flagged). Only creations are sampled: every new version of an
 * existing resource is validated, so that its flagged issues (resource_issue) always describe it.
 * What is never skipped: versions, history, audit, search index (see src/store/README.md).
 */
export class ValidationSampler {
  /** Creations seen per type (validated or not). */
  private readonly seen = new Map<string, number>();
  validated = 0;
  skipped = 0;
  /** Validated resources with at least one error. */
  failed = 0;
  /** The first failures, `Type/id: message`, for the run's report. */
  readonly failures: string[] = [];
  /** Resources that failed: validated again whenever written again (a refused batch retried one by one). */
  private readonly failedKeys = new Set<string>();

  constructor(readonly first = 20, readonly every = 100) {
    if (!(Number.isInteger(first) && first >= 0 && Number.isInteger(every) && every >= 1)) {
      throw new Error('ValidationSampler: first must be an integer ≥ 0 and every an integer ≥ 1');
    }
  }

  /** Whether this creation is validated (deterministic: same input order, same picks). */
  pick(type: string, id: string): boolean {
    if (this.failedKeys.has(`${type}/${id}`)) return true;
    const n = this.seen.get(type) ?? 0;
    this.seen.set(type, n + 1);
    const picked = n < this.first || (n - this.first) % this.every === this.every - 1;
    if (!picked) this.skipped++;
    return picked;
  }

  /** Notes the outcome of a validated resource. */
  record(type: string, id: string, errorMessages: string[]): void {
    this.validated++;
    if (errorMessages.length === 0) return;
    this.failed++;
    this.failedKeys.add(`${type}/${id}`);
    if (this.failures.length < 20) this.failures.push(`${type}/${id}: ${errorMessages.join(' ; ').slice(0, 300)}`);
  }
}
