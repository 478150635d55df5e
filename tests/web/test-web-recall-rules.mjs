/* Unit tests of data/web/recall.js, the browser's copy of
 * src/core/tr-recall.c: the same cases as tests/test-recall.c, so that a
 * browser and a native screen list the same recalls and recall them the
 * same way. No browser and no host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RECALL_MAX, RECALL_WINDOW_MS, recallBumpedAt, recallList, recallOps } from '../../data/web/recall.js';

const MINUTE = 60 * 1000;
const T0 = 1_700_000_000_000;

/* Ticket @number: a grill burger and steak, fry fries and an unrouted
 * water; @items sets their status and times. */
function ticket (number, fields = {}, items = {}) {
  const item = (id, station) => ({ id, name: id, quantity: 1, station, status: 'pending', ready_at: 0, served_at: 0, ...(items[id] || {}) });
  return {
    id: `t${number}`, number, status: 'preparing', created_at: T0, updated_at: T0,
    items: [item('burger', 'grill'), item('steak', 'grill'), item('fries', 'fry'), item('water', null)],
    ...fields,
  };
}
const ready = (at) => ({ status: 'ready', ready_at: at });
const served = (at) => ({ status: 'served', ready_at: at - 1, served_at: at });
const grillBumped = (number, at) => ticket(number, {}, { burger: ready(at), steak: ready(at) });

test('which tickets are bumped, and when (the host\'s times)', () => {
  assert.equal(recallBumpedAt(ticket(1)), 0);
  assert.equal(recallBumpedAt(ticket(1, {}, { burger: { status: 'preparing' } })), 0);
  assert.equal(recallBumpedAt(ticket(1, {}, { burger: ready(T0 + 5), steak: ready(T0 + 9) })), T0 + 9);
  const all = { burger: served(T0 + 20), steak: served(T0 + 20), fries: served(T0 + 20), water: served(T0 + 20) };
  assert.equal(recallBumpedAt(ticket(1, { status: 'served' }, all)), T0 + 20);
  /* Recalled from served: listed as bumped when it became ready. */
  const back = { burger: ready(T0 + 10), steak: ready(T0 + 10), fries: ready(T0 + 10), water: ready(T0 + 10) };
  assert.equal(recallBumpedAt(ticket(1, { status: 'ready' }, back)), T0 + 10);
  assert.equal(recallBumpedAt(ticket(1, { status: 'cancelled' }, back)), 0);
  /* Served with every item voided: its last change. */
  const voided = { burger: { status: 'voided' }, steak: { status: 'voided' }, fries: { status: 'voided' }, water: { status: 'voided' } };
  assert.equal(recallBumpedAt(ticket(1, { status: 'served', updated_at: T0 + 30 }, voided)), T0 + 30);
});

test('the list: 30 minutes, newest first, then the higher number', () => {
  const a = grillBumped(1, T0);
  const b = grillBumped(2, T0 + MINUTE);
  const c = grillBumped(3, T0 + MINUTE);
  const now = T0 + 2 * MINUTE;
  assert.deepEqual(recallList([a, b, c, ticket(4)], now).map((r) => r.ticket_id), ['t3', 't2', 't1']);
  const first = recallList([a], now)[0];
  assert.deepEqual(first, { ticket_id: 't1', number: 1, table: null, bumped_at: T0 });
  /* Exactly 30 minutes old is out. */
  assert.deepEqual(recallList([a, b], T0 + RECALL_WINDOW_MS).map((r) => r.ticket_id), ['t2']);
  assert.deepEqual(recallList([a, b], T0 + MINUTE + RECALL_WINDOW_MS), []);
  assert.equal(RECALL_WINDOW_MS, 30 * MINUTE);
});

test('the list holds the 50 newest', () => {
  const tickets = [];
  for (let i = 1; i <= RECALL_MAX + 10; i++) tickets.push(grillBumped(i, T0 + i * 1000));
  const list = recallList(tickets, T0 + 2 * MINUTE);
  assert.equal(RECALL_MAX, 50);
  assert.equal(list.length, RECALL_MAX);
  assert.equal(list[0].number, RECALL_MAX + 10);
  assert.equal(list[RECALL_MAX - 1].number, 11);
});

test('a served ticket comes back to the pass from any screen; a cancelled one cannot', () => {
  const all = { burger: served(T0), steak: served(T0), fries: served(T0), water: served(T0) };
  for (const screen of [{ expo: true, station: null }, { expo: false, station: 'grill' }, { expo: false, station: null }]) {
    assert.deepEqual(recallOps(screen, ticket(8, { status: 'served' }, all)), [{ kind: 'set_ticket_status', ticket_id: 't8', status: 'ready' }]);
    assert.equal(recallOps(screen, ticket(9, { status: 'cancelled' })), null);
  }
  assert.deepEqual(recallOps({ expo: true }, ticket(10)), []);
});

test('what grill bumped, anyone recalls: the grill\'s items go back', () => {
  const t = ticket(11, {}, { burger: ready(T0), steak: ready(T0), fries: { status: 'preparing' } });
  for (const screen of [{ expo: false, station: 'grill' }, { expo: false, station: 'fry' }, { expo: true, station: 'grill' }, { expo: false, station: null }]) {
    assert.deepEqual(recallOps(screen, t), [
      { kind: 'set_item_status', ticket_id: 't11', item_id: 'burger', status: 'preparing' },
      { kind: 'set_item_status', ticket_id: 't11', item_id: 'steak', status: 'preparing' },
    ], JSON.stringify(screen));
  }
});

test('bumped by two: a station takes back its own part; the expo, the whole ticket', () => {
  const t = ticket(12, { status: 'ready' }, { burger: ready(T0), steak: ready(T0), fries: ready(T0 + MINUTE), water: ready(T0 + MINUTE) });
  /* Station names match as the native screens match them: any case. */
  assert.deepEqual(recallOps({ expo: false, station: 'FRY' }, t), [
    { kind: 'set_item_status', ticket_id: 't12', item_id: 'fries', status: 'preparing' },
    { kind: 'set_item_status', ticket_id: 't12', item_id: 'water', status: 'preparing' },
  ]);
  assert.deepEqual(recallOps({ expo: true, station: 'grill' }, t), [{ kind: 'set_ticket_status', ticket_id: 't12', status: 'preparing' }]);
  assert.deepEqual(recallOps({ expo: false, station: null }, t), [{ kind: 'set_ticket_status', ticket_id: 't12', status: 'preparing' }]);
});
