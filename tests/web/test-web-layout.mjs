// The page from a 360 px phone to a 1920 px TV: no horizontal overflow,
// and the screenshots in docs/screenshots (set TR_SCREENSHOT_DIR to the
// source tree's docs/screenshots to refresh them).
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { item, lunch, ticket } from './fixtures.mjs';
import { createTicket, launchBrowser, openPage, op, postOps, startHost, waitConn } from './lib.mjs';

const SHOTS = process.env.TR_SCREENSHOT_DIR || join(tmpdir(), 'ticketrail-web-screenshots');
let host, browser, orders;

// Tickets made by the host are all a few seconds old; for the pictures
// the WebSocket frames are edited on their way to the page so that the
// board shows the age colours of a real service (8 and 15 minutes).
const AGE_MINUTES = [17, 12, 9, 6, 4, 2, 0.5];
const ages = new Map();

function stage (message) {
  let frame;
  try { frame = JSON.parse(message); } catch (e) { return message; }
  const tickets = frame.type === 'snapshot' ? frame.tickets
    : frame.type === 'events' ? frame.events.map((e) => e.ticket) : [];
  for (const t of tickets) {
    if (ages.has(t.id)) t.created_at = Date.now() - ages.get(t.id) * 60000;
  }
  return JSON.stringify(frame);
}

async function screen (name, query, viewport, mobile) {
  const context = await browser.newContext({
    viewport, deviceScaleFactor: 1, isMobile: mobile, hasTouch: mobile,
  });
  await context.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => ws.send(stage(m)));
  });
  const page = await openPage(context, `${host.url}/?${query}`);
  await waitConn(page, 'online-websocket');
  await page.locator('.card').first().waitFor();
  // The first tap turns sound on and takes the banner away.
  await page.locator('.title').click();
  await page.locator('#sound-banner').waitFor({ state: 'hidden' });
  await page.evaluate(() => document.fonts.ready);
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${name}: no horizontal overflow (${scrollWidth} > ${clientWidth})`);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  assert.deepEqual(page.problems, []);
  await context.close();
}

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
  orders = lunch();
  for (const [i, t] of orders.entries()) {
    await createTicket(host, t);
    ages.set(t.id, AGE_MINUTES[i]);
  }
  const [burger, rush, takeaway, dosa, , , big] = orders;
  const acks = await postOps(host, [
    op({ kind: 'set_item_status', ticket_id: burger.id, item_id: burger.items[0].id, status: 'preparing' }),
    op({ kind: 'set_item_status', ticket_id: burger.id, item_id: burger.items[1].id, status: 'ready' }),
    op({ kind: 'set_item_status', ticket_id: rush.id, item_id: rush.items[0].id, status: 'preparing' }),
    op({ kind: 'amend_ticket', ticket_id: takeaway.id, amendments: [{ kind: 'void_item', item_id: takeaway.items[1].id }] }),
    op({ kind: 'amend_ticket', ticket_id: dosa.id, amendments: [
      { kind: 'add_item', item: item('Masala Chai', 1, { modifiers: ['extra ginger'] }) },
      { kind: 'set_quantity', item_id: dosa.items[1].id, quantity: 4 },
    ] }),
    op({ kind: 'set_ticket_status', ticket_id: big.id, status: 'cancelled' }),
  ]);
  assert.deepEqual(acks.map((a) => a.result), acks.map(() => 'applied'));
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

test('kitchen on a phone (390×844)', async () => {
  await screen('web-kitchen-390', 'role=kitchen', { width: 390, height: 844 }, true);
});

test('kitchen on a TV (1920×1080)', async () => {
  await screen('web-kitchen-1920', 'role=kitchen', { width: 1920, height: 1080 }, false);
});

test('a grill station on a small phone (360×740)', async () => {
  await screen('web-grill-360', 'role=kitchen&station=grill', { width: 360, height: 740 }, true);
});

test('front of house on a TV and on a phone', async () => {
  const [, rush, takeaway, , birthday, delivery] = orders;
  const acks = await postOps(host, [
    op({ kind: 'set_ticket_status', ticket_id: takeaway.id, status: 'ready' }),
    op({ kind: 'set_ticket_status', ticket_id: birthday.id, status: 'ready' }),
    op({ kind: 'set_ticket_status', ticket_id: delivery.id, status: 'ready' }),
    op({ kind: 'set_ticket_status', ticket_id: delivery.id, status: 'served' }),
    op({ kind: 'set_item_status', ticket_id: rush.id, item_id: rush.items[1].id, status: 'ready' }),
  ]);
  assert.deepEqual(acks.map((a) => a.result), acks.map(() => 'applied'));
  await createTicket(host, ticket({ table: '15', server: 'Tom', guests: 2, items: [item('Masala Chai', 2)] }));
  await screen('web-foh-1920', 'role=foh', { width: 1920, height: 1080 }, false);
  await screen('web-foh-390', 'role=foh', { width: 390, height: 844 }, true);
});
