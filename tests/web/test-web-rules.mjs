/* Unit tests of data/web/rules.js, the browser display's pure rules: the
 * order-ready board's columns and when a number leaves, its order, and
 * rush first. No browser and no host: node imports the module as the
 * page does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  DEFAULT_LINGER_MS, PREPARING, READY, boardColumn, boardDetail, compareOnBoard, compareTickets, leavesAt,
  newlyReady,
} from '../../data/web/rules.js';

const T0 = 1_700_000_000_000;
let serial = 0;
function ticket (fields = {}) {
  serial++;
  return { id: `t${serial}`, number: serial, status: 'new', priority: 'normal', created_at: T0 + serial, updated_at: T0 + serial, ...fields };
}

test('open orders: new and preparing wait, ready is ready', () => {
  assert.equal(boardColumn(ticket({ status: 'new' }), T0), PREPARING);
  assert.equal(boardColumn(ticket({ status: 'preparing' }), T0), PREPARING);
  assert.equal(boardColumn(ticket({ status: 'ready' }), T0), READY);
  assert.equal(boardColumn(null, T0), null);
  assert.equal(boardColumn(ticket({ status: 'something-new' }), T0), null);
  /* Open orders stay however old they are. */
  assert.equal(boardColumn(ticket({ status: 'ready', updated_at: T0 }), T0 + 10 * DEFAULT_LINGER_MS), READY);
  assert.equal(leavesAt(ticket({ status: 'ready' })), Infinity);
});

test('a served order lingers under Ready, then leaves', () => {
  const served = ticket({ status: 'served', updated_at: T0 });
  assert.equal(DEFAULT_LINGER_MS, 5 * 60 * 1000);
  assert.equal(boardColumn(served, T0), READY);
  assert.equal(boardColumn(served, T0 + DEFAULT_LINGER_MS - 1), READY);
  assert.equal(boardColumn(served, T0 + DEFAULT_LINGER_MS), null);
  assert.equal(leavesAt(served), T0 + DEFAULT_LINGER_MS);
  /* A configured linger. */
  assert.equal(boardColumn(served, T0 + 2999, 3000), READY);
  assert.equal(boardColumn(served, T0 + 3000, 3000), null);
  assert.equal(leavesAt(served, 3000), T0 + 3000);
  assert.equal(boardColumn(served, T0, 0), null);
});

test('a cancelled order lingers where it was', () => {
  const wasCooking = ticket({ status: 'cancelled', recall_status: 'preparing', updated_at: T0 });
  const wasReady = ticket({ status: 'cancelled', recall_status: 'ready', updated_at: T0 });
  assert.equal(boardColumn(wasCooking, T0 + 1000), PREPARING);
  assert.equal(boardColumn(wasReady, T0 + 1000), READY);
  assert.equal(boardColumn(wasCooking, T0 + DEFAULT_LINGER_MS), null);
  assert.equal(boardColumn(wasReady, T0 + 60_000, 60_000), null);
});

test('rush first, then oldest first; off keeps age order', () => {
  const old = ticket({ created_at: T0 });
  const young = ticket({ created_at: T0 + 60_000 });
  const rush = ticket({ created_at: T0 + 120_000, priority: 'rush' });
  const olderRush = ticket({ created_at: T0 + 90_000, priority: 'rush' });
  const ids = (list) => list.map((t) => t.id);
  assert.deepEqual(ids([young, rush, old, olderRush].sort((a, b) => compareTickets(a, b, true))),
                   ids([olderRush, rush, old, young]));
  assert.deepEqual(ids([young, rush, old, olderRush].sort((a, b) => compareTickets(a, b, false))),
                   ids([old, young, olderRush, rush]));
  /* The default is on. */
  assert.ok(compareTickets(rush, old) < 0);
  /* Total: the number, then the id break ties. */
  const twinA = ticket({ id: 'a', number: 5, created_at: T0 });
  const twinB = ticket({ id: 'b', number: 5, created_at: T0 });
  assert.ok(compareTickets(twinA, twinB) < 0 && compareTickets(twinB, twinA) > 0);
  assert.equal(compareTickets(twinA, twinA), 0);
});

test('the board: open before lingering; latest ready first; rush first while preparing', () => {
  const readyEarly = ticket({ status: 'ready', updated_at: T0 + 1000 });
  const readyLate = ticket({ status: 'ready', updated_at: T0 + 5000 });
  const served = ticket({ status: 'served', updated_at: T0 + 9000 });
  const ids = (list) => list.map((t) => t.id);
  assert.deepEqual(ids([served, readyEarly, readyLate].sort((a, b) => compareOnBoard(READY, a, b))),
                   ids([readyLate, readyEarly, served]));
  const cooking = ticket({ status: 'preparing', created_at: T0 });
  const rush = ticket({ status: 'new', created_at: T0 + 5000, priority: 'rush' });
  assert.deepEqual(ids([cooking, rush].sort((a, b) => compareOnBoard(PREPARING, a, b, true))), ids([rush, cooking]));
  assert.deepEqual(ids([rush, cooking].sort((a, b) => compareOnBoard(PREPARING, a, b, false))), ids([cooking, rush]));
});

test('newly ready: only what became ready since the last view', () => {
  const a = ticket({ status: 'preparing' });
  const b = ticket({ status: 'ready' });
  const c = ticket({ status: 'new' });
  const before = new Map([[a.id, a], [b.id, b], [c.id, c]]);
  const aReady = { ...a, status: 'ready' };
  const d = ticket({ status: 'ready' });
  const after = new Map([[a.id, aReady], [b.id, { ...b, version: 2 }], [c.id, c], [d.id, d]]);
  assert.deepEqual(newlyReady(before, after).sort(), [a.id, d.id].sort());
  assert.deepEqual(newlyReady(after, after), []);
  /* Served from ready is not ready again. */
  assert.deepEqual(newlyReady(after, new Map([[a.id, { ...aReady, status: 'served' }]])), []);
});

test('the detail under a number: the table when there is one', () => {
  assert.equal(boardDetail(ticket({ table: '12' })), '12');
  assert.equal(boardDetail(ticket({ table: null })), null);
  assert.equal(boardDetail(ticket({})), null);
});
