// Browser test of the dashboard, as a person would use it: Playwright drives the system's
// headless Chromium against a real `spillway serve`. A first server leaves a failed job in the
// store; the second, on the same data, must count it on the FAILED card. The test reaches the page
// through `/`, watches the charts move while jobs run, checks the table (whole ids, newest first,
// nothing moving under the pointer), cancels a pending job and sees its status change, retries it,
// opens a failed job and sees its error, and saves screenshots in ui-tests/artifacts/.
// Run: npm test (after npm install), from this folder.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, here, launch, serve as serveWith, stop, waitFor } from './support.mjs';

async function post(base, path, body) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                      body: body === undefined ? '' : JSON.stringify(body) });
  const json = await r.json();
  if (r.status >= 300) throw new Error(path + ' answered ' + r.status + ': ' + json.detail);
  return json;
}

// A PDF that is not one: the extract task fails it with an error that says so.
async function submitCorruptPdf(base) {
  const form = new FormData();
  form.append('file', new Blob(['%PDF-1.7\nnot a pdf at all\n'], { type: 'application/pdf' }), 'broken.pdf');
  const r = await fetch(base + '/v1/documents?task=extract', { method: 'POST', body: form });
  const json = await r.json();
  if (r.status !== 202) throw new Error('/v1/documents answered ' + r.status + ': ' + json.detail);
  return json.job_id;
}

async function awaitStatus(base, id, status) {
  const job = await (await fetch(base + '/v1/jobs/' + id + '?wait=30')).json();
  if (job.status !== status) throw new Error('job ' + id + ' is ' + job.status + ', not ' + status);
  return job;
}

function serve(port, data) {
  return serveWith(port, data, ['--max-in-flight', '1', '--drain-timeout-seconds', '0']);
}

const port = await freePort();
const base = 'http://127.0.0.1:' + port;
const data = mkdtempSync(join(tmpdir(), 'spillway-ui-'));
let server;
let browser;
let failed = false;
try {
  // 0. an earlier process leaves a failed job in the store
  const earlier = serve(port, data);
  try {
    await waitFor('the first server', async () => (await fetch(base + '/healthz')).ok, 120000);
    await awaitStatus(base, await submitCorruptPdf(base), 'failed');
  } finally {
    await stop(earlier);
  }
  server = serve(port, data);
  await waitFor('the server', async () => (await fetch(base + '/healthz')).ok, 120000);
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/');
  if (!page.url().endsWith('/ui')) throw new Error('/ did not lead to the dashboard but to ' + page.url());
  await page.waitForSelector('#status:text("live")');
  await waitFor('the FAILED card to count the failed job the store holds from the earlier process',
    async () => (await page.getAttribute('#tile-failed', 'data-value')) === '1', 10000);

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

  // the table: whole ids (jobs of one millisecond share all but the end), newest first, no duration
  // for a job that did not run to an end
  const rowIds = () => page.$$eval('#jobs tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  const newest = (await (await fetch(base + '/v1/jobs?limit=1')).json()).jobs[0].job_id;
  await waitFor('the newest job at the top of the table', async () => (await rowIds())[0] === newest, 10000);
  const shownIds = await page.$$eval('#jobs tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
  const ids = await rowIds();
  if (shownIds.join() !== ids.join()) throw new Error('the table shows cut ids: ' + shownIds.slice(0, 3));
  if (ids.join() !== [...ids].sort().reverse().join()) throw new Error('the table is not newest first: ' + ids);

  // nothing moves under the pointer: while it is on the table, new jobs are held back
  const hovered = page.locator('#jobs tbody tr').nth(3);
  const hoveredId = await hovered.getAttribute('data-id');
  await hovered.hover();
  for (let i = 0; i < 3; i++) await post(base, '/v1/jobs', { task: 'echo', input: { later: i } });
  await page.waitForSelector('#jobs-held:visible', { timeout: 10000 });
  if ((await rowIds()).join() !== ids.join()) throw new Error('rows moved under the pointer');
  if ((await page.locator('#jobs tbody tr').nth(3).getAttribute('data-id')) !== hoveredId) {
    throw new Error('another row is under the pointer');
  }
  await page.mouse.move(5, 5);
  await waitFor('the held jobs to be shown, newest first, once the pointer left', async () => {
    const now = await rowIds();
    return now.length === ids.length && now[0] > ids[0] && now.join() === [...now].sort().reverse().join();
  }, 10000);

  // 2. cancel a pending job: a long job holds the only slot, so the next one waits
  await post(base, '/v1/jobs', { task: 'sleep', input: { ms: 8000 } });
  const pending = await post(base, '/v1/jobs', { task: 'echo', input: { cancel: 'me' } });
  await waitFor('the tasks table to show the sleep job running and the echo job waiting', async () =>
    (await page.locator('#tasks tbody tr[data-task="sleep"][data-running="1"]').count()) === 1
    && (await page.locator('#tasks tbody tr[data-task="echo"] td').nth(2).textContent()) === '0 / 1 / 0', 10000);
  await page.selectOption('#filter-status', 'pending');
  const row = page.locator(`#jobs tbody tr[data-id="${pending.job_id}"]`);
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await page.waitForSelector('#cancel:visible');
  await page.click('#cancel');
  await page.waitForSelector('#detail-fields dd[data-field="status"]:text("cancelled")');
  await page.selectOption('#filter-status', 'cancelled');
  const cancelledRow = page.locator(`#jobs tbody tr[data-id="${pending.job_id}"][data-status="cancelled"]`);
  await cancelledRow.waitFor({ timeout: 10000 });
  const tookCancelled = await cancelledRow.locator('td').nth(7).textContent();
  if (tookCancelled !== '') throw new Error('a cancelled job shows a duration: ' + tookCancelled);
  if ((await page.textContent('#detail-outcome-title')) !== 'Error') throw new Error('a cancelled job shows no error');

  // 3. retry it: a new job with the same input
  await page.click('#retry');
  await waitFor('the retried job to be shown', async () => (await page.textContent('#detail-id')) !== pending.job_id);
  const input = await page.textContent('#detail-input');
  if (!input.includes('"cancel": "me"')) throw new Error('the retried job has another input: ' + input);

  // 4. a failed job says why, where a completed one shows its result
  const failedId = await submitCorruptPdf(base);
  await waitFor('the FAILED card to count both failed jobs', async () => (await page.getAttribute('#tile-failed', 'data-value')) === '2');
  await page.selectOption('#filter-status', 'failed');
  await page.locator(`#jobs tbody tr[data-id="${failedId}"]`).click();
  await waitFor('the failed job to be shown', async () => (await page.textContent('#detail-id')) === failedId);
  const title = await page.textContent('#detail-outcome-title');
  const outcome = await page.textContent('#detail-outcome');
  if (title !== 'Error' || !outcome.includes('not a valid PDF')) throw new Error('a failed job shows ' + title + ': ' + outcome);
  const tookFailed = await page.locator(`#jobs tbody tr[data-id="${failedId}"] td`).nth(7).textContent();
  if (!/^\d+ ms$/.test(tookFailed)) throw new Error('a failed job shows no duration: ' + tookFailed);

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
  if (server) await stop(server);
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
