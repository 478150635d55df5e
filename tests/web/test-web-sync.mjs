// The browser display against a real host over WebSocket: tickets appear
// live, bumps made in the page reach native clients, the kitchen
// controls (item taps, station filter, bump bar, recall, modified and
// cancelled tickets), front of house, and hostile ticket text.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket, hostile, HOSTILE } from './fixtures.mjs';
import {
  allEvents, api, card, createTicket, getTicket, launchBrowser, openPage, op, postOps,
  startHost, until, waitConn, watch,
} from './lib.mjs';

let host, browser, context;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await context?.close();
  await browser?.close();
  await host?.stop();
});

async function kitchen (query = 'role=kitchen') {
  const page = await openPage(context, `${host.url}/?${query}`);
  await waitConn(page, 'online-websocket');
  return page;
}

test('the page loads, and a POS ticket appears within 2 s', async () => {
  const page = await kitchen();
  assert.equal(await page.title(), 'Kitchen · Ticketrail');
  assert.match(await page.locator('#conn-text').textContent(), /Online \(live\)/);

  const t = ticket({ table: '12', server: 'Priya', items: [item('Classic Burger', 2, { modifiers: ['no cheese'] }), item('Fries')] });
  await createTicket(host, t);
  // The acceptance's bound: within 2 s of the POST.
  await card(page, t.id).waitFor({ timeout: 2000 });
  const text = await card(page, t.id).textContent();
  assert.match(text, /Table 12/);
  assert.match(text, /Classic Burger/);
  assert.match(text, /no cheese/);
  assert.match(text, /GLUTEN|gluten/i);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an item bump made in the page reaches a native client', async () => {
  const page = await kitchen();
  const watcher = watch(host);
  try {
    await watcher.ready;
    const t = ticket({ table: '3', items: [item('Masala Dosa'), item('Mango Lassi')] });
    await createTicket(host, t);
    const dosa = t.items[0].id;
    const stationId = await page.evaluate(() => localStorage.getItem('ticketrail:kitchen:station_id'));

    // pending → preparing → ready, one tap each.
    const row = card(page, t.id).locator(`.item-button[data-item-id="${dosa}"]`);
    await row.click();
    await until('the item to be preparing on the host', async () =>
      (await getTicket(host, t.id)).items[0].status === 'preparing');
    await row.click();
    await until('the item to be ready on the host', async () =>
      (await getTicket(host, t.id)).items[0].status === 'ready');
    await card(page, t.id).locator('.item.status-ready').waitFor();

    const ev = await until('ticketrail-ctl watch to print the item.status event', () =>
      watcher.events.find((e) => e.kind === 'item.status' && e.ticket.id === t.id
                                 && e.ticket.items[0].status === 'ready'));
    assert.equal(JSON.parse(stationId), ev.station_id);
    assert.equal(ev.ticket.items[1].status, 'pending');
  } finally {
    await watcher.stop();
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a station screen shows and bumps only its own items', async () => {
  const page = await kitchen('role=kitchen&station=grill');
  assert.equal(await page.locator('#mode').textContent(), 'Kitchen · grill');
  const t = ticket({ table: '8', items: [item('Classic Burger'), item('Fries'), item('Dal Makhani')] });
  const fryOnly = ticket({ table: '9', items: [item('Onion Rings')] });
  await createTicket(host, fryOnly);
  await createTicket(host, t);
  const c = card(page, t.id);
  await c.waitFor();
  const text = await c.textContent();
  assert.match(text, /Classic Burger/);
  assert.match(text, /Dal Makhani/);
  assert.doesNotMatch(text, /Fries/);
  assert.match(text, /1 item at other stations, 1 not ready/);
  assert.equal(await card(page, fryOnly.id).count(), 0);

  await c.getByRole('button', { name: 'Bump grill' }).click();
  await c.waitFor({ state: 'detached' });
  const after = await until('the grill items to be ready', async () => {
    const h = await getTicket(host, t.id);
    return h.items[0].status === 'ready' && h.items[2].status === 'ready' ? h : null;
  });
  assert.equal(after.items[1].status, 'pending', 'the fry item is not the grill\'s to bump');
  assert.equal(after.status, 'preparing');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('bump-bar keys select, bump, recall and undo', async () => {
  const page = await kitchen();
  const a = ticket({ table: 'K1', items: [item('Paneer Tikka')] });
  const b = ticket({ table: 'K2', items: [item('Garlic Naan')] });
  await createTicket(host, a);
  await createTicket(host, b);
  await card(page, b.id).waitFor();

  // Number keys pick the nth card on screen, oldest first.
  const ids = await page.locator('.card').evaluateAll((cards) => cards.map((c) => c.dataset.ticketId));
  const n = ids.indexOf(b.id) + 1;
  assert.ok(n >= 1 && n <= 9, `ticket on screen at ${n}`);
  await page.keyboard.press(String(n));
  await page.locator(`.card.is-selected[data-ticket-id="${b.id}"]`).waitFor();
  await page.keyboard.press('Enter');
  await card(page, b.id).waitFor({ state: 'detached' });
  await until('b to be ready', async () => (await getTicket(host, b.id)).status === 'ready');

  // Ctrl+Z undoes the last bump.
  await page.keyboard.press('Control+z');
  await card(page, b.id).waitFor();
  await until('b to be recalled', async () => (await getTicket(host, b.id)).status === 'preparing');

  // Arrows move the selection; R recalls the last bump from the list.
  await page.keyboard.press(String(ids.indexOf(a.id) + 1));
  await page.locator(`.card.is-selected[data-ticket-id="${a.id}"]`).waitFor();
  await page.keyboard.press('ArrowRight');
  // The page renders on the next animation frame; a loaded machine can
  // read the old selection before it, so wait for the move to show.
  await page.waitForFunction((aid) => {
    const s = document.querySelector('.card.is-selected');
    return s !== null && s.dataset.ticketId !== aid;
  }, a.id, { timeout: 10000 });
  const selected = await page.locator('.card.is-selected').getAttribute('data-ticket-id');
  assert.notEqual(selected, a.id);
  await page.keyboard.press(String(ids.indexOf(a.id) + 1));
  await page.keyboard.press('Enter');
  await until('a to be ready', async () => (await getTicket(host, a.id)).status === 'ready');
  await page.keyboard.press('r');
  await until('a to be recalled', async () => (await getTicket(host, a.id)).status === 'preparing');
  await card(page, a.id).waitFor();

  // The recall list keeps the last bumps, and survives a reload.
  await card(page, a.id).getByRole('button', { name: 'Bump' }).click();
  await page.reload();
  await waitConn(page, 'online-websocket');
  await page.locator('#recall-button').click();
  const entry = page.locator('.recall-pick', { hasText: 'Table K1' });
  await entry.click();
  await until('a to be recalled from the list', async () => (await getTicket(host, a.id)).status === 'preparing');
  assert.equal(await page.locator('#recall-panel').isHidden(), true);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Recall is shared by every screen (issue 14): the list comes from the
// tickets the host sends, so the expo lists, and recalls, what the grill
// bumped; the grill sees the recall.
test('the expo recalls what the grill bumped, and every screen sees it', async () => {
  const grill = await kitchen('role=kitchen&station=grill');
  const expo = await kitchen('role=expo');
  const t = ticket({ table: 'R1', items: [item('Classic Burger', 1, { station: 'grill' }), item('Fries', 1, { station: 'fry' })] });
  await createTicket(host, t);

  await card(grill, t.id).getByRole('button', { name: 'Bump grill' }).click();
  await card(grill, t.id).waitFor({ state: 'detached' });
  await until('the grill item to be ready', async () => (await getTicket(host, t.id)).items[0].status === 'ready');

  // The expo never bumped it, yet lists it, first, as every screen does.
  await expo.locator('#recall-button').click();
  const entry = expo.locator('.recall-pick', { hasText: 'Table R1' });
  await entry.waitFor();
  assert.match(await expo.locator('.recall-pick').first().textContent(), /Table R1/);
  await grill.locator('#recall-button').click();
  await grill.locator('.recall-pick', { hasText: 'Table R1' }).waitFor();

  await entry.click();
  const back = await until('the grill item to be back on the line', async () => {
    const h = await getTicket(host, t.id);
    return h.items[0].status === 'preparing' ? h : null;
  });
  assert.equal(back.items[1].status, 'pending', 'the fry item was never bumped');
  assert.equal(back.status, 'preparing');
  // Bumped by one station, recalled by another.
  const events = (await allEvents(host)).filter((e) => e.ticket && e.ticket.id === t.id);
  const bumpedBy = events.find((e) => e.ticket.items[0].status === 'ready').station_id;
  const recalledBy = events[events.length - 1].station_id;
  assert.ok(bumpedBy && recalledBy && bumpedBy !== recalledBy, `${bumpedBy} then ${recalledBy}`);

  // On the grill: the card is back, and the open panel no longer lists it.
  await card(grill, t.id).waitFor();
  await grill.locator('.recall-pick', { hasText: 'Table R1' }).waitFor({ state: 'detached' });
  // The list is not kept in the browser's storage.
  assert.equal(await expo.evaluate(() => Object.keys(localStorage).some((k) => k.endsWith(':recall'))), false);
  assert.deepEqual(grill.problems, []);
  assert.deepEqual(expo.problems, []);
  await grill.close();
  await expo.close();
});

test('modified and cancelled tickets stay marked until the cook acknowledges them', async () => {
  const page = await kitchen();
  const t = ticket({ table: 'M1', items: [item('Classic Burger'), item('Fries')] });
  const gone = ticket({ table: 'C1', items: [item('Masala Dosa')] });
  await createTicket(host, t);
  await createTicket(host, gone);
  await card(page, t.id).waitFor();

  const added = item('Onion Rings', 2);
  const acks = await postOps(host, [
    op({ kind: 'amend_ticket', ticket_id: t.id, amendments: [{ kind: 'add_item', item: added }, { kind: 'void_item', item_id: t.items[1].id }] }),
    op({ kind: 'set_ticket_status', ticket_id: gone.id, status: 'cancelled' }),
  ]);
  assert.deepEqual(acks.map((a) => a.result), ['applied', 'applied']);

  const c = card(page, t.id);
  await c.locator('.modified-badge').waitFor();
  await c.locator(`.item-button[data-item-id="${added.id}"] .badge.added`).waitFor();
  await c.locator(`.item.status-voided .item-button[data-item-id="${t.items[1].id}"]`).waitFor();
  await c.getByRole('button', { name: 'OK' }).click();
  await c.locator('.modified-badge').waitFor({ state: 'detached' });

  const cancelled = card(page, gone.id);
  await cancelled.locator('.banner-cancelled').waitFor();
  await cancelled.getByRole('button', { name: 'Dismiss' }).click();
  await cancelled.waitFor({ state: 'detached' });
  assert.equal((await getTicket(host, gone.id)).status, 'cancelled');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('front of house sorts by status and marks ready orders served', async () => {
  const page = await openPage(context, `${host.url}/?role=foh`);
  await waitConn(page, 'online-websocket');
  const t = ticket({ table: 'F1', items: [item('Caesar Salad')] });
  await createTicket(host, t);
  await page.locator(`.column-new .card[data-ticket-id="${t.id}"]`).waitFor();
  const newCount = Number(await page.locator('.column-new .count').textContent());
  assert.ok(newCount >= 1);

  await postOps(host, [op({ kind: 'set_ticket_status', ticket_id: t.id, status: 'ready' })]);
  const ready = page.locator(`.column-ready .card[data-ticket-id="${t.id}"]`);
  await ready.waitFor();
  await ready.getByRole('button', { name: 'Mark served' }).click();
  await page.locator(`.column-served .card[data-ticket-id="${t.id}"]`).waitFor();
  await until('the ticket to be served', async () => (await getTicket(host, t.id)).status === 'served');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('ticket text holding HTML or script is shown as text', async () => {
  const page = await kitchen();
  const foh = await openPage(context, `${host.url}/?role=foh`);
  const t = hostile();
  await createTicket(host, t);
  const c = card(page, t.id);
  await c.waitFor();
  const text = await c.textContent();
  for (const s of HOSTILE) assert.ok(text.includes(s), `the card shows ${s} literally`);
  for (const p of [page, foh]) {
    await p.locator(`.card[data-ticket-id="${t.id}"]`).first().waitFor();
    const result = await p.evaluate(() => ({
      pwned: window.__pwned,
      images: document.querySelectorAll('img').length,
      scripts: [...document.scripts].map((s) => s.src || s.textContent),
    }));
    assert.equal(result.pwned, undefined);
    assert.equal(result.images, 0);
    assert.equal(result.scripts.length, 1);
    assert.match(result.scripts[0], /\/static\/app\.js$/);
    assert.deepEqual(p.problems, []);
  }
  // A reload renders from the cache, which must not inject either.
  await page.reload();
  await c.waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  await page.close();
  await foh.close();
});

test('the refresh button resyncs from the host', async () => {
  const page = await kitchen();
  const before = (await allEvents(host)).length;
  assert.ok(before > 0);
  await page.locator('#refresh-button').click();
  await waitConn(page, 'online-websocket');
  const t = ticket({ table: 'R1', items: [item('Fries')] });
  await createTicket(host, t);
  await card(page, t.id).waitFor();
  const health = await api(host, 'GET', '/api/v1/health');
  const seq = await page.evaluate(() => JSON.parse(localStorage.getItem('ticketrail:kitchen:cache') || '{}').seq);
  await until('the cache to catch up', async () => (await page.evaluate(() =>
    JSON.parse(localStorage.getItem('ticketrail:kitchen:cache') || '{}').seq)) >= health.head_seq);
  assert.ok(seq <= health.head_seq);
  await page.close();
});

// The page's ping interval and dead-host timeout, as the welcome set them.
const pageTimings = (page) => page.evaluate(async () => {
  const { link } = await import('/static/connection.js');
  return { heartbeatMs: link.heartbeatMs, deadMs: link.deadMs };
});

test('the page takes its heartbeat timings from the welcome', async () => {
  // The default host announces 15 s: the page keeps its 5 s pings.
  const page = await kitchen();
  assert.deepEqual(await pageTimings(page), { heartbeatMs: 5000, deadMs: 15000 });
  // What it makes of other welcomes: absent, out of range, strict.
  const cases = await page.evaluate(async () => {
    const { timingsFromWelcome } = await import('/static/connection.js');
    return [{}, { heartbeat_timeout_ms: 10 }, { heartbeat_timeout_ms: 86400000 },
      { heartbeat_timeout_ms: 'soon' }, { heartbeat_timeout_ms: 3000 }, { heartbeat_timeout_ms: 60000 }]
      .map((frame) => timingsFromWelcome(frame));
  });
  assert.deepEqual(cases, [
    { heartbeatMs: 5000, deadMs: 15000 },
    { heartbeatMs: 5000, deadMs: 15000 },
    { heartbeatMs: 5000, deadMs: 15000 },
    { heartbeatMs: 5000, deadMs: 15000 },
    { heartbeatMs: 1000, deadMs: 3000 },
    { heartbeatMs: 5000, deadMs: 60000 },
  ]);
  await page.close();

  // A strict host (ticketrail-host --heartbeat-timeout 6000): a ping
  // every 2 s, and the page gives up on it as soon as it would.
  const strict = await startHost({ extraArgs: ['--heartbeat-timeout', '6000'] });
  try {
    const strictPage = await openPage(context, `${strict.url}/?role=kitchen`);
    await waitConn(strictPage, 'online-websocket');
    await until('the page to pace for the strict host', async () => {
      const timings = await pageTimings(strictPage);
      return timings.heartbeatMs === 2000 && timings.deadMs === 6000;
    });
    await strictPage.close();
  } finally {
    await strict.stop();
  }
});
