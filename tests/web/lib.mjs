// Shared pieces of the browser display tests: a real ticketrail-host on
// loopback, Debian's chromium driven by playwright-core, and small HTTP
// helpers for the host's API.
// SPDX-License-Identifier: GPL-3.0-or-later

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_ROOT = resolve(here, '..', '..');
const BUILD = process.env.TR_BUILD_DIR || join(SOURCE_ROOT, 'build');
export const HOST_EXE = process.env.TICKETRAIL_HOST || join(BUILD, 'src', 'host', 'ticketrail-host');
export const CTL_EXE = process.env.TICKETRAIL_CTL || join(BUILD, 'src', 'ctl', 'ticketrail-ctl');
export const CHROMIUM = process.env.TR_CHROMIUM || '/usr/bin/chromium';

// Generous: the suite also runs against ASan builds on a busy CI machine.
export const LONG = 30000;

let playwright;
try {
  playwright = await import('playwright-core');
} catch (e) {
  throw new Error('playwright-core is not installed: run scripts/install-web-test-deps '
                  + '(or npm ci --prefix tests/web)');
}
export const { chromium } = playwright;

export function sleep (ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort () {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

// Hosts running now, by origin, so openPage() knows whom to pair with.
const running = new Map();

// A fresh pairing code, the way a manager gets one on a headless host:
// `ticketrail-host pair` writes it into the host's database (training.db
// for a host in training).
export function pairingCode (host) {
  const args = ['pair', '--data-dir', host.dataDir, ...(host.training ? ['--training'] : [])];
  return new Promise((ok, fail) => {
    execFile(HOST_EXE, args, { timeout: LONG }, (error, stdout, stderr) => {
      const m = /Pairing code: (\d{6})/.exec(stdout || '');
      if (error || !m) fail(new Error(`ticketrail-host pair failed: ${error} ${stdout} ${stderr}`));
      else ok(m[1]);
    });
  });
}

// Pairs @stationId over POST /api/v1/pair; returns the token.
export async function pairStation (host, stationId, role = 'monitor') {
  const code = await pairingCode(host);
  const res = await fetch(host.url + '/api/v1/pair', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, station: { id: stationId, name: 'web test', role } }),
    signal: AbortSignal.timeout(LONG),
  });
  const reply = await res.json();
  if (!res.ok || typeof reply.token !== 'string') throw new Error(`pairing ${stationId} failed: ${res.status} ${JSON.stringify(reply)}`);
  return reply.token;
}

// Enters a fresh code in the page's own pairing form.
export async function pairInPage (page, host) {
  await page.locator('#pair-panel').waitFor({ state: 'visible', timeout: LONG });
  await page.locator('#pair-code').fill(await pairingCode(host));
  await page.locator('#pair-submit').click();
  await page.locator('#pair-panel').waitFor({ state: 'hidden', timeout: LONG });
}

// Sanitizer reports on the host's stderr fail the test that started it.
const SANITIZER = /ERROR: (Address|Leak)Sanitizer|runtime error:/;

// @port and @dataDir restart a host where an earlier one ran; @extraArgs
// go on the host's command line (limits, say), @env in its environment
// (test hooks such as TICKETRAIL_TEST_SKIP_SEQ).
export async function startHost ({ websocket = true, port: fixedPort = 0, dataDir: fixedDir = null, extraArgs = [], env = {} } = {}) {
  for (const [what, path] of [['ticketrail-host', HOST_EXE], ['chromium', CHROMIUM]]) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path} (build first; chromium: scripts/install-web-test-deps)`);
  }
  const dataDir = fixedDir || mkdtempSync(join(tmpdir(), 'ticketrail-web-'));
  let lastError;
  // Another process may take the port between our probe and the host's
  // bind; try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = fixedPort || await freePort();
    const args = ['--loopback', '--port', String(port), '--data-dir', dataDir];
    if (!websocket) args.push('--no-websocket');
    args.push(...extraArgs);
    const proc = spawn(HOST_EXE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const host = {
      url: `http://127.0.0.1:${port}`,
      port,
      proc,
      dataDir,
      training: extraArgs.includes('--training'),
      log: '',
      exited: null,
    };
    proc.stdout.on('data', (d) => { host.log += d; });
    proc.stderr.on('data', (d) => { host.log += d; });
    const exited = new Promise((r) => proc.once('exit', (code, signal) => { host.exited = { code, signal }; r(); }));
    host.stop = async ({ keepData = false } = {}) => {
      if (!host.exited) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
        await exited;
        clearTimeout(timer);
      }
      if (running.get(host.url) === host) running.delete(host.url);
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
      if (SANITIZER.test(host.log)) throw new Error(`sanitizer report from the host:\n${host.log}`);
    };
    const deadline = Date.now() + LONG;
    while (Date.now() < deadline && !host.exited) {
      try {
        const health = await api(host, 'GET', '/api/v1/health');
        if (health && health.status === 'ok') {
          host.hostId = health.host_id;
          // The tests' own API calls and ticketrail-ctl are paired
          // stations too: the host requires pairing, as in production.
          host.token = await pairStation(host, 'web-test-api');
          host.watchToken = await pairStation(host, 'web-test-watch');
          running.set(host.url, host);
          return host;
        }
      } catch (e) { /* not up yet */ }
      await sleep(100);
    }
    lastError = `host did not come up on port ${port}: ${JSON.stringify(host.exited)}\n${host.log}`;
    if (!host.exited) proc.kill('SIGKILL');
    await exited;
  }
  if (!fixedDir) rmSync(dataDir, { recursive: true, force: true });
  throw new Error(lastError);
}

