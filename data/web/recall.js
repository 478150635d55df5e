/* Recall, the same on every screen: the browser's copy of
 * src/core/tr-recall.c (tests/test-recall.c and
 * tests/web/test-web-recall-rules.mjs check the same cases).
 *
 * The list of what can be recalled is not this browser's (no
 * localStorage): it is derived from the tickets the host sends every
 * screen, whose items carry the host's ready_at and served_at. So every
 * screen, native or browser, shows the same list: the tickets bumped
 * within the last 30 minutes, newest first, at most 50; expo can recall
 * what grill bumped, and a recall made anywhere shows everywhere.
 *
 * Functions of tickets and the time only, with no page or store, so
 * that node tests them as they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

export const RECALL_MAX = 50;
export const RECALL_WINDOW_MS = 30 * 60 * 1000;

const isBumped = (i) => i.status === 'ready' || i.status === 'served';
const bumpedAt = (i) => (i.status === 'served' ? i.served_at : i.ready_at) || 0;

/* When @t's last bump that still stands was made (ms, the host's
 * clock), or 0 when nothing of it stands bumped (or it is cancelled). */
export function recallBumpedAt (t) {
  if (!t || t.status === 'cancelled') return 0;
  const bumped = (t.items || []).filter(isBumped);
  const at = bumped.reduce((max, i) => Math.max(max, bumpedAt(i)), 0);
  /* A served ticket with no item to say when: its last change. */
  if (t.status === 'served' && at === 0) return t.updated_at || 1;
  if (bumped.length && at === 0) return 1;
  return at;
}

/* Newest bump first, then the higher number, then the id. */
export function compareRecalls (a, b) {
  return (b.bumped_at - a.bumped_at) || ((b.number || 0) - (a.number || 0))
    || (a.ticket_id < b.ticket_id ? -1 : a.ticket_id > b.ticket_id ? 1 : 0);
}

/* The list at @nowMs of @tickets (an iterable): [{ ticket_id, number,
 * table, bumped_at }], newest first. */
export function recallList (tickets, nowMs) {
  const list = [];
  for (const t of tickets) {
    const at = recallBumpedAt(t);
    if (at === 0 || at <= nowMs - RECALL_WINDOW_MS) continue;
    list.push({ ticket_id: t.id, number: t.number || 0, table: t.table || null, bumped_at: at });
  }
  list.sort(compareRecalls);
  return list.slice(0, RECALL_MAX);
}

/* What recalling @t from a screen means, wherever it was bumped (see
 * tr_recall_build_ops()): @screen is { expo, station } (station null
 * for the whole kitchen). Returns op fields ({ kind, status, item_id? }
 * without ids), [] when nothing of it stands bumped, or null when it
 * cannot come back (cancelled). */
export function recallOps (screen, t) {
  if (t.status === 'cancelled') return null;
  if (t.status === 'served') return [{ kind: 'set_ticket_status', ticket_id: t.id, status: 'ready' }];

  const station = !screen.expo && screen.station ? screen.station.toLowerCase() : null;
  const bumped = t.items.filter(isBumped);
  const own = station ? bumped.filter((i) => !i.station || i.station.toLowerCase() === station) : [];
  /* A station takes back its own bump; with none, another's. */
  const taken = own.length ? own : bumped;
  const nReady = t.items.filter((i) => i.status === 'ready').length;
  const takenReady = taken.filter((i) => i.status === 'ready').length;
  /* The whole ready ticket back as one op: items nobody had started
   * go back to pending. */
  if (t.status === 'ready' && takenReady === taken.length && takenReady === nReady && nReady > 0) {
    return [{ kind: 'set_ticket_status', ticket_id: t.id, status: 'preparing' }];
  }
  return taken.map((i) => ({
    kind: 'set_item_status', ticket_id: t.id, item_id: i.id, status: i.status === 'served' ? 'ready' : 'preparing',
  }));
}
