// Validation throughput on the IG's HealthcareService example (completed with its careMode), the
// Location example with a capacity record, and a FINESS-like site: base R4 layer, ROR profile layer,
// and both (what every write pays). Usage: node --import tsx bench/validation.ts [iterations]
import type { Resource } from '../src/fhir/types.ts';
import { validateBaseR4 } from '../src/validation/base-r4.ts';
import { validateAgainstProfile } from '../src/validation/engine.ts';
import { capacityRecord, completedHealthcareService, example, realTerminology, site } from '../src/validation/fixtures.ts';
import { profileFor, validateResource } from '../src/validation/index.ts';

const N = Number(process.argv[2] ?? 3000);
const terminology = await realTerminology();

/** Wall time and CPU time (the machine is shared: CPU time is the steadier figure). */
function measure(name: string, fn: () => unknown): void {
  for (let i = 0; i < Math.min(500, N); i++) fn(); // warm-up (definitions, JIT)
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn();
  const wall = (performance.now() - t0) / N;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000 / N;
  const rate = (ms: number) => Math.round(1000 / ms).toLocaleString('en');
  console.log(`${name.padEnd(50)} wall ${wall.toFixed(3)} ms (${rate(wall)}/s)  cpu ${cpu.toFixed(3)} ms (${rate(cpu)}/s per core)`);
}

const hs = completedHealthcareService();
const loc = example('Location-ror-location-exemple') as Resource & { extension: unknown[] };
loc.extension.push(capacityRecord());
const eg = site();

for (const [label, r] of [['HealthcareService-1234564 (+careMode)', hs], ['Location example + 1 capacity record', loc], ['Organization EG (FINESS-like)', eg]] as const) {
  const profile = profileFor(r)!;
  measure(`${label}: base R4`, () => validateBaseR4(r));
  measure(`${label}: ROR profile`, () => validateAgainstProfile(profile, r, terminology));
  measure(`${label}: both`, () => validateResource(r, terminology));
}
