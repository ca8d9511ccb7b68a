// Browser test of what a page of another origin can do to Spillway, as an attacker's page would try
// it in a victim's browser: `no-cors` fetches that submit a job, a plain HTML form that cancels
// one, and an iframe of the dashboard (clickjacking). Playwright drives the system's headless
// Chromium; the other origin is a small server of this test on another port. Nothing may change,
// and the frame must stay empty. Screenshot in ui-tests/artifacts/cross-origin.png.
// Run: npm test (after npm install), from this folder.
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, here, launch, serve, stop, waitFor } from './support.mjs';

const port = await freePort();
const base = 'http://127.0.0.1:' + port;
const data = mkdtempSync(join(tmpdir(), 'spillway-xo-'));
let server;
let browser;
let other;
let failed = false;

async function jobs() {
  return (await (await fetch(base + '/v1/jobs?limit=100')).json()).jobs;
}

function page(body) {
  return '<!doctype html><html><head><meta charset="utf-8"><title>other origin</title></head><body>' + body + '</body></html>';
}

try {
  server = serve(port, data, ['--workers', 'false']); // jobs stay pending: a cancel would show
  await waitFor('the server', async () => (await fetch(base + '/healthz')).ok, 120000);
  const victim = await (await fetch(base + '/v1/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ task: 'echo', input: { mine: true } }) })).json();
  const before = (await jobs()).length;

  const otherPort = await freePort();
  const otherBase = 'http://127.0.0.1:' + otherPort;
  other = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.url === '/attack') {
      res.end(page(`
        <iframe name="sink" style="display:none"></iframe>
        <form id="cancel" method="POST" action="${base}/v1/jobs/${victim.job_id}/cancel" target="sink"></form>
        <script>
          const forged = '{"task": "echo", "input": {"forged": true}}';
          // as text, and as a blob without a type: a request with no Content-Type at all
          Promise.allSettled([
            fetch('${base}/v1/jobs', { method: 'POST', mode: 'no-cors', body: forged }),
            fetch('${base}/v1/jobs', { method: 'POST', mode: 'no-cors', body: new Blob([forged]) }),
          ]).finally(() => { document.getElementById('cancel').submit(); setTimeout(() => { document.title = 'done'; }, 1500); });
        </script>`));
    } else if (req.url === '/frame') {
      res.end(page(`<p>framing the dashboard and, for comparison, a page of this origin:</p>
        <iframe name="dashboard" src="${base}/ui" width="600" height="300"></iframe>
        <iframe name="control" src="${otherBase}/control" width="300" height="100"></iframe>`));
    } else {
      res.end(page('<p id="status">a frame that loads</p>'));
    }
  });
  await new Promise((r) => other.listen(otherPort, '127.0.0.1', r));

  browser = await launch();
  const tab = await browser.newPage({ viewport: { width: 1000, height: 500 } });

  // 1. a forged submit and a forged cancel
  await tab.goto(otherBase + '/attack');
  await tab.waitForFunction(() => document.title === 'done', null, { timeout: 15000 });
  const after = await jobs();
  if (after.length !== before) throw new Error('a page of another origin created a job: ' + after.length + ' jobs, not ' + before);
  const status = (await (await fetch(base + '/v1/jobs/' + victim.job_id)).json()).status;
  if (status !== 'pending') throw new Error('a page of another origin cancelled a job: it is ' + status);

  // 2. the dashboard in a frame of another origin stays empty; a frame of that origin loads
  await tab.goto(otherBase + '/frame');
  const control = tab.frame({ name: 'control' });
  await control.waitForSelector('#status', { timeout: 10000 });
  await tab.waitForTimeout(1500);
  const framed = tab.frame({ name: 'dashboard' });
  let shown = 0;
  try {
    shown = await framed.locator('#status').count();
  } catch (e) {
    shown = 0; // the blocked frame holds the browser's error page
  }
  mkdirSync(join(here, 'artifacts'), { recursive: true });
  await tab.screenshot({ path: join(here, 'artifacts', 'cross-origin.png') });
  if (shown !== 0) throw new Error('the dashboard rendered inside a frame of another origin');
  console.log('cross-origin test: ok (screenshot in ui-tests/artifacts/)');
} catch (e) {
  failed = true;
  console.error('cross-origin test: FAILED: ' + e.message);
} finally {
  if (browser) await browser.close();
  if (other) other.close();
  if (server) await stop(server);
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
