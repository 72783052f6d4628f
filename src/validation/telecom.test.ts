import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { completedHealthcareService, errorsOf, professional, realTerminology, rorTelecom } from './fixtures.ts';
import { validateResource } from './index.ts';
import { rorExt } from './profiles/urls.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});
const validate = (r: Resource) => validateResource(r, terminology);

/** Telecom values: phone numbers, e-mail addresses and MSSanté boxes checked against their system. */
describe('telecom values', () => {
  const withTelecom = (system: string, value: string): Resource => {
    const ps = professional() as Resource & Record<string, any>;
    ps.telecom = [{ ...rorTelecom(value, system === 'phone' ? '2' : '3'), system }];
    return ps;
  };

  test('valid phone numbers and MSS boxes pass', () => {
    for (const [system, value] of [['phone', '01 30 94 12 12'], ['phone', '+33130941212'], ['phone', '15'], ['email', 'jeanne.martin@masseur-kinesitherapeute.mssante.fr']]) {
      assert.deepEqual(errorsOf(validate(withTelecom(system, value))), [], value);
    }
  });

  test('a wrong phone number is an error on its telecom, in French', () => {
    const errors = errorsOf(validate(withTelecom('phone', '01 30 94')));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Practitioner.telecom[0]');
    assert.match(errors[0].fr, /n'est pas un numéro de téléphone valide/);
  });

  test('an e-mail that is not one, and a plain e-mail where an MSS box is expected', () => {
    assert.match(errorsOf(validate(withTelecom('email', 'jeanne.martin@')))[0].fr, /n'est pas une adresse électronique valide/);
    const notMss = errorsOf(validate(withTelecom('email', 'jeanne.martin@gmail.com')));
    assert.equal(notMss.length, 1);
    assert.match(notMss[0].fr, /messagerie sécurisée de santé/);
  });

  test('an offer contact telecomAddress must be a phone or an e-mail', () => {
    const hs = completedHealthcareService() as Resource & Record<string, any>;
    const contact = hs.extension.find((e: { url: string }) => e.url === rorExt('ror-healthcareservice-contact'));
    const tel = contact.extension.find((e: { url: string }) => e.url === rorExt('ror-healthcareservice-contact-telecom'));
    const address = tel.extension.find((e: { url: string }) => e.url === 'telecomAddress');
    assert.deepEqual(errorsOf(validate(hs)), []);
    address.valueString = '01 30 AB';
    const errors = errorsOf(validate(hs));
    assert.equal(errors.length, 1);
    assert.match(errors[0].fr, /ni un numéro de téléphone ni une adresse électronique/);
  });
});
