/* What a cook's tap or key does: bump, recall, dismiss, acknowledge, tap
 * an item, select a card; and the bump bar's keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { IS_BOARD, IS_FOH, IS_STATS, ROLE, STATION } from './config.js';
import { $, toast } from './dom.js';
import { _, format } from './gettext.js';
import { isOpen } from './ops.js';
import { recallList, recallOps } from './recall.js';
import { render, renderRecallList, selection } from './render.js';
import { stationItems } from './screen.js';
import { base, makeOp, now, save, state, submit } from './store.js';

/* What can be recalled: the same list on every screen, derived from the
 * tickets the host sends (recall.js), this screen's own ops not yet
 * confirmed included, so that a bump can be taken back at once even
 * offline. */
export function recalls () {
  return recallList(state.view.values(), now());
}

function setTicketStatus (ticket, status) {
  return submit([makeOp({ kind: 'set_ticket_status', ticket_id: ticket.id, status })]);
}

export function acknowledge (t) {
  state.acknowledged[t.id] = (t.changes || []).length;
  /* Forget tickets that are gone so the map stays small. */
  for (const id of Object.keys(state.acknowledged)) if (!base.has(id)) delete state.acknowledged[id];
  save('acknowledged', state.acknowledged);
  render();
}

export function dismiss (t) {
  state.dismissed = [t.id, ...state.dismissed.filter((id) => id !== t.id)].slice(0, 200);
  save('dismissed', state.dismissed);
  render();
}

export function label (t) {
  return `#${t.number || '—'}${t.table ? ' · ' + format(_('Table %s'), t.table) : ''}`;
}

export function bump (t) {
  if (t.status === 'cancelled') {
    dismiss(t);
    return;
  }
  let ok;
  if (ROLE === 'expo' || IS_FOH) {
    ok = setTicketStatus(t, t.status === 'ready' ? 'served' : 'ready');
  } else if (STATION) {
    const ids = stationItems(t).filter((i) => i.status === 'pending' || i.status === 'preparing').map((i) => i.id);
    ok = ids.length > 0 && submit(ids.map((id) => makeOp({ kind: 'set_item_status', ticket_id: t.id, item_id: id, status: 'ready' })));
  } else {
    ok = setTicketStatus(t, 'ready');
  }
  if (!ok) {
    /* Translators: %s is a ticket, such as "#12 · Table 4". */
    toast(format(_('%s cannot be bumped now'), label(t)), 'error');
    return;
  }
  /* The recall list follows from the ticket the ops changed. */
  renderRecallList();
}

/* Recalls ticket @ticketId, as it is now, whoever bumped it. */
export function recall (ticketId) {
  const t = state.view.get(ticketId);
  if (!t) {
    toast(_('That ticket is gone'), 'error');
    return false;
  }
  const fields = recallOps({ expo: ROLE === 'expo' || IS_FOH, station: STATION }, t);
  if (!fields || !fields.length || !submit(fields.map((f) => makeOp(f)))) {
    toast(format(_('%s cannot be recalled now'), label(t)), 'error');
    return false;
  }
  renderRecallList();
  toast(format(_('Recalled %s'), label(t)));
  return true;
}

export function tapItem (t, item) {
  const next = { pending: 'preparing', preparing: 'ready', ready: 'preparing' }[item.status];
  if (!next || !isOpen(t)) return;
  submit([makeOp({ kind: 'set_item_status', ticket_id: t.id, item_id: item.id, status: next })]);
}

/* Selection and the bump bar. */
export function select (id) {
  selection.id = id;
  render();
  setTimeout(() => {
    const card = document.querySelector(`.card[data-ticket-id="${CSS.escape(id)}"]`);
    if (card) card.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, 0);
}

function moveSelection (delta) {
  if (!selection.order.length) return;
  const i = selection.order.indexOf(selection.id);
  const next = i < 0 ? (delta > 0 ? 0 : selection.order.length - 1)
    : Math.min(selection.order.length - 1, Math.max(0, i + delta));
  select(selection.order[next]);
}

/* The ticket ids the open panel lists, in its order: keys 1 to 9
 * pick from what the cook sees, even if the list moved since. */
let shownRecalls = [];
export function setShownRecalls (ids) {
  shownRecalls = ids;
}

export function openRecall () {
  renderRecallList();
  $('recall-panel').hidden = false;
  ($('recall-list').querySelector('button') || $('recall-close')).focus();
}

export function closeRecall () {
  $('recall-panel').hidden = true;
}

export function recallLatest () {
  const list = recalls();
  if (list.length) recall(list[0].ticket_id);
  else toast(_('Nothing to recall'));
}

addEventListener('keydown', (e) => {
  /* The board and the figures show; nothing on them is worked. */
  if (IS_BOARD || IS_STATS) return;
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
  const panelOpen = !$('recall-panel').hidden;
  if ((e.ctrlKey || e.metaKey) && (e.key || '').toLowerCase() === 'z') {
    e.preventDefault();
    recallLatest();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (panelOpen) {
    if (e.key === 'Escape') closeRecall();
    else if (/^[1-9]$/.test(e.key) && shownRecalls[Number(e.key) - 1]) {
      if (recall(shownRecalls[Number(e.key) - 1])) closeRecall();
    } else return; /* Tab and Enter work the panel's buttons */
    e.preventDefault();
    return;
  }
  if (/^[1-9]$/.test(e.key)) {
    const id = selection.order[Number(e.key) - 1];
    if (id) select(id);
  } else if (e.key === 'Enter') {
    /* Enter on a focused button clicks it; the bump bar has no focus. */
    if (document.activeElement && document.activeElement.tagName === 'BUTTON') return;
    const t = state.view.get(selection.id || selection.order[0]);
    if (t) bump(t);
  } else if (e.key === 'r' || e.key === 'R') {
    recallLatest();
  } else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
    moveSelection(1);
  } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
    moveSelection(-1);
  } else if (e.key === 'PageDown' || e.key === 'PageUp') {
    const dir = e.key === 'PageDown' ? 1 : -1;
    scrollBy({ top: dir * innerHeight * 0.85, behavior: 'smooth' });
  } else if (e.key === 'Escape') {
    selection.id = null;
    render();
  } else {
    return;
  }
  e.preventDefault();
});

