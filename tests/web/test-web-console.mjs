// What the browser display tells the console (issue 15), and gap
// detection: a host that leaves a seq out of its live stream (the
// TICKETRAIL_TEST_SKIP_SEQ test hook) must make the page resync rather
// than apply the next event over the hole.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import {
  api, card, createTicket, launchBrowser, listTickets, op, openPage, postOps, startHost, until, waitConn,
} from './lib.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// Every console message of @page, as { type, text }; messages.values
// resolves to what each logged, as JSON, for checks on the objects.
function collectConsole (page) {
  const messages = [];
  const values = [];
  page.on('console', (m) => {
    messages.push({ type: m.type(), text: m.text() });
    values.push(Promise.all(m.args().map((a) => a.jsonValue().catch(() => null))).then((v) => JSON.stringify(v)));
  });
  messages.values = () => Promise.all(values);
  return messages;
}

const find = (messages, type, pattern) => messages.find((m) => m.type === type && pattern.test(m.text));

async function waitMessage (messages, type, pattern, what) {
  return until(`a console.${type} about ${what}`, () => find(messages, type, pattern));
}

// The page's own tickets (its store), by id.
const pageTickets = (page) => page.evaluate(async () => {
  const store = await import('/static/store.js');
  return { lastSeq: store.state.lastSeq, tickets: Object.fromEntries(store.base) };
});

test('a gap in the live events makes the page resync, and it ends equal to the host', async () => {
  // Seq 3 never goes out live; catch-ups still have it.
  const host = await startHost({ env: { TICKETRAIL_TEST_SKIP_SEQ: '3' } });
  const context = await browser.newContext();
  try {
    assert.match(host.log, /TICKETRAIL_TEST_SKIP_SEQ: a test hook/);
    const page = await openPage(context, `${host.url}/?role=kitchen`);
    const messages = collectConsole(page);
    await waitConn(page, 'online-websocket');

    const tickets = [1, 2, 3, 4].map((n) => ticket({ table: `G${n}`, items: [item('Fries')] }));
    for (const t of tickets.slice(0, 2)) {
      await createTicket(host, t);
      await card(page, t.id).waitFor();
    }
    // Seq 3, then 4: the page gets 4 right after 2.
    await createTicket(host, tickets[2]);
    await createTicket(host, tickets[3]);

    const warning = await waitMessage(messages, 'warning', /gap in the host's events/, 'the gap');
    assert.match(warning.text, /expected seq 3, got 4/);
    assert.match(warning.text, /resyncing from seq 2/);
    for (const t of tickets) await card(page, t.id).waitFor();

    const health = await api(host, 'GET', '/api/v1/health');
    assert.equal(health.head_seq, 4);
    const mine = await until('the page to reach the host\'s head', async () => {
      const p = await pageTickets(page);
      return p.lastSeq === health.head_seq ? p : null;
    });
    const theirs = await listTickets(host);
    assert.equal(Object.keys(mine.tickets).length, theirs.length);
    for (const t of theirs) assert.deepEqual(mine.tickets[t.id], t, `ticket ${t.table} as the host has it`);
    // It reconnected from its seq rather than take a snapshot.
    assert.ok(find(messages, 'info', /connecting to the host \(WebSocket\), from seq 2/));
    assert.deepEqual(page.problems, []);

    // Later events come live again, with no more warnings.
    const warnings = messages.filter((m) => m.type === 'warning').length;
    const fifth = ticket({ table: 'G5', items: [item('Fries')] });
    await createTicket(host, fifth);
    await card(page, fifth.id).waitFor();
    assert.equal(messages.filter((m) => m.type === 'warning').length, warnings);
  } finally {
    await context.close();
    await host.stop();
  }
});

test('the console tells connect, welcome, reconnect, rejected ops and bugs; ?debug=1 each frame', async () => {
  let host = await startHost();
  const context = await browser.newContext();
  try {
    const page = await openPage(context, `${host.url}/?role=kitchen&debug=1`);
    const messages = collectConsole(page);
    await waitConn(page, 'online-websocket');
    await waitMessage(messages, 'info', /\[ticketrail\] connecting to the host \(WebSocket\)/, 'connecting');
    await waitMessage(messages, 'info', new RegExp(`welcome from host ${host.hostId}`), 'the welcome');

    const t = ticket({ table: 'C1', items: [item('Masala Dosa')] });
    await createTicket(host, t);
    await card(page, t.id).waitFor();
    // ?debug=1: a line per frame, both ways.
    await waitMessage(messages, 'debug', /websocket received events/, 'the events frame');
    assert.ok(find(messages, 'debug', /websocket sent hello/), 'the hello is logged');
    const token = JSON.parse(await page.evaluate(() => localStorage.getItem('ticketrail:kitchen:token')));
    assert.match(token, /^[0-9a-f]{64}$/);
    const logged = await messages.values();
    assert.ok(logged.some((v) => v.includes('"type":"hello"')), 'the hello frame itself is logged');
    assert.ok(!logged.some((v) => v.includes(token)), 'the page\'s token is never logged');

    // A bump queued while offline, on a ticket the host cancels meanwhile.
    await context.setOffline(true);
    await waitConn(page, 'offline');
    await card(page, t.id).getByRole('button', { name: 'Bump' }).click();
    await postOps(host, [op({ kind: 'set_ticket_status', ticket_id: t.id, status: 'cancelled' })]);
    await context.setOffline(false);
    const rejected = await waitMessage(messages, 'warning', /the host rejected op/, 'the rejected op');
    assert.doesNotMatch(rejected.text, /no reason given/);

    // The host goes away and comes back: the close, with its code.
    const { port, dataDir } = host;
    await host.stop({ keepData: true });
    await waitMessage(messages, 'info', /WebSocket closed: code \d+/, 'the close');
    await waitMessage(messages, 'info', /reconnecting in \d+ ms/, 'the reconnect');
    host = await startHost({ port, dataDir });
    await waitConn(page, 'online-websocket');

    // A bug: an exception nobody catches.
    await page.evaluate(() => setTimeout(() => { throw new Error('deliberate test bug'); }, 0));
    const bug = await waitMessage(messages, 'error', /\[ticketrail\] bug:.*deliberate test bug/, 'the bug');
    assert.ok(bug);
  } finally {
    await context.close();
    await host.stop();
  }
});

test('without ?debug=1 no frame is logged; falling back to polling is', async () => {
  const host = await startHost({ websocket: false });
  const context = await browser.newContext();
  try {
    const page = await openPage(context, `${host.url}/?role=kitchen`);
    const messages = collectConsole(page);
    await waitConn(page, 'online-polling');
    await waitMessage(messages, 'info', /falling back to long-polling/, 'the fallback');
    await waitMessage(messages, 'info', /long-polling host/, 'polling');
    const t = ticket({ table: 'P1', items: [item('Fries')] });
    await createTicket(host, t);
    await card(page, t.id).waitFor();
    assert.equal(messages.filter((m) => m.type === 'debug').length, 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
    await host.stop();
  }
});

test('a translation catalog that fails is a warning', async () => {
  const host = await startHost();
  const context = await browser.newContext({ locale: 'es-ES' });
  try {
    await context.route('**/static/i18n.json', (r) => r.abort('connectionrefused'));
    const page = await context.newPage();
    const messages = collectConsole(page);
    await page.goto(`${host.url}/?role=kitchen`);
    await waitMessage(messages, 'warning', /translation catalog failed/, 'the catalog');
  } finally {
    await context.close();
    await host.stop();
  }
});
