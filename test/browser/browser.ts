/**
 * Browser test helpers: Debian's chromium driven by playwright-core (never a downloaded browser), a fresh
 * profile per run, and the built web app (built first when missing or stale).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Database } from '../../src/db/database.ts';
import { testBackends } from '../../src/testing/databases.ts';
import { startTestServer, type TestServer } from '../../src/testing/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.ROR_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, if they cannot (reported as a skip, never silently). */
export function browserUnavailable(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} missing (apt-get install chromium)`;
}

/** Runs `scripts/build-web.mjs` (a no-op when dist/web is up to date). */
export function ensureWebBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-web.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 900 },
    locale: 'fr-FR',
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/** What every browser suite works with: a fresh PGlite database, the server on it, chromium and a first page. */
export interface BrowserSuite {
  db: Database;
  server: TestServer;
  /** The server's origin, e.g. http://127.0.0.1:41234 (the web app's pages hang off it). */
  base: string;
  browser: Awaited<ReturnType<typeof launchBrowser>>;
  page: Page;
  close(): Promise<void>;
}

/**
 * The shared set-up of the browser suites: the built web app, a fresh embedded database (`prepare` writes
 * to it before the server starts), the server with `env`, the suite's fixtures (`seed`), chromium and a page.
 */
export async function openBrowserSuite(opts: {
  env?: Record<string, string>;
  prepare?: (db: Database) => Promise<void>;
  seed?: (server: TestServer) => Promise<void>;
} = {}): Promise<BrowserSuite> {
  ensureWebBuilt();
  const db = await (await testBackends()).find((b) => b.name === 'pglite')!.open();
  let server: TestServer | undefined;
  let browser: BrowserSuite['browser'] | undefined;
  try {
    await opts.prepare?.(db);
    server = await startTestServer(db, opts.env ?? {});
    await opts.seed?.(server);
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    const opened = { db, server, browser };
    return { ...opened, base: server.origin, page, close: () => closeAll(opened) };
  } catch (err) {
    await closeAll({ db, server, browser });
    throw err;
  }
}

async function closeAll(x: { db: Database; server?: TestServer; browser?: BrowserSuite['browser'] }): Promise<void> {
  await x.browser?.close();
  await x.server?.close();
  await x.db.close();
}

/** The automated accessibility check of the main pages: no serious or critical axe-core violation (WCAG 2.1 A/AA). */
export async function assertNoSeriousAxeViolation(page: Page): Promise<void> {
  const report = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = report.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`), []);
}
