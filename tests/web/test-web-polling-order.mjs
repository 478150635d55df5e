// Polling keeps the cook's order (issue 18, scenario 4): one POST of ops
// at a time, in submit order, the same batch again after a 429. A POST
// that arrives late must not let a later bump overtake it.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import { allEvents, card, createTicket, getTicket, launchBrowser, LONG, openPage, sleep, startHost, until, waitConn } from './lib.mjs';

let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a later bump never overtakes a POST of ops that is late or refused with 429', async () => {
  // A bucket of 100 ops refilled at 1 a second: the station's first
  // 100 ops drain it, so the next POST gets 429 and must be sent again.
  const host = await startHost({ websocket: false, extraArgs: ['--ops-rate', '1', '--ops-burst', '100'] });
  const context = await browser.newContext();
  try {
    // 120 grill items: one bump of the grill screen makes 120 ops, more
    // than the bucket holds and more than one POST carries.
    const big = ticket({ table: 'Q1', items: Array.from({ length: 120 }, () => item('Classic Burger')) });
    const late = ticket({ table: 'Q2', items: [item('Masala Dosa')] });
    await createTicket(host, big);
    await createTicket(host, late);

    // Every op the page posts, in the order the requests leave; the
    // first POST is held back, as a slow network would.
    const posted = [];
    const statuses = [];
    let held = null;
    let release;
    const released = new Promise((r) => { release = r; });
    await context.route('**/api/v1/ops', async (route) => {
      const body = route.request().postDataJSON();
      const ops = Array.isArray(body) ? body : [body];
      posted.push(ops.map((o) => o.op_id));
      if (!held) {
        held = ops;
        await released;
      }
      const response = await route.fetch();
      statuses.push(response.status());
      await route.fulfill({ response });
    });

    const page = await openPage(context, `${host.url}/?role=kitchen&station=grill`);
    await waitConn(page, 'online-polling');
    await card(page, big.id).waitFor();
    await card(page, late.id).waitFor();

    await card(page, big.id).getByRole('button', { name: 'Bump' }).click();
    await until('the first POST to leave', () => held !== null);
    assert.equal(held.length, 100, 'a POST carries at most 100 ops');
    // The cook bumps once more while that POST is on its way.
    await card(page, late.id).getByRole('button', { name: 'Bump' }).click();
    await page.locator('#conn[data-queued="121"]').waitFor();
    // A POST the page would start now must get its chance to leave and
    // overtake the held one; one the page holds back never comes.
    await sleep(1500);
    release();

    await until('every bump to reach the host', async () =>
      (await getTicket(host, big.id)).status === 'ready' && (await getTicket(host, late.id)).status === 'ready', LONG * 2);
    await page.locator('#conn[data-queued="0"]').waitFor({ timeout: LONG * 2 });

    // The order the cook made them in: the first time each op was posted.
    const submitted = [];
    for (const ids of posted) for (const id of ids) if (!submitted.includes(id)) submitted.push(id);
    assert.equal(submitted.length, 121);
    const mine = new Set(submitted);
    const applied = (await allEvents(host)).filter((e) => mine.has(e.op_id)).map((e) => e.op_id);
    assert.equal(applied.length, 121, 'each op applied exactly once');
    assert.deepEqual(applied, submitted, 'the host applied the ops in the order they were made');
    // Each POST started from the oldest op not yet acked: never a batch
    // that skips ahead of one still in flight.
    assert.deepEqual(posted[0], submitted.slice(0, 100));
    assert.ok(statuses.includes(429), `the host refused a batch (${statuses})`);
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
    await host.stop();
  }
});
