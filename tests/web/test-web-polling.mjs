// With WebSocket out of reach the page falls back to long-polling
// (GET /api/v1/events, POST /api/v1/ops), says so, and keeps working.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import { card, createTicket, getTicket, launchBrowser, openPage, startHost, until, waitConn } from './lib.mjs';

let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function pollingWorks (host, page) {
  await waitConn(page, 'online-polling');
  assert.match(await page.locator('#conn-text').textContent(), /polling/);

  const t = ticket({ table: 'P1', items: [item('Classic Burger'), item('Fries')] });
  await createTicket(host, t);
  // Within one long-poll.
  await card(page, t.id).waitFor();

  await card(page, t.id).locator(`.item-button[data-item-id="${t.items[1].id}"]`).click();
  await until('the item bump to reach the host', async () =>
    (await getTicket(host, t.id)).items[1].status === 'preparing');
  await card(page, t.id).getByRole('button', { name: 'Bump' }).click();
  await until('the ticket bump to reach the host', async () => (await getTicket(host, t.id)).status === 'ready');
  await until('the queue to empty', async () => (await page.locator('#conn').getAttribute('data-queued')) === '0');
  assert.equal(await page.locator('#conn').getAttribute('data-state'), 'online-polling');
  assert.deepEqual(page.problems, []);
}

test('WebSocket upgrades that fail make the page poll', async () => {
  const host = await startHost();
  const context = await browser.newContext();
  try {
    let attempts = 0;
    // Every upgrade is answered and closed at once, as a proxy that
    // breaks WebSocket would.
    await context.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
      attempts++;
      ws.close({ code: 1011, reason: 'blocked by the test' });
    });
    const page = await openPage(context, `${host.url}/?role=kitchen`);
    await pollingWorks(host, page);
    assert.ok(attempts >= 3, `${attempts} WebSocket attempts before polling`);
  } finally {
    await context.close();
    await host.stop();
  }
});

test('a host without WebSocket (--no-websocket) is polled', async () => {
  const host = await startHost({ websocket: false });
  const context = await browser.newContext();
  try {
    const page = await openPage(context, `${host.url}/?role=kitchen`);
    await pollingWorks(host, page);
  } finally {
    await context.close();
    await host.stop();
  }
});
