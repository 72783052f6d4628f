import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { FhirError } from '../fhir/outcome.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { NosTerminology } from '../terminology/terminology.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { completedHealthcareService, example } from './fixtures.ts';
import { createRorValidator } from './index.ts';

/** The validator plugged into the store, over the terminology loaded in the database (migration 011). */
await describeWithDatabases('ROR validation on every write', (db) => {
  let terminology: NosTerminology;
  before(async () => {
    terminology = await NosTerminology.load(db());
  });
  const store = () => new ResourceStore(db(), { validator: createRorValidator(terminology) });

  test('strict: the published HealthcareService example is refused with a 422 naming the missing careMode', async () => {
    await assert.rejects(
      store().create(example('HealthcareService-1234564'), SYSTEM_CONTEXT),
      (err: unknown) => {
        assert.ok(err instanceof FhirError);
        assert.equal(err.status, 422);
        const errors = err.issues.filter((i) => i.severity === 'error');
        assert.deepEqual(errors.map((i) => i.expression), ['HealthcareService.characteristic']);
        assert.match(err.outcome.issue[0].details!.text, /JDV_J19-ModePriseEnCharge-ROR/);
        return true;
      },
    );
  });

  test('strict: the completed example is stored', async () => {
    const written = await store().create(completedHealthcareService(), SYSTEM_CONTEXT);
    assert.equal(written.outcome, 'created');
    assert.deepEqual(written.issues.filter((i) => i.severity === 'error'), []);
  });

  test('lenient (legacy import): stored, the violation kept as a warning', async () => {
    const written = await store().create(example('HealthcareService-1234564'), { ...SYSTEM_CONTEXT, validation: 'lenient' });
    assert.equal(written.outcome, 'created');
    assert.deepEqual(written.issues.map((i) => [i.severity, i.expression]), [['warning', 'HealthcareService.characteristic']]);
  });
});
