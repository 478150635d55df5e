/* What an op does to a ticket, by the same rules as the host
 * (src/core/tr-op-apply.c), so that a bump shows at once, before the
 * host confirms it. Pure: no state, no page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

const TICKET_NEXT = {
  new: ['preparing', 'ready', 'cancelled'],
  preparing: ['ready', 'cancelled'],
  ready: ['served', 'cancelled', 'preparing'],
  served: ['ready'],
  cancelled: [],
};
const ITEM_NEXT = {
  pending: ['preparing', 'ready', 'voided'],
  preparing: ['ready', 'voided'],
  ready: ['served', 'voided', 'preparing'],
  served: ['ready'],
  voided: [],
};

/* Safari before 15.4 has no structuredClone; tickets are plain JSON. */
const clone = typeof structuredClone === 'function' ? structuredClone : (v) => JSON.parse(JSON.stringify(v));
const isRecall = (from, to) => (from === 'served' && to === 'ready') || (from === 'ready' && to === 'preparing');
export const isOpen = (t) => t.status === 'new' || t.status === 'preparing' || t.status === 'ready';

function moveItem (item, to, at) {
  const from = item.status;
  if (isRecall(from, to)) {
    if (from === 'served') item.served_at = 0;
    else if (from === 'ready') item.ready_at = 0;
  } else if (to === 'ready') {
    item.ready_at = at;
    item.recall_status = from;
  } else if (to === 'served') {
    item.served_at = at;
    item.recall_status = from;
  }
  item.status = to;
}

function deriveStatus (t) {
  let live = 0, served = 0, done = 0, started = false;
  for (const item of t.items) {
    if (item.status === 'voided') continue;
    live++;
    if (item.status === 'served') { served++; done++; started = true; }
    else if (item.status === 'ready') { done++; started = true; }
    else if (item.status === 'preparing') started = true;
  }
  if (live === 0) return 'cancelled';
  if (served === live) return 'served';
  if (done === live) return 'ready';
  if (started) return 'preparing';
  return t.status === 'new' ? 'new' : 'preparing';
}

function setTicketStatus (t, to, at) {
  const from = t.status;
  if (!(TICKET_NEXT[from] || []).includes(to)) return false;
  const recall = isRecall(from, to);
  for (const item of t.items) {
    if (to === 'preparing') {
      if (recall) {
        if (item.status === 'ready') {
          item.status = item.recall_status === 'pending' || item.recall_status === 'preparing'
            ? item.recall_status : 'preparing';
          item.ready_at = 0;
        }
      } else if (item.status === 'pending') moveItem(item, 'preparing', at);
    } else if (to === 'ready') {
      if (recall) {
        if (item.status === 'served') moveItem(item, 'ready', at);
      } else if (item.status === 'pending' || item.status === 'preparing') moveItem(item, 'ready', at);
    } else if (to === 'served' || to === 'cancelled') {
      if (item.status !== 'voided' && item.status !== 'served') moveItem(item, to === 'served' ? 'served' : 'voided', at);
    }
  }
  if (!recall) t.recall_status = from;
  t.status = to;
  return true;
}

function setItemStatus (t, itemId, to, at) {
  if (!isOpen(t)) return false;
  const item = t.items.find((i) => i.id === itemId);
  if (!item || !(ITEM_NEXT[item.status] || []).includes(to)) return false;
  moveItem(item, to, at);
  const derived = deriveStatus(t);
  if (derived !== t.status) {
    if (!isRecall(t.status, derived)) t.recall_status = t.status;
    t.status = derived;
  }
  return true;
}

/* Returns the ticket after @op at time @at, or null when the op does not
 * apply. @current is left as it was. */
export function applyOp (current, op, at) {
  if (!current) return null;
  const t = clone(current);
  let applied = false;
  if (op.kind === 'set_ticket_status') applied = setTicketStatus(t, op.status, at);
  else if (op.kind === 'set_item_status') applied = setItemStatus(t, op.item_id, op.status, at);
  if (!applied) return null;
  t.version = (t.version || 0) + 1;
  t.updated_at = at;
  return t;
}
