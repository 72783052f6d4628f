#!/usr/bin/env node
// Builds the coordinators' web app (web/ → dist/web) with Vite, after a type check of web/.
// Without --force it does nothing when dist/web is newer than every source file (what `npm start` runs first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const webDir = path.join(root, 'web');
const outIndex = path.join(root, 'dist/web/index.html');
const force = process.argv.includes('--force');

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

if (!force && fs.existsSync(outIndex)) {
  const sources = Math.max(newestMtime(webDir), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs);
  if (fs.statSync(outIndex).mtimeMs >= sources) {
    console.log('Web app up to date (dist/web).');
    process.exit(0);
  }
}

const run = (args, label) => {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`${label} failed.`);
    process.exit(r.status ?? 1);
  }
};
run([path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', path.join(webDir, 'tsconfig.json')], 'Type check of web/');
run([path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], 'Vite build');
console.log('Web app built into dist/web.');
