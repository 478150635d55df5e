// Pairing in the browser display (issue 7): a screen without a token
// shows nothing but the pairing form; a code from the host (typed, or in
// a pairing link) gets it a token it keeps; a revoked screen is told so
// at once; and another site's page cannot reach the host's API.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';

import { item, ticket } from './fixtures.mjs';
import {
  CTL_EXE, HOST_EXE, LONG, card, createTicket, launchBrowser, openPage, pairInPage, pairingCode, startHost,
  until, waitConn,
} from './lib.mjs';

let host, browser;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

const tokenOf = (page, profile) => page.evaluate((p) => JSON.parse(localStorage.getItem(`ticketrail:${p}:token`)), profile);

test('an unpaired screen shows the pairing form and no orders, and pairs with a typed code', async () => {
  const t = ticket({ table: 'P1', items: [item('Fries')] });
  await createTicket(host, t);
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=kitchen`, { pair: false });

  await waitConn(page, 'unpaired');
  await page.locator('#pair-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#pair-title').textContent(), 'This screen is not paired');
  assert.equal(await page.locator('#conn-text').textContent(), 'Not paired');
  assert.equal(await card(page, t.id).count(), 0);
  assert.equal(await tokenOf(page, 'kitchen'), null);

  // A wrong code is refused and says so; nothing changes.
  const right = await pairingCode(host);
  const wrong = String((Number(right) + 1) % 1000000).padStart(6, '0');
  await page.locator('#pair-code').fill(wrong);
  await page.locator('#pair-submit').click();
  await until('the wrong code to be refused', async () =>
    /Wrong code/.test(await page.locator('#pair-message').textContent()));
  await waitConn(page, 'unpaired');

  // The right one pairs the screen; the orders come.
  await page.locator('#pair-code').fill(right);
  await page.locator('#pair-submit').click();
  await page.locator('#pair-panel').waitFor({ state: 'hidden' });
  await waitConn(page, 'online-websocket');
  await card(page, t.id).waitFor();
  const token = await tokenOf(page, 'kitchen');
  assert.match(token, /^[0-9a-f]{64}$/);

  // The token is kept: a reload connects without pairing again.
  await page.reload();
  await waitConn(page, 'online-websocket');
  assert.equal(await page.locator('#pair-panel').isVisible(), false);
  assert.equal(await tokenOf(page, 'kitchen'), token);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a pairing link pairs the screen and leaves no code in the address', async () => {
  const context = await browser.newContext();
  const code = await pairingCode(host);
  const page = await openPage(context, `${host.url}/?role=expo&pair=${code}`, { pair: false });
  await waitConn(page, 'online-websocket');
  assert.doesNotMatch(page.url(), /pair=/);
  assert.match(page.url(), /role=expo/);
  assert.match(await tokenOf(page, 'expo'), /^[0-9a-f]{64}$/);
  // The code was single use.
  const again = await browser.newContext();
  const other = await openPage(again, `${host.url}/?role=foh&pair=${code}`, { pair: false });
  await until('the used code to be refused', async () =>
    /Wrong code/.test(await other.locator('#pair-message').textContent()));
  await waitConn(other, 'unpaired');
  assert.deepEqual(page.problems, []);
  await again.close();
  await context.close();
});

test('a revoked screen is disconnected at once, told why, and can pair again', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=kitchen&station=grill`);
  await waitConn(page, 'online-websocket');
  const stationId = await page.evaluate(() => JSON.parse(localStorage.getItem('ticketrail:kitchen:grill:station_id')));

  // The headless host's own command; the running host notices within
  // seconds and closes the connection with 4403.
  await new Promise((ok, fail) => execFile(HOST_EXE, ['revoke', stationId, '--data-dir', host.dataDir],
    { timeout: LONG }, (error, stdout, stderr) => (error ? fail(new Error(`${error} ${stderr}`)) : ok(stdout))));
  await waitConn(page, 'unpaired');
  assert.match(await page.locator('#pair-why').textContent(), /revoked/);
  // The page forgets the token; localStorage keeps it (another tab of
  // the screen may be writing a newer one there), and the host goes on
  // refusing it: a reload asks for a code again.
  await page.reload();
  await waitConn(page, 'unpaired');
  assert.match(await page.locator('#pair-why').textContent(), /revoked/);

  await pairInPage(page, host);
  await waitConn(page, 'online-websocket');
  const t = ticket({ table: 'P2', items: [item('Classic Burger')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("another site's page cannot open the host's WebSocket or call its API", async () => {
  // A page from another origin in the station's browser.
  const evil = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>evil</title>');
  });
  await new Promise((ok) => evil.listen(0, '127.0.0.1', ok));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${evil.address().port}/`);
    const result = await page.evaluate(async (target) => {
      const ws = await new Promise((ok) => {
        const socket = new WebSocket(`ws://127.0.0.1:${target}/api/v1/ws`, 'ticketrail.v1');
        socket.onopen = () => { socket.close(); ok('open'); };
        socket.onerror = () => ok('error');
      });
      let pair;
      try {
        // No CORS: the browser refuses to show the answer, but the
        // request is sent, and the host must refuse it anyway.
        await fetch(`http://127.0.0.1:${target}/api/v1/pair`, {
          method: 'POST', mode: 'no-cors', body: JSON.stringify({ code: '000000', station: { id: 'evil' } }),
        });
        pair = 'sent';
      } catch (e) {
        pair = 'blocked';
      }
      return { ws, pair };
    }, host.port);
    assert.equal(result.ws, 'error');
    // The host answered the drive-by pairing attempt with 403 without
    // counting it as a wrong code: a real pairing still works.
    const fresh = await browser.newContext();
    const ok = await openPage(fresh, `${host.url}/?role=foh`);
    await waitConn(ok, 'online-websocket');
    await fresh.close();
  } finally {
    await context.close();
    await new Promise((ok) => evil.close(ok));
  }
});

test('ticketrail-ctl pair trades a code for a token the host takes', async () => {
  const code = await pairingCode(host);
  const { stdout } = await new Promise((resolve, reject) => {
    execFile(CTL_EXE, ['--host', host.url, '--station-id', 'ctl-pair-test', 'pair', code], { timeout: LONG },
      (error, out, err) => (error ? reject(new Error(`ticketrail-ctl pair failed: ${error} ${err}`)) : resolve({ stdout: out })));
  });
  const token = stdout.trim();
  assert.match(token, /^\S{20,}$/);
  const res = await fetch(host.url + '/api/v1/tickets', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
});
