// Two tabs of the same screen share its outbox (issue 18, scenario 3):
// a bump queued in one tab is never lost to a save, or a settled op, in
// the other.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import {
  allEvents, card, createTicket, getTicket, launchBrowser, openPage, pairingCode, startHost, until, waitConn,
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

async function openTab (context, pair) {
  const page = await openPage(context, `${host.url}/?role=kitchen`, { pair });
  await waitConn(page, 'online-websocket');
  return page;
}

test('bumps queued offline in two tabs of one screen all reach the host', async () => {
  // One context is one browser profile: both tabs share localStorage.
  const context = await browser.newContext();
  try {
    const a = await openTab(context, true);
    // The service worker keeps the page for the offline reload.
    await a.evaluate(async () => { await navigator.serviceWorker.ready; });
    await until('the service worker to control the page', () => a.evaluate(() => !!navigator.serviceWorker.controller));
    const b = await openTab(context, false);
    const t1 = ticket({ table: 'W1', items: [item('Masala Dosa')] });
    const t2 = ticket({ table: 'W2', items: [item('Fries')] });
    await createTicket(host, t1);
    await createTicket(host, t2);
    for (const page of [a, b]) {
      await card(page, t1.id).waitFor();
      await card(page, t2.id).waitFor();
    }

    await context.setOffline(true);
    await waitConn(a, 'offline');
    await waitConn(b, 'offline');
    await card(a, t1.id).getByRole('button', { name: 'Bump' }).click();
    await card(a, t1.id).waitFor({ state: 'detached' });
    await card(b, t2.id).getByRole('button', { name: 'Bump' }).click();
    await card(b, t2.id).waitFor({ state: 'detached' });
    await a.close();

    await b.reload();
    await waitConn(b, 'offline');
    // Both bumps are still queued, and shown.
    assert.equal(await b.locator('#conn').getAttribute('data-queued'), '2');
    assert.equal(await card(b, t1.id).count(), 0);
    assert.equal(await card(b, t2.id).count(), 0);
    assert.equal((await getTicket(host, t1.id)).status, 'new', 'nothing reached the host while offline');

    await context.setOffline(false);
    await waitConn(b, 'online-websocket');
    await until('both bumps to reach the host', async () =>
      (await getTicket(host, t1.id)).status === 'ready' && (await getTicket(host, t2.id)).status === 'ready');
    await b.locator('#conn[data-queued="0"]').waitFor();
    assert.deepEqual(b.problems, []);
  } finally {
    await context.close();
  }
});

test('a tab left open sends the bump the other tab queued, and settles its own without losing it', async () => {
  const context = await browser.newContext();
  try {
    const a = await openTab(context, true);
    const b = await openTab(context, false);
    const t1 = ticket({ table: 'W3', items: [item('Onion Rings')] });
    const t2 = ticket({ table: 'W4', items: [item('Masala Chai')] });
    await createTicket(host, t1);
    await createTicket(host, t2);
    for (const page of [a, b]) {
      await card(page, t1.id).waitFor();
      await card(page, t2.id).waitFor();
    }

    await context.setOffline(true);
    await waitConn(a, 'offline');
    await waitConn(b, 'offline');
    await card(b, t2.id).getByRole('button', { name: 'Bump' }).click();
    await card(b, t2.id).waitFor({ state: 'detached' });
    await card(a, t1.id).getByRole('button', { name: 'Bump' }).click();
    await card(a, t1.id).waitFor({ state: 'detached' });
    // Tab A shows tab B's bump too, without a reload.
    await card(a, t2.id).waitFor({ state: 'detached' });
    await b.close();

    // Tab A, never reloaded, sends both; settling its own op must not
    // drop the other.
    await context.setOffline(false);
    await waitConn(a, 'online-websocket');
    await until('both bumps to reach the host', async () =>
      (await getTicket(host, t1.id)).status === 'ready' && (await getTicket(host, t2.id)).status === 'ready');
    await a.locator('#conn[data-queued="0"]').waitFor();
    for (const t of [t1, t2]) {
      const applied = (await allEvents(host)).filter((e) => e.ticket.id === t.id && e.kind === 'ticket.status');
      assert.equal(applied.length, 1, 'each bump applied once');
    }
    assert.deepEqual(a.problems, []);
  } finally {
    await context.close();
  }
});

// Issue 18, "Revocation": pairing a station again closes (4403) the
// connections that use its old token. Two tabs of one screen share its
// station id and localStorage, so a tab that pairs again (a pairing link
// opened in a second tab, say) closes the first one; that tab must then
// take the token the other stored and carry on, not ask for a code.
async function repairedTabComesBack ({ holdPairingReply }) {
  // No service worker: page.route() sees the pairing request.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  // Each tab's WebSocket close codes, to see the host's 4403.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.wsCloses = [];
    window.WebSocket = class extends Native {
      constructor (...args) {
        super(...args);
        this.addEventListener('close', (e) => window.wsCloses.push(e.code));
      }
    };
  });
  try {
    const url = `${host.url}/?role=kitchen`;
    const tokenOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('ticketrail:kitchen:token')));
    const a = await openPage(context, url);
    await waitConn(a, 'online-websocket');
    const oldToken = await tokenOf(a);
    const t = ticket({ table: holdPairingReply ? 'R1' : 'R2', items: [item('Classic Burger')] });
    await createTicket(host, t);
    await card(a, t.id).waitFor();

    // Tab B pairs the same station again with a code of its own.
    let release = () => {};
    const released = new Promise((r) => { release = r; });
    const b = await context.newPage();
    if (holdPairingReply) {
      // The host closes A as it redeems the code, before B has its
      // answer: A sees the 4403 while localStorage still holds the old
      // token, and must wait for the new one rather than give up.
      await b.route('**/api/v1/pair', async (route) => {
        const response = await route.fetch();
        await released;
        await route.fulfill({ response });
      });
    }
    await b.goto(`${url}&pair=${await pairingCode(host)}`);
    if (holdPairingReply) {
      await until('the host to close tab A with 4403', () => a.evaluate(() => window.wsCloses.includes(4403)));
      await waitConn(a, 'unpaired');
      release();
    }
    await waitConn(b, 'online-websocket');
    const newToken = await tokenOf(b);
    assert.notEqual(newToken, oldToken);
    // The old token is dead on the host: a tab still online uses the new one.
    const stale = await fetch(`${host.url}/api/v1/tickets`, { headers: { Authorization: `Bearer ${oldToken}` } });
    assert.equal(stale.status, 401);

    // Tab A is back by itself: online, no pairing form, and its bump
    // reaches the host.
    await waitConn(a, 'online-websocket');
    assert.equal(await a.locator('#pair-panel').isVisible(), false);
    assert.equal(await tokenOf(a), newToken);
    await card(a, t.id).getByRole('button', { name: 'Bump' }).click();
    await until('tab A\'s bump to reach the host', async () => (await getTicket(host, t.id)).status === 'ready');
    await a.locator('#conn[data-queued="0"]').waitFor();
    await card(b, t.id).waitFor({ state: 'detached' });
    assert.deepEqual(a.problems, []);
  } finally {
    await context.close();
  }
}

test('a tab whose token another tab replaced by pairing again takes the new one and carries on', async () => {
  await repairedTabComesBack({ holdPairingReply: true });
});

test('two tabs of one screen stay online when one pairs again (the race left to the browser)', async () => {
  await repairedTabComesBack({ holdPairingReply: false });
});
