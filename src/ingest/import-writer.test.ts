import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors, fhirError } from '../fhir/outcome.ts';
import { isDataError } from './import-writer.ts';

test('a data error rejects the line; a connection or server error stops the import', () => {
  assert.equal(isDataError(errors.invalid('id invalide', 'invalid id', 'Organization.id')), true);
  assert.equal(isDataError(Object.assign(new Error('duplicate key'), { code: '23505' })), true);
  assert.equal(isDataError(Object.assign(new Error('value too long'), { code: '22001' })), true);
  assert.equal(isDataError(Object.assign(new Error('connection failure'), { code: '08006' })), false);
  assert.equal(isDataError(fhirError(503, 'exception', 'indisponible', 'unavailable')), false);
  assert.equal(isDataError(new Error('ECONNRESET')), false);
});
