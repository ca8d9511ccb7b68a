// Browser test of the dashboard, as a person would use it: Playwright drives the system's
// headless Chromium against a real `spillway serve`. It watches the charts move while jobs run,
// cancels a pending job and sees its status change, retries it, and saves a screenshot in
// ui-tests/artifacts/. Run: npm test (after npm install), from this folder.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitFor(what, check, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for ' + what + (last ? ': ' + last.message : ''));
}

async function post(base, path, body) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                      body: body === undefined ? '' : JSON.stringify(body) });
  const json = await r.json();
  if (r.status >= 300) throw new Error(path + ' answered ' + r.status + ': ' + json.detail);
  return json;
}

const port = await freePort();
const base = 'http://127.0.0.1:' + port;
const data = mkdtempSync(join(tmpdir(), 'spillway-ui-'));
const server = spawn(join(here, '..', 'spillway'),
  ['serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', data, '--max-in-flight', '1',
   '--drain-timeout-seconds', '0'], { stdio: ['ignore', 'inherit', 'inherit'] });
let browser;
let failed = false;
try {
  await waitFor('the server', async () => (await fetch(base + '/healthz')).ok, 120000);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/ui');
  await page.waitForSelector('#status:text("live")');

  // 1. the charts move while jobs run
  const load = (async () => {
    for (let i = 0; i < 60; i++) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => post(base, '/v1/jobs', { task: 'echo', input: { i, k } })));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await waitFor('throughput above zero on the dashboard',
    async () => Number(await page.getAttribute('#tile-throughput', 'data-value')) > 0);
  await waitFor('the throughput chart to draw points',
    async () => Number(await page.getAttribute('#chart-throughput', 'data-points')) >= 3);
  await load;
  await waitFor('a completed echo job in the table',
    async () => (await page.locator('#jobs tbody tr[data-status="completed"]').count()) > 0);

  // 2. cancel a pending job: a long job holds the only slot, so the next one waits
  await post(base, '/v1/jobs', { task: 'sleep', input: { ms: 8000 } });
  const pending = await post(base, '/v1/jobs', { task: 'echo', input: { cancel: 'me' } });
  await page.selectOption('#filter-status', 'pending');
  const row = page.locator(`#jobs tbody tr[data-id="${pending.job_id}"]`);
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await page.waitForSelector('#cancel:visible');
  await page.click('#cancel');
  await page.waitForSelector('#detail-fields dd[data-field="status"]:text("cancelled")');
  await page.selectOption('#filter-status', 'cancelled');
  await page.locator(`#jobs tbody tr[data-id="${pending.job_id}"][data-status="cancelled"]`).waitFor({ timeout: 10000 });

  // 3. retry it: a new job with the same input
  await page.click('#retry');
  await waitFor('the retried job to be shown', async () => (await page.textContent('#detail-id')) !== pending.job_id);
  const input = await page.textContent('#detail-input');
  if (!input.includes('"cancel": "me"')) throw new Error('the retried job has another input: ' + input);

  mkdirSync(join(here, 'artifacts'), { recursive: true });
  await page.screenshot({ path: join(here, 'artifacts', 'job-detail.png') });
  await page.click('#close');
  await page.selectOption('#filter-status', '');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(here, 'artifacts', 'dashboard.png') });
  if (errors.length) throw new Error('errors in the page: ' + errors.join('; '));
  console.log('dashboard test: ok (screenshots in ui-tests/artifacts/)');
} catch (e) {
  failed = true;
  console.error('dashboard test: FAILED: ' + e.message);
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