export async function api (host, method, path, body) {
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (host.token) headers.Authorization = `Bearer ${host.token}`;
  const res = await fetch(host.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(LONG),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}

// POST /api/v1/tickets answers with the ticket, or an object holding it.
export async function createTicket (host, ticket) {
  const reply = await api(host, 'POST', '/api/v1/tickets', ticket);
  const created = reply && reply.ticket ? reply.ticket : reply;
  if (!created || created.id !== ticket.id) throw new Error(`unexpected reply to POST /api/v1/tickets: ${JSON.stringify(reply)}`);
  return created;
}

export async function listTickets (host) {
  const reply = await api(host, 'GET', '/api/v1/tickets');
  return Array.isArray(reply) ? reply : reply.tickets;
}

export async function getTicket (host, id) {
  return (await listTickets(host)).find((t) => t.id === id);
}

// Every event in the host's log after @since (no waiting). since=0 asks
// for a snapshot, so the log is read from seq 2 on: in these tests seq 1
// is always the first ticket's creation.
export async function allEvents (host, since = 1) {
  const events = [];
  for (;;) {
    const reply = await api(host, 'GET', `/api/v1/events?since=${since}&wait=0`);
    const batch = reply && Array.isArray(reply.events) ? reply.events : [];
    if (reply && reply.type === 'snapshot') throw new Error('the host answered with a snapshot, not events');
    if (!batch.length) return events;
    events.push(...batch);
    since = batch[batch.length - 1].seq;
  }
}

export async function postOps (host, ops) {
  const reply = await api(host, 'POST', '/api/v1/ops', ops);
  return Array.isArray(reply) ? reply : (reply.acks || [reply]);
}

export function op (fields) {
  return { op_id: crypto.randomUUID(), station_id: 'web-test', at: Date.now(), ...fields };
}

// Polls @check (async, truthy when done) until it holds.
export async function until (what, check, timeout = LONG) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await sleep(50);
  }
}

export async function launchBrowser () {
  return chromium.launch({
    executablePath: CHROMIUM,
    // playwright-core gives every launch a fresh temporary profile.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
    timeout: LONG,
  });
}

// A page that fails the test on any script error or CSP violation.
// Unless @pair is false, it opens through a pairing link (/?pair=CODE)
// with a fresh code from the host it points at.
export async function openPage (context, url, { pair = true } = {}) {
  const host = running.get(new URL(url).origin);
  if (pair && host) url += (url.includes('?') ? '&' : '?') + 'pair=' + await pairingCode(host);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(LONG);
  await page.goto(url);
  return page;
}

export async function connState (page) {
  return page.locator('#conn').getAttribute('data-state');
}

export async function waitConn (page, state) {
  await page.locator(`#conn[data-state="${state}"]`).waitFor({ timeout: LONG });
}

export function card (page, ticketId) {
  return page.locator(`.card[data-ticket-id="${ticketId}"]`);
}

// Runs ticketrail-ctl watch --json and collects the events it prints.
export function watch (host) {
  const proc = spawn(CTL_EXE, ['--host', host.url, '--station-id', 'web-test-watch', 'watch', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TICKETRAIL_TOKEN: host.watchToken },
  });
  const watcher = { proc, events: [], stderr: '', ready: null, buffer: '' };
  watcher.ready = new Promise((ok, fail) => {
    proc.stderr.on('data', (d) => {
      watcher.stderr += d;
      if (/Watching/.test(watcher.stderr)) ok();
    });
    proc.once('exit', (code) => fail(new Error(`ticketrail-ctl watch exited (${code}): ${watcher.stderr}`)));
  });
  watcher.ready.catch(() => {});
  proc.stdout.on('data', (d) => {
    watcher.buffer += d;
    let nl;
    while ((nl = watcher.buffer.indexOf('\n')) >= 0) {
      const line = watcher.buffer.slice(0, nl).trim();
      watcher.buffer = watcher.buffer.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const frame = JSON.parse(line);
        if (Array.isArray(frame.events)) watcher.events.push(...frame.events);
      } catch (e) { /* not a frame */ }
    }
  });
  watcher.stop = () => new Promise((r) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return r();
    proc.once('exit', r);
    proc.kill('SIGTERM');
  });
  return watcher;
}
