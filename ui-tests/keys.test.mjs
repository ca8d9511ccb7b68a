// Browser test of the dashboard on a server with API keys, as a person would use it: keys made with
// `spillway keys create` beside the running server; the page asks for a key, says when one is
// wrong, shows a tenant's own jobs only (the totals hidden, saying why), forgets the key, and with
// an admin key shows the totals and every tenant's jobs, filtered by tenant. Screenshots in
// ui-tests/artifacts/. Run: npm test (after npm install), from this folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, here, launch, serve, stop, waitFor } from './support.mjs';

function createKey(data, tenant, ...more) {
  return execFileSync(join(here, '..', 'spillway'), ['keys', 'create', '--data-dir', data, '--tenant', tenant,
    '--name', 'ui-test', ...more], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

async function submit(base, key, text) {
  const r = await fetch(base + '/v1/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json',
    Authorization: 'Bearer ' + key }, body: JSON.stringify({ task: 'echo', input: { text } }) });
  const json = await r.json();
  if (r.status !== 202) throw new Error('submit answered ' + r.status + ': ' + json.detail);
  return json.job_id;
}

const port = await freePort();
const base = 'http://127.0.0.1:' + port;
const data = mkdtempSync(join(tmpdir(), 'spillway-keys-ui-'));
let server;
let browser;
let failed = false;
try {
  server = serve(port, data);
  await waitFor('the server', async () => (await fetch(base + '/healthz')).ok, 120000);
  const acme = createKey(data, 'acme');
  const beta = createKey(data, 'beta');
  const admin = createKey(data, 'ops', '--scopes', 'admin');
  await waitFor('keys to be required', async () => (await fetch(base + '/v1/jobs')).status === 401, 10000);
  const acmeJob = await submit(base, acme, 'of acme');
  const betaJob = await submit(base, beta, 'of beta');

  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  mkdirSync(join(here, 'artifacts'), { recursive: true });

  // 1. the page asks for a key, and says when one does not work
  await page.goto(base + '/ui');
  await page.waitForSelector('#key-form:not([hidden])', { timeout: 10000 });
  await page.screenshot({ path: join(here, 'artifacts', 'keys-prompt.png') });
  await page.fill('#key-input', 'spw_aaaaaaaaaaaa_' + 'A'.repeat(32));
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#key-error:not([hidden])', { timeout: 10000 });
  const why = await page.textContent('#key-error');
  if (!why.includes('not valid')) throw new Error('a wrong key should say so, the page says: ' + why);

  // 2. a tenant's key: its own jobs only, the totals hidden and saying why
  await page.fill('#key-input', acme);
  await page.click('#key-form button[type=submit]');
  await waitFor('acme\'s job in the table', async () => await page.locator(`#jobs tbody tr[data-id="${acmeJob}"]`).count() === 1);
  await page.waitForSelector('#totals-note:not([hidden])', { timeout: 10000 });
  if (await page.locator(`#jobs tbody tr[data-id="${betaJob}"]`).count() !== 0) throw new Error('acme sees beta\'s job');
  if (!(await page.isHidden('#totals'))) throw new Error('the totals show for a key without the metrics scope');
  const stored = await page.evaluate(() => document.cookie);
  if (stored !== '') throw new Error('the page set a cookie: ' + stored);
  await page.screenshot({ path: join(here, 'artifacts', 'keys-tenant.png') });

  // 3. forgetting the key asks again; an admin key sees totals and every tenant, filtered by tenant
  await page.click('#forget-key');
  await page.waitForSelector('#key-form:not([hidden])', { timeout: 10000 });
  await page.fill('#key-input', admin);
  await page.click('#key-form button[type=submit]');
  await waitFor('both tenants\' jobs', async () => await page.locator(`#jobs tbody tr[data-id="${acmeJob}"]`).count() === 1
    && await page.locator(`#jobs tbody tr[data-id="${betaJob}"]`).count() === 1);
  await page.waitForSelector('#totals:not([hidden])', { timeout: 10000 });
  const tenantCell = await page.locator(`#jobs tbody tr[data-id="${betaJob}"] td`).nth(1).textContent();
  if (tenantCell !== 'beta') throw new Error('the tenant column says ' + tenantCell);
  await page.fill('#filter-tenant', 'beta');
  await waitFor('the filter to leave beta\'s jobs only', async () =>
    await page.locator(`#jobs tbody tr[data-id="${acmeJob}"]`).count() === 0
    && await page.locator(`#jobs tbody tr[data-id="${betaJob}"]`).count() === 1);
  await page.screenshot({ path: join(here, 'artifacts', 'keys-admin.png') });
  if (errors.length) throw new Error('errors on the page: ' + errors.join('; '));
  console.log('keys test: ok (screenshots in ui-tests/artifacts/)');
} catch (e) {
  failed = true;
  console.error('keys test failed:', e);
} finally {
  if (browser) await browser.close();
  if (server) await stop(server);
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
