// Two tabs of the same screen share its outbox (issue 18, scenario 3):
// a bump queued in one tab is never lost to a save, or a settled op, in
// the other.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import { allEvents, card, createTicket, getTicket, launchBrowser, openPage, startHost, until, waitConn } from './lib.mjs';

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
