import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';
import { applyFhirPathPatch, type Parameters, type ParametersPart } from './index.ts';

const EXAMPLES = '/work/shared/spec/ror-ig/examples';
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const CAPACITY = `${SD}ror-location-supported-capacity`;
const EQUIPMENT = `${SD}ror-location-equipment`;
const HOUSE_NUMBER = 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber';

function healthcareService(): Resource {
  return JSON.parse(readFileSync(`${EXAMPLES}/HealthcareService-1234564.json`, 'utf8'));
}
function location(): Resource {
  return JSON.parse(readFileSync(`${EXAMPLES}/Location-ror-location-exemple.json`, 'utf8'));
}

/** NOS code system URL: TRE_R330-TypeStatutCapacite → …/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite */
function nos(tre: string): string {
  return `https://mos.esante.gouv.fr/NOS/${tre}/FHIR/${tre.replace('_', '-')}`;
}
function cc(tre: string, code: string, display: string) {
  return { coding: [{ system: nos(tre), code, display }] };
}

function operation(type: string, path: string, parts: ParametersPart[] = []): ParametersPart {
  return {
    name: 'operation',
    part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...parts],
  };
}
function patch(...parameter: ParametersPart[]): Parameters {
  return { resourceType: 'Parameters', parameter };
}

type Status = readonly [code: string, display: string];
const AVAILABLE: Status = ['02', 'Disponible'];
const CLOSED: Status = ['05', 'Fermé'];

/** The sub-extensions of one capacity record, as (url, value[x] key, value). */
function capacityFields(status: Status, nb: number): [string, string, unknown][] {
  return [
    ['capacityType', 'valueCodeableConcept', cc('TRE_R329-NatureCapacite', '01', 'Lit')],
    ['capacityStatus', 'valueCodeableConcept', cc('TRE_R330-TypeStatutCapacite', status[0], status[1])],
    ['temporalityCapacity', 'valueCodeableConcept', cc('TRE_R331-TemporaliteCapacite', '01', 'Courant')],
    ['nbCapacity', 'valueInteger', nb],
    ['capacitySourceType', 'valueCodeableConcept', cc('TRE_R335-TypeSourceCapacite', '02', 'Bed management')],
    ['capacityUpdateDate', 'valueDateTime', '2026-11-23T08:00:00+01:00'],
    ['temporaryAssignement', 'valueCodeableConcept', cc('TRE_R337-AffectationTemporaire', '01', 'Aucune')],
  ];
}
/** A capacity record as stored JSON. */
function capacityExtension(status: Status, nb: number) {
  return {
    url: CAPACITY,
    extension: capacityFields(status, nb).map(([url, key, value]) => ({ url, [key]: value })),
  };
}
/** The same record as FHIRPath Patch parts (an extension has no FHIR type usable as value[x]). */
function capacityParts(status: Status, nb: number): ParametersPart[] {
  return [
    { name: 'url', valueUri: CAPACITY },
    ...capacityFields(status, nb).map(([url, key, value]) => ({
      name: 'extension',
      part: [{ name: 'url', valueUri: url }, { name: 'value', [key]: value }],
    })),
  ];
}

function locationWithCapacities(): Resource {
  const loc = location();
  (loc.extension as unknown[]).push(capacityExtension(AVAILABLE, 12), capacityExtension(CLOSED, 3));
  return loc;
}

function eval1(resource: Resource, expr: string): unknown[] {
  return fhirpath.evaluate(resource, expr, {}, r4) as unknown[];
}

/** Asserts a FhirError with this status, issue location and (optionally) code, with both messages. */
function rejects(fn: () => unknown, status: number, expression: string, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FhirError, `expected FhirError, got ${String(e)}`);
    assert.equal(e.status, status, e.message);
    assert.equal(e.issues[0].expression, expression);
    if (code) assert.equal(e.issues[0].code, code);
    assert.ok(e.issues[0].fr.length > 10 && e.issues[0].en.length > 10);
    return true;
  });
}

