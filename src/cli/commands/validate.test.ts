import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { completedHealthcareService, example } from '../../validation/fixtures.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

function ror(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/ror.js'), 'validate', ...args], { encoding: 'utf8', cwd: ROOT });
}

describe('ror validate', () => {
  test('NDJSON: each line checked, errors in French with their path, exit code 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-validate-'));
    const file = path.join(dir, 'offres.ndjson');
    const broken = completedHealthcareService() as Record<string, any>;
    delete broken.providedBy;
    fs.writeFileSync(file, [completedHealthcareService(), broken, example('Task-ror-task-exemple')].map((r) => JSON.stringify(r)).join('\n'));
    const r = ror(file);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`✔ ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1 HealthcareService/1234564`));
    assert.match(r.stdout, /✖ .*:2 HealthcareService\/1234564\n {2}error {7}HealthcareService\.providedBy\n {14}La structure porteuse de l'offre est obligatoire/);
    assert.match(r.stderr, /3 ressource\(s\) vérifiée\(s\), 1 en erreur/);
  });

  test('a valid file: exit code 0; --json gives OperationOutcomes', () => {
    const r = ror('--json', path.join(ROOT, '../shared/spec/ror-ig/examples/Task-ror-task-exemple.json'));
    assert.equal(r.status, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim());
    assert.equal(line.outcome.resourceType, 'OperationOutcome');
    assert.deepEqual(line.outcome.issue, []);
  });
});
