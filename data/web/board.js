/* The customer order-ready board (/?role=board): two columns, Preparing
 * and Ready, of order numbers big enough to read across a room. What
 * goes where, and when it leaves, is rules.js's; this file only draws,
 * and marks a number that just became ready.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { LINGER_MS, RUSH_FIRST } from './config.js';
import { $, el } from './dom.js';
import { NC_, _, format, ngettext } from './gettext.js';
import { HIGHLIGHT_MS, PREPARING, READY, boardColumn, boardDetail, compareOnBoard, leavesAt, newlyReady } from './rules.js';
import { sound } from './sound.js';
import { now, state } from './store.js';

/* Column titles: the words a guest reads, with a context of their own
 * (they are the board's, not a ticket's status). */
const TITLES = {
  [PREPARING]: NC_('order board', 'Preparing'),
  [READY]: NC_('order board', 'Ready'),
};

/* id → when it became ready (board clock, ms). */
const highlighted = new Map();
/* What the last render drew: a key per number, so that a tick that
 * changes nothing touches nothing. */
let lastKey = '';
/* The next time something leaves or stops standing out. */
let nextChange = Infinity;

/* The host sent tickets: a chime and a highlight for each order that
 * just became ready (app.js's hostChanged). */
export function boardHostChanged (oldView) {
  const ids = newlyReady(oldView, state.view);
  if (!ids.length) return;
  const at = now();
  for (const id of ids) highlighted.set(id, at);
  sound.play('ready');
}

function numberTile (t, column, at) {
  const tile = el('li', 'board-order');
  tile.dataset.ticketId = t.id;
  tile.dataset.status = t.status;
  if (t.status === 'served' || t.status === 'cancelled') tile.classList.add('is-leaving');
  if (t.priority === 'rush' && column === PREPARING) tile.classList.add('is-rush');
  const since = highlighted.get(t.id);
  if (column === READY && since !== undefined && at - since < HIGHLIGHT_MS) tile.classList.add('is-new');
  tile.append(el('span', 'board-number', t.number || '—'));
  const detail = boardDetail(t);
  /* Translators: under an order number on the order-ready board. */
  if (detail) tile.append(el('span', 'board-detail', format(_('Table %s'), detail)));
  return tile;
}

export function renderBoard () {
  const at = now();
  for (const [id, since] of highlighted) if (at - since >= HIGHLIGHT_MS) highlighted.delete(id);
  const columns = { [PREPARING]: [], [READY]: [] };
  nextChange = Infinity;
  for (const t of state.view.values()) {
    const column = boardColumn(t, at, LINGER_MS);
    if (!column) continue;
    columns[column].push(t);
    nextChange = Math.min(nextChange, leavesAt(t, LINGER_MS));
  }
  for (const since of highlighted.values()) nextChange = Math.min(nextChange, since + HIGHLIGHT_MS);
  for (const column of [PREPARING, READY]) columns[column].sort((a, b) => compareOnBoard(column, a, b, RUSH_FIRST));

  const key = [PREPARING, READY].map((c) => columns[c].map((t) => [t.id, t.number, t.status, t.table, t.priority,
    highlighted.has(t.id)].join(':')).join(',')).join('|') + _(TITLES[READY]);
  if (key === lastKey) return;
  lastKey = key;

  const board = $('board');
  board.classList.add('order-board');
  board.replaceChildren(...[PREPARING, READY].map((column) => {
    const section = el('section', `board-column board-${column}`);
    section.dataset.column = column;
    const head = el('h2', 'board-title', _(TITLES[column]));
    section.append(head);
    const list = el('ol', 'board-orders');
    list.append(...columns[column].map((t) => numberTile(t, column, at)));
    section.append(list);
    return section;
  }));
  $('empty').hidden = true;
  const ready = columns[READY].filter((t) => t.status === 'ready').length;
  $('counts').textContent = format(ngettext('%d ready', '%d ready', ready), ready);
}

/* Every second (app.js's tick): draws again only when an order is due
 * to leave or to stop standing out. */
export function tickBoard () {
  if (now() >= nextChange) renderBoard();
}

/* Another language: draw everything again. */
export function forgetBoard () {
  lastKey = '';
}
