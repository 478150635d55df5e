/* The board: kitchen or front-of-house cards (or what board.js and
 * stats.js draw for their roles), the connection in the bar,
 * the recall list and the ticket timers. Clicks go to the actions that
 * app.js binds (setActions), so that this file only draws.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { IS_BOARD, IS_FOH, IS_STATS, ROLE, RUSH_FIRST, STATION } from './config.js';
import { forgetBoard, renderBoard, tickBoard } from './board.js';
import { forgetStats, renderStats } from './stats.js';
import { $, button, el } from './dom.js';
import { N_, NC_, _, format, ngettext, pgettext } from './gettext.js';
import { isOpen } from './ops.js';
import { LATE_MINUTES, ageClass, compareTickets } from './rules.js';
import { isShownInKitchen, stationItems, unacknowledgedChanges } from './screen.js';
import { now, state } from './store.js';

const LATE_MS = LATE_MINUTES * 60 * 1000;
const SERVED_SHOWN_MS = 30 * 60 * 1000;

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
/* The kitchen's and the pass's order: rush first unless ?rush_first=0. */
const inOrder = (a, b) => compareTickets(a, b, RUSH_FIRST);

/* What a click on the board does (actions.js). */
let act = null;
export function setActions (a) {
  act = a;
}

/* The selected ticket, and the order of the cards the number keys pick. */
export const selection = { id: null, order: [] };

/* The state of the link to the host, as the bar shows it (connection.js). */
let linkView = { state: 'connecting', latency: -1, lastError: null };
export function setLink (link) {
  linkView = link;
}

/* The display text for wire values; _() them where they are shown. */
const ORDER_TYPE = { dine_in: N_('Dine-in'), takeaway: N_('Takeaway'), delivery: N_('Delivery'), pickup: N_('Pickup') };
const ITEM_STATUS = { pending: N_('To do'), preparing: N_('Cooking'), ready: NC_('item status', 'Ready'), served: NC_('item status', 'Served'), voided: N_('Void') };
const TICKET_STATUS = { new: N_('New'), preparing: N_('Preparing'), ready: NC_('ticket status', 'Ready'), served: NC_('ticket status', 'Served'), cancelled: N_('Cancelled') };
const CHANGE_LABEL = {
  item_added: N_('Added'), item_voided: N_('Voided'), quantity: N_('Quantity'), modifiers: N_('Modifiers'),
  item_note: N_('Item note'), table: N_('Table'), note: N_('Note'), priority: N_('Priority'),
};
const textFor = (table, value) => (has(table, value) ? _(table[value]) : value);