describe('FHIRPath Patch — IG write scenarios', () => {
  test('add a Location reference to a HealthcareService (op add, path HealthcareService, name location)', () => {
    const hs = healthcareService();
    const before = JSON.stringify(hs);
    const out = applyFhirPathPatch(hs, patch(operation('add', 'HealthcareService', [
      { name: 'name', valueString: 'location' },
      { name: 'value', valueReference: { reference: 'Location/ror-location-exemple' } },
    ])));
    assert.deepEqual(out.location, [{ reference: 'Location/888888' }, { reference: 'Location/ror-location-exemple' }]);
    assert.equal(JSON.stringify(hs), before, 'input untouched');
    assert.notEqual(out, hs);
  });

  test('add a capacity record: a ror-location-supported-capacity extension given as nested parts', () => {
    const loc = location();
    const out = applyFhirPathPatch(loc, patch(operation('add', 'Location', [
      { name: 'name', valueString: 'extension' },
      { name: 'value', part: capacityParts(AVAILABLE, 12) },
    ])));
    const ext = out.extension as unknown[];
    assert.equal(ext.length, 3);
    assert.deepEqual(ext[2], capacityExtension(AVAILABLE, 12));
    // What the nb-capacity and capacity-status search parameters of the IG read from it.
    const base = `Location.extension.where(url='${CAPACITY}')`;
    assert.deepEqual(eval1(out, `${base}.extension.where(url='nbCapacity').value`), [12]);
    assert.deepEqual(eval1(out, `${base}.extension.where(url='capacityStatus').value.coding.code`), ['02']);
    assert.equal((location().extension as unknown[]).length, 2);
  });

  test('delete capacity records selected with where(...)', () => {
    const loc = locationWithCapacities();
    const closed = `Location.extension.where(url='${CAPACITY}').where(extension.where(url='capacityStatus').value.coding.code = '05')`;
    const out = applyFhirPathPatch(loc, patch(operation('delete', closed)));
    const records = eval1(out, `Location.extension.where(url='${CAPACITY}')`);
    assert.deepEqual(records, [capacityExtension(AVAILABLE, 12)]);
    assert.equal((out.extension as unknown[]).length, 3, 'commune and creation-date extensions kept');

    // Deleting what is no longer there is not an error.
    const again = applyFhirPathPatch(out, patch(operation('delete', closed)));
    assert.deepEqual(again, out);

    // A path matching several records is an error: delete takes one element.
    rejects(() => applyFhirPathPatch(loc, patch(operation('delete', `Location.extension.where(url='${CAPACITY}')`))),
      422, 'Parameters.parameter[0]', 'multiple-matches');
  });

  test('replace all capacity data: delete each record then add the new one, in one patch', () => {
    const loc = locationWithCapacities();
    const byStatus = (code: string) =>
      `Location.extension.where(url='${CAPACITY}').where(extension.where(url='capacityStatus').value.coding.code = '${code}')`;
    const out = applyFhirPathPatch(loc, patch(
      operation('delete', byStatus('02')),
      operation('delete', byStatus('05')),
      operation('add', 'Location', [{ name: 'name', valueString: 'extension' }, { name: 'value', part: capacityParts(AVAILABLE, 4) }]),
    ));
    assert.deepEqual(eval1(out, `Location.extension.where(url='${CAPACITY}').extension.where(url='nbCapacity').value`), [4]);
  });

  test('update the house number: replace the ADXP extension value of the address line', () => {
    const loc = location();
    const out = applyFhirPathPatch(loc, patch(operation('replace',
      `Location.address.line[0].extension.where(url='${HOUSE_NUMBER}').value`, [{ name: 'value', valueString: '9' }])));
    const address = out.address as { line: string[]; _line: { extension: { url: string; valueString: string }[] }[] };
    assert.deepEqual(address._line[0].extension.map((e) => e.valueString), ['9', 'RUE', 'porte de Buc']);
    assert.deepEqual(address.line, ['7 rue porte de Buc']);
  });

  test('replace a street line keeps its ADXP extensions; both changed in one patch', () => {
    const out = applyFhirPathPatch(location(), patch(
      operation('replace', 'Location.address.line[0]', [{ name: 'value', valueString: '9 rue porte de Buc' }]),
      operation('replace', `Location.address.line[0].extension.where(url='${HOUSE_NUMBER}').value`,
        [{ name: 'value', valueString: '9' }]),
    ));
    assert.deepEqual(eval1(out, 'Location.address.line'), ['9 rue porte de Buc']);
    assert.deepEqual(eval1(out, `Location.address.line.extension.where(url='${HOUSE_NUMBER}').value`), ['9']);
  });

  test('add, modify and remove equipment (ror-location-equipment)', () => {
    const equipment = `Location.extension.where(url='${EQUIPMENT}')`;
    const added = applyFhirPathPatch(location(), patch(operation('add', 'Location', [
      { name: 'name', valueString: 'extension' },
      { name: 'value', part: [
        { name: 'url', valueUri: EQUIPMENT },
        { name: 'extension', part: [{ name: 'url', valueUri: 'equipmentType' },
          { name: 'value', valueCodeableConcept: cc('TRE_R212-Equipement', '003', 'Angioscope') }] },
        { name: 'extension', part: [{ name: 'url', valueUri: 'nbInService' }, { name: 'value', valueInteger: 2 }] },
      ] },
    ])));
    assert.deepEqual(eval1(added, `${equipment}.extension.where(url='equipmentType').value.coding.code`), ['003']);

    const modified = applyFhirPathPatch(added, patch(operation('replace',
      `${equipment}.extension.where(url='nbInService').value`, [{ name: 'value', valueInteger: 3 }])));
    assert.deepEqual(eval1(modified, `${equipment}.extension.where(url='nbInService').value`), [3]);

    const removed = applyFhirPathPatch(modified, patch(operation('delete', equipment)));
    assert.deepEqual(removed, location());
  });
});

