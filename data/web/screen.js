/* What this screen shows of a ticket: the items of its station, which
 * tickets belong on the board, and in what order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { ROLE, STATION } from './config.js';
import { isOpen } from './ops.js';
import { now, state } from './store.js';

const CANCELLED_SHOWN_MS = 30 * 60 * 1000;

/* Items this screen works on; items routed nowhere belong everywhere. */
export function stationItems (t) {
  return STATION ? t.items.filter((i) => !i.station || i.station === STATION) : t.items;
}

const hasWork = (items) => items.some((i) => i.status === 'pending' || i.status === 'preparing');

export function isShownInKitchen (t) {
  const mine = stationItems(t);
  if (!mine.length) return false;
  if (t.status === 'cancelled') {
    return !state.dismissed.includes(t.id)
      && (t.recall_status === 'new' || t.recall_status === 'preparing' || (ROLE === 'expo' && t.recall_status === 'ready'))
      && now() - (t.updated_at || 0) < CANCELLED_SHOWN_MS;
  }
  if (ROLE === 'expo') return isOpen(t);
  if (t.status !== 'new' && t.status !== 'preparing') return false;
  return STATION ? hasWork(mine) : true;
}

export function unacknowledgedChanges (t) {
  const seen = state.acknowledged[t.id] || 0;
  return (t.changes || []).slice(seen);
}
