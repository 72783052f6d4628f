// The account, application and audit commands on an embedded database: secrets shown once,
// never listed, administration in the audit trail. One run goes through the real `ror` binary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCommands } from '../cli/commands/index.ts';
import type { Command } from '../cli/command.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-cli-security-'));
let commands: Command[];
const saved = { dataDir: process.env.ROR_DATA_DIR, url: process.env.DATABASE_URL };

/** Runs a command in this process, with its printed output. */
async function ror(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = (await commands.find((c) => c.name === args[0])!.run(args.slice(1))) ?? 0;
    return { code, out: out.join('\n'), err: err.join('\n') };
  } catch (e) {
    return { code: 1, out: out.join('\n'), err: [...err, (e as Error).message].join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('ror user | app | audit', () => {
  before(async () => {
    process.env.ROR_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    commands = await loadCommands();
  });
  after(() => {
    process.env.ROR_DATA_DIR = saved.dataDir;
    if (saved.url) process.env.DATABASE_URL = saved.url;
    if (saved.dataDir === undefined) delete process.env.ROR_DATA_DIR;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('user add without password prints a generated one once; list shows no secret; disable', async () => {
    const add = await ror(['user', 'add', '--email', 'Referent@Example.fr', '--role', 'referent', '--org', 'eg-a', '--name', 'Référente A']);
    assert.equal(add.code, 0, add.err);
    const generated = /Mot de passe généré[^:]*: (\S+)/.exec(add.out)?.[1];
    assert.ok(generated && generated.length >= 20, add.out);
    const bad = await ror(['user', 'add', '--email', 'x@example.fr', '--role', 'regional-admin']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /région/);
    assert.equal((await ror(['user', 'disable', '--email', 'referent@example.fr'])).code, 0);
    const list = await ror(['user', 'list']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /referent@example\.fr\s+referent\s+eg-a\s+oui/);
    assert.ok(!list.out.includes(generated!) && !list.out.includes('argon2'));
  });

  test('app add prints its secret once; list and revoke; audit shows the administration, no secret', async () => {
    const add = await ror(['app', 'add', '--name', 'Via Trajectoire', '--profile', '2', '--client-id', 'via-trajectoire', '--scope', 'fhir.read']);
    assert.equal(add.code, 0, add.err);
    const secret = /client_secret : (\S+)/.exec(add.out)?.[1];
    assert.ok(secret && secret.length >= 40);
    assert.notEqual((await ror(['app', 'add', '--name', 'x', '--profile', '7'])).code, 0);
    assert.equal((await ror(['app', 'revoke', 'via-trajectoire'])).code, 0);
    const list = await ror(['app', 'list']);
    assert.match(list.out, /via-trajectoire\s+Via Trajectoire\s+2\s+fhir\.read\s+oui/);
    assert.ok(!list.out.includes(secret!));

    const audit = await ror(['audit', '--json', '--limit', '10']);
    assert.equal(audit.code, 0, audit.err);
    const rows = audit.out.trim().split('\n').map((l) => JSON.parse(l) as { action: string });
    // Newest first: the four administration acts, then what the migrations wrote (the entry templates).
    assert.deepEqual(rows.slice(0, 4).map((r) => r.action), ['app-revoke', 'app-add', 'user-disable', 'user-add']);
    assert.ok(rows.slice(4).every((r) => r.action === 'create'), JSON.stringify(rows.slice(4)));
    assert.ok(!audit.out.includes(secret!));
    assert.equal((await ror(['audit', '--actor', 'personne'])).out, '(aucun)');
    assert.notEqual((await ror(['audit', '--since', 'hier'])).code, 0);
  });

  test('the ror binary reads a password from standard input, never printing it', () => {
    const env = { ...process.env, ROR_DATA_DIR: dataDir, ROR_DEMO: '0' };
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/ror.js'), 'user', 'add', '--email', 'ars@example.fr', '--role', 'regional-admin', '--region', '11', '--password-stdin'],
      { env, input: 'un-mot-de-passe-fourni\n', encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Compte créé : ars@example\.fr \(regional-admin/);
    assert.ok(!r.stdout.includes('un-mot-de-passe-fourni') && !r.stdout.includes('généré'));
  });
});