function formatAge (ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

const cardCache = new Map(); /* ticket id → { key, node } */
let renderQueued = false;

/* Every card again, in another language. */
export function forgetCards () {
  cardCache.clear();
  forgetBoard();
  forgetStats();
}

export function render () {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(renderNow, 0);
}

export function renderNow () {
  renderQueued = false;
  if (IS_BOARD) renderBoard();
  else if (IS_STATS) renderStats();
  else if (IS_FOH) renderFoh();
  else renderKitchen();
  renderConnection();
  /* Tickets changed: an open recall panel shows the list as it is now,
   * with what other screens bumped or recalled. */
  if (!$('recall-panel').hidden) renderRecallList();
  tick();
}

function cardKey (t, extra) {
  return [t.id, t.version, t.status, t.updated_at, state.pendingIds.has(t.id), selection.id === t.id,
          state.acknowledged[t.id] || 0, extra].join('|');
}

/* Reuses the node when nothing it shows changed, so a busy board does
 * not rebuild every card on every event. */
function cachedCard (t, extra, build) {
  const key = cardKey(t, extra);
  const hit = cardCache.get(t.id);
  if (hit && hit.key === key) return hit.node;
  const node = build(t);
  cardCache.set(t.id, { key, node });
  return node;
}

function renderKitchen () {
  const board = $('board');
  const tickets = [...state.view.values()].filter(isShownInKitchen).sort(inOrder);
  selection.order = tickets.map((t) => t.id);
  if (selection.id && !selection.order.includes(selection.id)) selection.id = null;
  const nodes = tickets.map((t, i) => cachedCard(t, i, (ticket) => kitchenCard(ticket, i)));
  for (const id of cardCache.keys()) if (!selection.order.includes(id)) cardCache.delete(id);
  replaceChildrenIfChanged(board, nodes);
  $('empty').hidden = tickets.length > 0;
  const open = tickets.filter((t) => t.status !== 'cancelled');
  const late = open.filter((t) => now() - t.created_at >= LATE_MS).length;
  const counts = [format(ngettext('%d open', '%d open', open.length), open.length)];
  if (late) counts.push(format(ngettext('%d late', '%d late', late), late));
  $('counts').textContent = counts.join(' · ');
}

function replaceChildrenIfChanged (parent, nodes) {
  const current = parent.children;
  if (current.length === nodes.length && nodes.every((n, i) => current[i] === n)) return;
  parent.replaceChildren(...nodes);
}

function ticketHeader (t, index) {
  const head = el('div', 'card-head');
  if (index !== undefined && index < 9) head.append(el('span', 'key', index + 1));
  head.append(el('span', 'number', `#${t.number || '—'}`));
  const where = el('span', 'where', t.table ? format(_('Table %s'), t.table) : has(ORDER_TYPE, t.order_type) ? _(ORDER_TYPE[t.order_type]) : '');
  if (t.table && t.order_type && t.order_type !== 'dine_in') where.textContent += ` · ${textFor(ORDER_TYPE, t.order_type)}`;
  head.append(where);
  const timer = el('span', 'timer');
  timer.dataset.since = String(t.created_at || 0);
  head.append(timer);
  if (t.priority !== 'rush') return head;
  /* A strip of its own: unmissable, and the header keeps its room. */
  const frag = document.createDocumentFragment();
  frag.append(head, el('div', 'rush-strip', _('RUSH')));
  return frag;
}

function ticketMeta (t) {
  const bits = [];
  /* Translators: %s is the name of the waiter who took the order. */
  if (t.server) bits.push(format(_('Server: %s'), t.server));
  if (t.guests) bits.push(format(ngettext('%d guest', '%d guests', t.guests), t.guests));
  /* Translators: %s is the order's reference in the point of sale. */
  if (t.external_ref) bits.push(format(_('Ref %s'), t.external_ref));
  return bits.length ? el('div', 'meta', bits.join(' · ')) : null;
}

function kitchenCard (t, index) {
  const card = el('article', 'card');
  card.dataset.ticketId = t.id;
  card.dataset.status = t.status;
  if (t.priority === 'rush') card.classList.add('is-rush');
  if (t.status === 'cancelled') card.classList.add('is-cancelled');
  if (selection.id === t.id) card.classList.add('is-selected');
  if (state.pendingIds.has(t.id)) card.classList.add('is-pending');
  card.setAttribute('aria-label', format(_('Ticket %s'), t.number || ''));
  card.addEventListener('click', () => act.select(t.id));

  card.append(ticketHeader(t, index));
  const meta = ticketMeta(t);
  if (meta) card.append(meta);

  if (t.status === 'cancelled') card.append(el('div', 'banner-cancelled', _('CANCELLED')));

  const changes = t.status === 'cancelled' ? [] : unacknowledgedChanges(t);
  const added = new Set(), altered = new Set();
  if (changes.length) {
    const box = el('div', 'modified');
    const row = el('div', 'modified-head');
    row.append(el('span', 'badge modified-badge', _('MODIFIED')));
    row.append(button('btn small ack', _('OK'), () => act.acknowledge(t), _('Acknowledge the changes')));
    box.append(row);
    const list = el('ul', 'changes');
    for (const c of changes) {
      if (c.item_id && c.kind === 'item_added') added.add(c.item_id);
      else if (c.item_id) altered.add(c.item_id);
      let text = textFor(CHANGE_LABEL, c.kind);
      if (c.before && c.after) text += `: ${c.before} → ${c.after}`;
      else if (c.after || c.before) text += `: ${c.after || c.before}`;
      list.append(el('li', `change change-${c.kind}`, text));
    }
    box.append(list);
    card.append(box);
  }

  if (t.note) card.append(el('div', 'note', t.note));

  const items = el('ul', 'items');
  for (const item of stationItems(t)) {
    items.append(itemRow(t, item, added.has(item.id), altered.has(item.id)));
  }
  card.append(items);

  if (STATION) {
    const others = t.items.filter((i) => i.station && i.station !== STATION && i.status !== 'voided');
    if (others.length) {
      const waiting = others.filter((i) => i.status === 'pending' || i.status === 'preparing').length;
      const text = [format(ngettext('%d item at other stations', '%d items at other stations', others.length), others.length)];
      if (waiting) text.push(format(ngettext('%d not ready', '%d not ready', waiting), waiting));
      card.append(el('div', 'others', text.join(', ')));
    }
  }

  if (state.pendingIds.has(t.id)) card.append(el('div', 'pending-note', linkView.state.startsWith('online') ? _('Sending…') : _('Queued: will send when back online')));

  const actions = el('div', 'card-actions');
  if (t.status === 'cancelled') {
    actions.append(button('btn bump dismiss', _('Dismiss'), () => act.dismiss(t)));
  } else {
    let text = _('Bump');
    /* Translators: a button that marks the ticket served. */
    if (ROLE === 'expo') text = t.status === 'ready' ? pgettext('button', 'Served') : _('Bump ready');
    /* Translators: %s is a kitchen station, such as "grill". */
    else if (STATION) text = format(_('Bump %s'), STATION);
    actions.append(button('btn bump', text, () => act.bump(t), _('Enter bumps the selected ticket')));
  }
  card.append(actions);
  return card;
}

function itemRow (t, item, isAdded, isAltered) {
  const li = el('li', `item status-${item.status}`);
  const row = el('button', 'item-button');
  row.type = 'button';
  row.disabled = !isOpen(t) || !['pending', 'preparing', 'ready'].includes(item.status);
  row.dataset.itemId = item.id;
  /* Translators: an item for screen readers: quantity, name, status. */
  row.setAttribute('aria-label', format(_('%1$d %2$s, %3$s'), item.quantity, item.name, textFor(ITEM_STATUS, item.status)));
  row.addEventListener('click', (e) => {
    e.stopPropagation();
    act.select(t.id);
    act.tapItem(t, item);
  });

  const line = el('span', 'item-line');
  const name = el('span', 'name', item.name);
  /* Inside the name, so they flow with it rather than crowd the pill. */
  if (isAdded) name.append(' ', el('span', 'badge added', _('NEW')));
  else if (isAltered) name.append(' ', el('span', 'badge altered', _('CHANGED')));
  /* Translators: a badge with the item's course number: C1, C2… */
  if (item.course) name.append(' ', el('span', 'badge course', format(_('C%s'), item.course)));
  line.append(el('span', 'qty', `${item.quantity}×`), name,
              el('span', 'item-status', textFor(ITEM_STATUS, item.status)));
  row.append(line);

  if (item.modifiers && item.modifiers.length) {
    const mods = el('ul', 'mods');
    for (const m of item.modifiers) mods.append(el('li', 'mod', m));
    row.append(mods);
  }
  if (item.note) row.append(el('span', 'item-note', item.note));
  if (item.allergens && item.allergens.length) {
    const tags = el('span', 'allergens');
    tags.setAttribute('aria-label', format(_('Allergens: %s'), item.allergens.join(', ')));
    for (const a of item.allergens) tags.append(el('span', 'allergen', a));
    row.append(tags);
  }
  li.append(row);
  return li;
}

function renderFoh () {
  const board = $('board');
  board.classList.add('foh');
  const all = [...state.view.values()];
  const cutoff = now() - SERVED_SHOWN_MS;
  const columns = [
    ['new', _(TICKET_STATUS.new), all.filter((t) => t.status === 'new').sort(inOrder)],
    ['preparing', _(TICKET_STATUS.preparing), all.filter((t) => t.status === 'preparing').sort(inOrder)],
    ['ready', _(TICKET_STATUS.ready), all.filter((t) => t.status === 'ready').sort(inOrder)],
    ['served', _(TICKET_STATUS.served), all.filter((t) => t.status === 'served' && (t.updated_at || 0) > cutoff)
      .sort((a, b) => b.updated_at - a.updated_at).slice(0, 20)],
  ];
  selection.order = columns[2][2].map((t) => t.id);
  if (selection.id && !selection.order.includes(selection.id)) selection.id = null;
  const shown = new Set();
  const sections = columns.map(([status, title, tickets]) => {
    const section = el('section', `column column-${status}`);
    const h = el('h2', 'column-head');
    h.append(el('span', 'column-title', title), el('span', 'count', tickets.length));
    section.append(h);
    const list = el('div', 'column-cards');
    for (const t of tickets) {
      shown.add(t.id);
      list.append(cachedCard(t, selection.order.indexOf(t.id), fohCard));
    }
    if (!tickets.length) list.append(el('p', 'muted column-empty', status === 'ready' ? _('Nothing waiting') : '—'));
    section.append(list);
    return section;
  });
  for (const id of cardCache.keys()) if (!shown.has(id)) cardCache.delete(id);
  board.replaceChildren(...sections);
  $('empty').hidden = true;
  const ready = columns[2][2].length;
  $('counts').textContent = ready ? format(ngettext('%d ready to serve', '%d ready to serve', ready), ready) : _('Nothing ready');
}

function fohCard (t) {
  const card = el('article', `card foh-card status-${t.status}`);
  card.dataset.ticketId = t.id;
  card.dataset.status = t.status;
  if (t.priority === 'rush') card.classList.add('is-rush');
  if (selection.id === t.id) card.classList.add('is-selected');
  if (state.pendingIds.has(t.id)) card.classList.add('is-pending');
  const index = selection.order.indexOf(t.id);
  card.append(ticketHeader(t, index >= 0 ? index : undefined));
  const meta = ticketMeta(t);
  if (meta) card.append(meta);
  const live = t.items.filter((i) => i.status !== 'voided');
  const done = live.filter((i) => i.status === 'ready' || i.status === 'served').length;
  const summary = el('ul', 'summary');
  for (const item of live) {
    const li = el('li', `summary-item status-${item.status}`);
    li.append(el('span', 'qty', `${item.quantity}×`), el('span', 'name', item.name));
    if (item.allergens && item.allergens.length) {
      const tags = el('span', 'allergens');
      for (const a of item.allergens) tags.append(el('span', 'allergen', a));
      li.append(tags);
    }
    summary.append(li);
  }
  card.append(summary);
  if (t.note) card.append(el('div', 'note', t.note));
  /* Translators: items of a ticket, such as "2 of 3 ready". */
  if (t.status === 'preparing') card.append(el('div', 'progress', format(ngettext('%1$d of %2$d ready', '%1$d of %2$d ready', live.length), done, live.length)));
  if (state.pendingIds.has(t.id)) card.append(el('div', 'pending-note', linkView.state.startsWith('online') ? _('Sending…') : _('Queued: will send when back online')));
  const actions = el('div', 'card-actions');
  if (t.status === 'ready') actions.append(button('btn bump serve', _('Mark served'), () => act.bump(t)));
  else if (t.status === 'served') actions.append(button('btn small', _('Undo'), () => act.recall(t.id)));
  if (actions.childElementCount) card.append(actions);
  card.addEventListener('click', () => { if (t.status === 'ready') act.select(t.id); });
  return card;
}

const STATE_TEXT = {
  connecting: N_('Connecting…'),
  'online-websocket': N_('Online (live)'),
  'online-polling': N_('Online (polling)'),
  offline: N_('Offline'),
  unpaired: N_('Not paired'),
};

export function renderConnection () {
  const conn = $('conn');
  conn.dataset.state = linkView.state;
  conn.dataset.queued = String(state.outbox.length);
  $('conn-text').textContent = _(STATE_TEXT[linkView.state]);
  $('conn-queued').textContent = state.outbox.length ? ' · ' + format(ngettext('%d queued', '%d queued', state.outbox.length), state.outbox.length) : '';
  const tips = [];
  /* Translators: the time a message takes to the host and back. */
  if (linkView.latency >= 0 && linkView.state === 'online-websocket') tips.push(format(_('Round trip %d ms'), linkView.latency));
  /* Translators: %s is a time of day. */
  if (state.lastSync) tips.push(format(_('Last sync %s'), new Date(state.lastSync).toLocaleTimeString()));
  if (linkView.lastError) tips.push(linkView.lastError);
  conn.title = tips.join('\n');
  document.documentElement.dataset.conn = linkView.state;
}

export function renderRecallList () {
  const list = $('recall-list');
  const recalls = act.recalls();
  act.setShownRecalls(recalls.map((r) => r.ticket_id));
  list.replaceChildren(...recalls.map((entry, i) => {
    const li = el('li', 'recall-entry');
    const t = state.view.get(entry.ticket_id);
    const when = new Date(entry.bumped_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    /* Translators: %s is a time of day. */
    const text = [t ? act.label(t) : `#${entry.number || '—'}`, format(_('bumped %s'), when)];
    if (t) text.push(textFor(TICKET_STATUS, t.status));
    li.append(button('btn recall-pick', `${i < 9 ? i + 1 + '  ' : ''}${text.join(' · ')}`,
                     () => { if (act.recall(entry.ticket_id)) act.closeRecall(); }));
    return li;
  }));
  $('recall-empty').hidden = recalls.length > 0;
}

/* One shared tick for every timer on the screen. */
export function tick () {
  const t = now();
  if (IS_BOARD) tickBoard();
  for (const timer of document.querySelectorAll('.timer[data-since]')) {
    const age = t - Number(timer.dataset.since);
    const text = formatAge(age);
    if (timer.textContent !== text) timer.textContent = text;
    const card = timer.closest('.card');
    const cls = ageClass(age);
    if (card && card.dataset.age !== cls) card.dataset.age = cls;
  }
}