describe('FHIRPath Patch — operations', () => {
  test('insert at an index, at the end, and into an empty list', () => {
    const hc = cc('TRE_R213-ModePriseEnCharge', '28', 'Hospitalisation complète (HC)');
    const out = applyFhirPathPatch(healthcareService(), patch(
      operation('insert', 'HealthcareService.characteristic', [{ name: 'value', valueCodeableConcept: hc }, { name: 'index', valueInteger: 1 }]),
      operation('insert', 'HealthcareService.telecom', [
        { name: 'value', valueContactPoint: { system: 'phone', value: '0199999999' } }, { name: 'index', valueInteger: 0 }]),
    ));
    assert.deepEqual((out.characteristic as { coding: { code: string }[] }[]).map((c) => c.coding[0].code), ['04', '28', '02']);
    assert.deepEqual(out.telecom, [{ system: 'phone', value: '0199999999' }]);

    const end = applyFhirPathPatch(healthcareService(), patch(operation('insert', 'HealthcareService.characteristic',
      [{ name: 'value', valueCodeableConcept: hc }, { name: 'index', valueInteger: 2 }])));
    assert.equal((end.characteristic as unknown[]).length, 3);
    assert.deepEqual((end.characteristic as unknown[])[2], hc);

    rejects(() => applyFhirPathPatch(healthcareService(), patch(operation('insert', 'HealthcareService.characteristic',
      [{ name: 'value', valueCodeableConcept: hc }, { name: 'index', valueInteger: 3 }]))), 422, 'Parameters.parameter[0]');
  });

  test('insert into a list of primitives with extensions keeps the _ list aligned', () => {
    const out = applyFhirPathPatch(location(), patch(operation('insert', 'Location.address.line',
      [{ name: 'value', valueString: 'Bâtiment B' }, { name: 'index', valueInteger: 0 }])));
    const address = out.address as { line: string[]; _line: unknown[] };
    assert.deepEqual(address.line, ['Bâtiment B', '7 rue porte de Buc']);
    assert.equal(address._line.length, 2);
    assert.equal(address._line[0], null);
    assert.deepEqual(eval1(out, `Location.address.line[1].extension.where(url='${HOUSE_NUMBER}').value`), ['7']);
  });

  test('add a primitive with its own extensions (_valueString), then move it: the _ list follows', () => {
    const added = applyFhirPathPatch(location(), patch(operation('add', 'Location.address', [
      { name: 'name', valueString: 'line' },
      { name: 'value', valueString: 'Résidence Les Tilleuls', _valueString: { extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-additionalLocator', valueString: 'Résidence Les Tilleuls' }] } },
    ])));
    const address = added.address as { line: string[]; _line: { extension: { url: string }[] }[] };
    assert.deepEqual(address.line, ['7 rue porte de Buc', 'Résidence Les Tilleuls']);
    assert.equal(address._line[1].extension[0].url, 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-additionalLocator');

    const moved = applyFhirPathPatch(added, patch(operation('move', 'Location.address.line', [
      { name: 'source', valueInteger: 1 }, { name: 'destination', valueInteger: 0 }])));
    assert.deepEqual(eval1(moved, 'Location.address.line'), ['Résidence Les Tilleuls', '7 rue porte de Buc']);
    assert.deepEqual(eval1(moved, `Location.address.line[1].extension.where(url='${HOUSE_NUMBER}').value`), ['7']);
    assert.deepEqual(eval1(moved, 'Location.address.line[0].extension.url'),
      ['http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-additionalLocator']);
  });

  test('move within a list (remove at source, insert at destination)', () => {
    const out = applyFhirPathPatch(healthcareService(), patch(operation('move', 'HealthcareService.availableTime', [
      { name: 'source', valueInteger: 6 }, { name: 'destination', valueInteger: 0 }])));
    assert.deepEqual(eval1(out, 'HealthcareService.availableTime.daysOfWeek'), ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);

    const back = applyFhirPathPatch(out, patch(operation('move', 'HealthcareService.availableTime', [
      { name: 'source', valueInteger: 0 }, { name: 'destination', valueInteger: 6 }])));
    assert.deepEqual(back, healthcareService());

    rejects(() => applyFhirPathPatch(healthcareService(), patch(operation('move', 'HealthcareService.availableTime', [
      { name: 'source', valueInteger: 7 }, { name: 'destination', valueInteger: 0 }]))), 422, 'Parameters.parameter[0]');
  });

  test('add to an element found by where(), and add a primitive\'s extension (name carrying the choice type)', () => {
    const out = applyFhirPathPatch(location(), patch(
      operation('add', `Location.extension.where(url='${SD}ror-meta-creation-date')`, [
        { name: 'name', valueString: 'id' }, { name: 'value', valueString: 'creation' }]),
      operation('add', 'Location.address.line[0]', [
        { name: 'name', valueString: 'extension' },
        { name: 'value', part: [
          { name: 'url', valueUri: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-buildingNumberSuffix' },
          { name: 'valueString', valueString: 'bis' },
        ] },
      ]),
    ));
    assert.deepEqual(eval1(out, `Location.extension.where(url='${SD}ror-meta-creation-date').id`), ['creation']);
    const line = (out.address as { _line: { extension: Record<string, string>[] }[] })._line[0];
    assert.deepEqual(line.extension[3], { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-buildingNumberSuffix', valueString: 'bis' });
  });

  test('add a single-valued element that is absent; refuse it when present', () => {
    const out = applyFhirPathPatch(location(), patch(operation('add', 'Location', [
      { name: 'name', valueString: 'name' }, { name: 'value', valueString: 'Hébergement Versailles' }])));
    assert.equal(out.name, 'Hébergement Versailles');
    rejects(() => applyFhirPathPatch(healthcareService(), patch(operation('add', 'HealthcareService', [
      { name: 'name', valueString: 'name' }, { name: 'value', valueString: 'Autre nom' }]))), 422, 'Parameters.parameter[0]');
  });

  test('replace a complex element, a primitive, and a choice value changing type', () => {
    const out = applyFhirPathPatch(healthcareService(), patch(
      operation('replace', 'HealthcareService.providedBy', [{ name: 'value', valueReference: { reference: 'Organization/750712184-750000523' } }]),
      operation('replace', 'HealthcareService.name', [{ name: 'value', valueString: 'Chirurgie gynécologique - HC' }]),
      operation('replace', `HealthcareService.extension.where(url='${SD}ror-meta-creation-date').value`,
        [{ name: 'value', valueDate: '2017-11-27' }]),
    ));
    assert.deepEqual(out.providedBy, { reference: 'Organization/750712184-750000523' });
    assert.equal(out.name, 'Chirurgie gynécologique - HC');
    assert.deepEqual((out.extension as unknown[])[2], { url: `${SD}ror-meta-creation-date`, valueDate: '2017-11-27' });
  });

  test('replace the narrative: Narrative.div written without escaping the div keyword', () => {
    const div = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Chirurgie gynécologique — hospitalisation complète</p></div>';
    const out = applyFhirPathPatch(healthcareService(), patch(operation('replace', 'HealthcareService.text.div',
      [{ name: 'value', valueString: div }])));
    assert.deepEqual(out.text, { status: 'extensions', div });
  });

  test('delete a primitive of a list removes its _ sibling too; empty containers disappear', () => {
    const out = applyFhirPathPatch(location(), patch(operation('delete', 'Location.address.line[0]')));
    assert.deepEqual(out.address, { city: 'Versailles', postalCode: '78000' });

    const noExt = applyFhirPathPatch(location(), patch(
      operation('delete', 'Location.address.line[0].extension[0]'),
      operation('delete', 'Location.address.line[0].extension[0]'),
      operation('delete', 'Location.address.line[0].extension[0]'),
    ));
    assert.deepEqual(noExt.address, { line: ['7 rue porte de Buc'], city: 'Versailles', postalCode: '78000' });

    const single = applyFhirPathPatch(healthcareService(), patch(operation('delete', 'HealthcareService.location')));
    assert.equal('location' in single, false);
  });

  test('an empty Parameters changes nothing', () => {
    assert.deepEqual(applyFhirPathPatch(location(), { resourceType: 'Parameters' }), location());
  });
});

describe('FHIRPath Patch — errors', () => {
  const hs = healthcareService();

  test('malformed patch documents are 400 with the parameter in error', () => {
    rejects(() => applyFhirPathPatch(hs, { resourceType: 'Bundle' }), 400, 'Parameters');
    rejects(() => applyFhirPathPatch(hs, patch(operation('patch', 'HealthcareService'))), 400, 'Parameters.parameter[0]', 'invalid');
    rejects(() => applyFhirPathPatch(hs, patch({ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }] })),
      400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(
      operation('delete', 'HealthcareService.telecom'),
      operation('add', 'HealthcareService', [{ name: 'value', valueString: 'x' }]),
    )), 400, 'Parameters.parameter[1]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('add', 'HealthcareService', [{ name: 'name', valueString: 'comment' }]))),
      400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService.name', [{ name: 'value', valueFoo: 'x' }]))),
      400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService.name', [{ name: 'value', valueString: 12 }]))),
      400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('delete', 'HealthcareService.name..where('))), 400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('insert', 'HealthcareService.characteristic', [
      { name: 'value', valueCodeableConcept: { text: 'x' } }, { name: 'index', valueInteger: -1 }]))), 400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('delete', 'HealthcareService.name', [{ name: 'index', valueInteger: 0 }]))),
      400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch({ name: 'op', part: [] })), 400, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(...Array.from({ length: 1001 }, () => operation('delete', 'HealthcareService.comment')))),
      400, 'Parameters', 'too-long');
    rejects(() => applyFhirPathPatch(hs, patch(operation('delete', `HealthcareService${'.extension'.repeat(500)}`))),
      400, 'Parameters.parameter[0]');
  });

  test('replace a path matching nothing or several elements is 422', () => {
    rejects(() => applyFhirPathPatch(hs, patch(
      operation('replace', 'HealthcareService.name', [{ name: 'value', valueString: 'ok' }]),
      operation('replace', 'HealthcareService.comment', [{ name: 'value', valueString: 'absent' }]),
    )), 422, 'Parameters.parameter[1]', 'not-found');
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService.characteristic',
      [{ name: 'value', valueCodeableConcept: { text: 'x' } }]))), 422, 'Parameters.parameter[0]', 'multiple-matches');
    rejects(() => applyFhirPathPatch(hs, patch(operation('add', 'HealthcareService.telecom', [
      { name: 'name', valueString: 'value' }, { name: 'value', valueString: 'x' }]))), 422, 'Parameters.parameter[0]', 'not-found');
  });

  test('wrong types and unknown elements are 422', () => {
    rejects(() => applyFhirPathPatch(hs, patch(operation('add', 'HealthcareService', [
      { name: 'name', valueString: 'location' }, { name: 'value', valueString: 'Location/1' }]))), 422, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('add', 'HealthcareService', [
      { name: 'name', valueString: 'capacity' }, { name: 'value', valueInteger: 3 }]))), 422, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService.name',
      [{ name: 'value', valueCodeableConcept: { text: 'x' } }]))), 422, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('add', 'HealthcareService', [
      { name: 'name', valueString: 'availableTime' }, { name: 'value', valueString: 'lundi' }]))), 422, 'Parameters.parameter[0]');
    // A sub-part naming an element the Extension type does not have.
    rejects(() => applyFhirPathPatch(location(), patch(operation('add', 'Location', [
      { name: 'name', valueString: 'extension' },
      { name: 'value', part: [{ name: 'url', valueUri: CAPACITY }, { name: 'capacity', valueInteger: 3 }] }]))),
    422, 'Parameters.parameter[0]');
  });

  test('a patch may not change the id or resourceType, nor delete or replace the whole resource', () => {
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService.id', [{ name: 'value', valueId: 'other' }]))),
      422, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('delete', 'HealthcareService'))), 422, 'Parameters.parameter[0]');
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService',
      [{ name: 'value', resource: { resourceType: 'HealthcareService', id: '1234564' } }]))), 422, 'Parameters.parameter[0]');
  });

  test('computed values are not elements of the resource', () => {
    rejects(() => applyFhirPathPatch(hs, patch(operation('replace', 'HealthcareService.name.upper()',
      [{ name: 'value', valueString: 'X' }]))), 422, 'Parameters.parameter[0]');
  });

  test('a failing operation leaves the input untouched', () => {
    const before = JSON.stringify(hs);
    assert.throws(() => applyFhirPathPatch(hs, patch(
      operation('delete', 'HealthcareService.characteristic[0]'),
      operation('replace', 'HealthcareService.comment', [{ name: 'value', valueString: 'absent' }]),
    )), FhirError);
    assert.equal(JSON.stringify(hs), before);
  });
});
