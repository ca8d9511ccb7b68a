// What the browser tests share: a free port, waiting for a condition, a `spillway serve` of this
// checkout, and the system's headless Chromium.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function waitFor(what, check, timeoutMs = 30000) {
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

/** `spillway serve` on 127.0.0.1:port with its store in data; resolves child.exited when it ends. */
export function serve(port, data, args = []) {
  const child = spawn(join(here, '..', 'spillway'),
    ['serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', data, ...args],
    { stdio: ['ignore', 'inherit', 'inherit'] });
  child.exited = new Promise((r) => child.on('exit', r));
  return child;
}

/** Stops a server from serve() and waits until it has ended. */
export async function stop(child) {
  child.kill('SIGTERM');
  await child.exited;
}

export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
