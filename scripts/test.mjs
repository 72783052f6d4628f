#!/usr/bin/env node
// The project's test command: type-check, then every *.test.ts under src/ and test/ with node's runner.
// Integration suites run on embedded PGlite and on the PostgreSQL server (see src/testing/databases.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2);

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : findTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

if (!only.length) {
  // The server and tests, then the web app (its own tsconfig: DOM, bundler resolution).
  for (const project of [root, path.join(root, 'web')]) {
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project], { stdio: 'inherit' });
    if (tsc.status !== 0) {
      console.error(`Type check failed (${path.relative(root, project) || '.'}).`);
      process.exit(tsc.status ?? 1);
    }
  }
}

const files = only.length ? only : [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].sort();

// Browser suites run two at a time: build the web app once, before them, rather than let two of them build
// it into dist/web at the same moment (one would serve the files the other is rewriting).
if (files.some((f) => f.includes(`${path.sep}browser${path.sep}`) || f.startsWith('test/browser'))) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-web.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
// One migrated database per engine for the whole run, copied by each integration suite (src/testing/prepare-databases.ts).
const prepareScript = path.join(root, 'src/testing/prepare-databases.ts');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-test-'));
const template = `ror_test_template_${process.pid}_${Date.now().toString(36)}`;
const prepared = spawnSync(process.execPath, ['--import', 'tsx', prepareScript, 'prepare', path.join(scratch, 'pglite.tar'), template], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
// It prints the environment that tells the suites what it made.
const env = { ...process.env };
if (prepared.status === 0) {
  Object.assign(env, JSON.parse(prepared.stdout.trim().split('\n').pop()));
} else {
  console.error('Could not prepare the migrated test databases: each suite migrates its own.');
}

// A test waiting on something that never comes, or a test file whose tests are done but which keeps a handle open (a
// timer, a socket), would hold the run for ever: the file fails, named, after 15 minutes (the timeout is per file; the
// longest takes ≈ 2.5 min here) instead of exhausting CI's time. Not --test-force-exit: it ends a file as soon as the
// tests it has declared so far are done, before the suites it declares after an await (most of ours) have run.
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.ROR_TEST_CONCURRENCY ?? 2}`,
    `--test-timeout=${process.env.ROR_TEST_TIMEOUT_MS ?? 900_000}`, ...files,
  ],
  { stdio: 'inherit', cwd: root, env },
);
if (env.ROR_TEST_PG_TEMPLATE === template) spawnSync(process.execPath, ['--import', 'tsx', prepareScript, 'drop', template], { cwd: root, stdio: 'inherit' });
fs.rmSync(scratch, { recursive: true, force: true });
process.exit(r.status ?? 1);
