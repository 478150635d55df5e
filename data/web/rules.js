/* Pure display rules: which column of the order-ready board holds a
 * ticket and when it leaves, the board's order, rush first for every
 * screen, and a ticket's age colour. Functions of tickets and the time only, with no page, store or
 * catalog, so that node tests them as they are (tests/web/test-web-rules.mjs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* How long an order stays on the board after it is served or cancelled,
 * unless the address says otherwise (?linger=SECONDS). */
export const DEFAULT_LINGER_MS = 5 * 60 * 1000;
/* How long a number that just became ready stands out. */
export const HIGHLIGHT_MS = 8 * 1000;

/* A ticket's age colours: amber from WARN_MINUTES, red from LATE_MINUTES
 * (the GTK app's Preferences defaults). The speed-of-service page passes
 * the same to the host's report, so that its "late" is the kitchen's. */
export const WARN_MINUTES = 8;
export const LATE_MINUTES = 15;

/* The age colour of @ms: 'fresh', 'warn' or 'late' (app.css's
 * data-age). */
export function ageClass (ms, warnMs = WARN_MINUTES * 60000, lateMs = LATE_MINUTES * 60000) {
  return ms >= lateMs ? 'late' : ms >= warnMs ? 'warn' : 'fresh';
}

export const PREPARING = 'preparing';
export const READY = 'ready';

const isClosed = (t) => t.status === 'served' || t.status === 'cancelled';

/* The column of @t at @nowMs, or null when the board does not show it.
 * A guest waits while the kitchen works (new, preparing), collects when
 * it is ready; a served or cancelled order stays where it was for
 * @lingerMs (its last change is its closing), so that a guest who looks
 * up a moment late still finds the number. */
export function boardColumn (t, nowMs, lingerMs = DEFAULT_LINGER_MS) {
  if (!t) return null;
  if (t.status === 'new' || t.status === 'preparing') return PREPARING;
  if (t.status === 'ready') return READY;
  if (!isClosed(t)) return null;
  if (nowMs - (t.updated_at || 0) >= lingerMs) return null;
  if (t.status === 'served') return READY;
  /* Cancelled: where it was when it was cancelled. */
  return t.recall_status === 'ready' ? READY : PREPARING;
}

/* When @t leaves the board (ms), or Infinity while it is open. */
export function leavesAt (t, lingerMs = DEFAULT_LINGER_MS) {
  return isClosed(t) ? (t.updated_at || 0) + lingerMs : Infinity;
}

/* Oldest first, the number and then the id breaking ties, so that every
 * screen shows the same order. */
export function byAge (a, b) {
  return ((a.created_at || 0) - (b.created_at || 0)) || ((a.number || 0) - (b.number || 0))
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/* Rush orders ahead of the others when @rushFirst, each group oldest
 * first: the order of the kitchen, the front of house and the board. */
export function compareTickets (a, b, rushFirst = true) {
  if (rushFirst) {
    const ra = a.priority === 'rush' ? 0 : 1;
    const rb = b.priority === 'rush' ? 0 : 1;
    if (ra !== rb) return ra - rb;
  }
  return byAge(a, b);
}

/* The board's order within @column: open orders before the ones that
 * are only lingering; then, in Preparing, the kitchen's order; in Ready,
 * the latest ready first, where a guest's eye lands. */
export function compareOnBoard (column, a, b, rushFirst = true) {
  const ca = isClosed(a) ? 1 : 0;
  const cb = isClosed(b) ? 1 : 0;
  if (ca !== cb) return ca - cb;
  if (column === READY) {
    return ((b.updated_at || 0) - (a.updated_at || 0)) || byAge(a, b);
  }
  return compareTickets(a, b, rushFirst);
}

/* The ids of tickets that became ready between @before and @after
 * (Maps of id → ticket): each one chimes and stands out. A ticket seen
 * for the first time already ready counts too (the store does not ask
 * on the page's first load, where nothing just happened). */
export function newlyReady (before, after) {
  const ids = [];
  for (const [id, t] of after) {
    if (t.status !== 'ready') continue;
    const old = before.get(id);
    if (!old || old.status !== 'ready') ids.push(id);
  }
  return ids;
}

/* What the board says next to a number: the table, when there is one. */
export function boardDetail (t) {
  return t.table ? String(t.table) : null;
}
