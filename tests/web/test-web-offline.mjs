// Offline: a bump made with the network gone is queued with its op id,
// survives a reload made while still offline, and is applied exactly once
// when the network returns.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import { allEvents, card, createTicket, getTicket, launchBrowser, openPage, pairInPage, startHost, until, waitConn } from './lib.mjs';

let host, browser;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

// The queued ops, one localStorage key each, in the order they were made.
const outbox = (page) => page.evaluate(() => Object.keys(localStorage)
  .filter((k) => k.startsWith('ticketrail:kitchen:outbox:'))
  .map((k) => JSON.parse(localStorage.getItem(k)))
  .sort((x, y) => x.order - y.order));

test('a bump made offline survives a reload and is applied once', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=kitchen`);
  await waitConn(page, 'online-websocket');
  // The service worker keeps the page for the offline reload.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await until('the service worker to control the page', () => page.evaluate(() => !!navigator.serviceWorker.controller));

  const t = ticket({ table: 'O1', items: [item('Masala Dosa'), item('Mango Lassi')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();

  await context.setOffline(true);
  await waitConn(page, 'offline');
  await card(page, t.id).getByRole('button', { name: 'Bump' }).click();
  // Shown at once, queued, not sent.
  await card(page, t.id).waitFor({ state: 'detached' });
  assert.equal(await page.locator('#conn').getAttribute('data-queued'), '1');
  assert.match(await page.locator('#conn-queued').textContent(), /1 queued/);
  const queued = await outbox(page);
  assert.equal(queued.length, 1);
  const opId = queued[0].op.op_id;
  assert.match(opId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(queued[0].op.kind, 'set_ticket_status');
  assert.equal(queued[0].op.status, 'ready');

  await page.reload();
  await waitConn(page, 'offline');
  assert.equal(await page.locator('#conn').getAttribute('data-queued'), '1');
  assert.equal((await outbox(page))[0].op.op_id, opId);
  // The cached tickets render, with the queued bump applied on top.
  assert.equal(await card(page, t.id).count(), 0);
  assert.equal((await getTicket(host, t.id)).status, 'new', 'nothing reached the host while offline');
  assert.equal((await allEvents(host)).filter((e) => e.op_id === opId).length, 0);

  await context.setOffline(false);
  await waitConn(page, 'online-websocket');
  await until('the queue to empty', async () => (await page.locator('#conn').getAttribute('data-queued')) === '0');
  assert.deepEqual(await outbox(page), []);
  assert.equal((await getTicket(host, t.id)).status, 'ready');

  // Another reload, and a reconnect, replay nothing.
  await page.reload();
  await waitConn(page, 'online-websocket');
  await page.locator('#refresh-button').click();
  await waitConn(page, 'online-websocket');
  const applied = (await allEvents(host)).filter((e) => e.op_id === opId);
  assert.equal(applied.length, 1, 'exactly one event for the queued op');
  assert.equal(applied[0].kind, 'ticket.status');
  assert.equal(applied[0].ticket.status, 'ready');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the cached board renders after a reload with the host gone', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=kitchen&station=grill`);
  await waitConn(page, 'online-websocket');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await until('the service worker to control the page', () => page.evaluate(() => !!navigator.serviceWorker.controller));
  const t = ticket({ table: 'O2', items: [item('Classic Burger')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();
  // Let the throttled cache write land.
  await until('the cache to hold the ticket', () => page.evaluate((id) =>
    (localStorage.getItem('ticketrail:kitchen:grill:cache') || '').includes(id), t.id));

  await context.setOffline(true);
  await page.reload();
  await waitConn(page, 'offline');
  await card(page, t.id).waitFor();
  await card(page, t.id).locator('.item-button').click();
  await page.locator('#conn[data-queued="1"]').waitFor();
  await card(page, t.id).locator('.item.status-preparing').waitFor();
  await context.setOffline(false);
  await until('the item to be preparing on the host', async () =>
    (await getTicket(host, t.id)).items[0].status === 'preparing');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the page reconnects by itself when the host comes back, and follows a new host', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=expo`);
  await waitConn(page, 'online-websocket');
  const t = ticket({ table: 'O3', items: [item('Fries')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();

  const { port, dataDir } = host;
  await host.stop({ keepData: true });
  await waitConn(page, 'offline');
  // The same host again: the page resumes from its seq.
  host = await startHost({ port, dataDir });
  await waitConn(page, 'online-websocket');
  const t2 = ticket({ table: 'O4', items: [item('Onion Rings')] });
  await createTicket(host, t2);
  await card(page, t2.id).waitFor();
  assert.equal(await card(page, t.id).count(), 1);

  // A different host (fresh database) on the same address: its snapshot
  // replaces what the page had.
  await host.stop();
  host = await startHost({ port });
  // It does not know this screen's token: the page says so, and pairs
  // through its own form.
  await waitConn(page, 'unpaired');
  assert.match(await page.locator('#pair-title').textContent(), /not paired/);
  await pairInPage(page, host);
  await waitConn(page, 'online-websocket');
  await card(page, t.id).waitFor({ state: 'detached' });
  await card(page, t2.id).waitFor({ state: 'detached' });
  const t3 = ticket({ table: 'O5', items: [item('Masala Chai')] });
  await createTicket(host, t3);
  await card(page, t3.id).waitFor();
  await until('the cache to follow the new host', async () => (await page.evaluate(() =>
    JSON.parse(localStorage.getItem('ticketrail:expo:cache')))).host_id === host.hostId);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a host that goes silent is noticed by the heartbeat, and the page reconnects', async () => {
  const context = await browser.newContext();
  let connections = 0;
  let silent = false;
  // The first connection stops passing the host's frames on, without
  // closing: a dead peer as a broken NAT or Wi-Fi leaves it.
  await context.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const n = ++connections;
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => { if (!(silent && n === 1)) ws.send(m); });
  });
  const page = await openPage(context, `${host.url}/?role=kitchen&station=tandoor`);
  await waitConn(page, 'online-websocket');
  await page.evaluate(() => {
    const conn = document.getElementById('conn');
    window.states = [];
    new MutationObserver(() => window.states.push(conn.dataset.state))
      .observe(conn, { attributes: true, attributeFilter: ['data-state'] });
  });
  silent = true;
  const states = await until('the page to give up on the silent host and reconnect', async () => {
    const s = await page.evaluate(() => window.states);
    const dead = s.indexOf('offline');
    return dead >= 0 && s.indexOf('online-websocket', dead) > dead ? s : null;
  }, 60000);
  assert.ok(connections >= 2, `${connections} connections`);
  assert.ok(states.length >= 2);
  const t = ticket({ table: 'O6', items: [item('Paneer Tikka')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a bump queued by an earlier version of the page (one outbox array) is still sent', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=kitchen&station=fry`);
  await waitConn(page, 'online-websocket');
  const t = ticket({ table: 'O7', items: [item('Fries')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();
  // What the page kept before the outbox had a key per op.
  const opId = await page.evaluate((ticketId) => {
    const op = { op_id: crypto.randomUUID(), station_id: JSON.parse(localStorage.getItem('ticketrail:kitchen:fry:station_id')),
                 at: Date.now(), kind: 'set_ticket_status', ticket_id: ticketId, status: 'ready' };
    localStorage.setItem('ticketrail:kitchen:fry:outbox', JSON.stringify([{ op, acked_seq: 0 }]));
    return op.op_id;
  }, t.id);
  await page.reload();
  await waitConn(page, 'online-websocket');
  await until('the old queued bump to reach the host', async () => (await getTicket(host, t.id)).status === 'ready');
  assert.equal((await allEvents(host)).filter((e) => e.op_id === opId).length, 1);
  assert.equal(await page.evaluate(() => localStorage.getItem('ticketrail:kitchen:fry:outbox')), null);
  assert.deepEqual(page.problems, []);
  await context.close();
});
