/* The screen's state: host-confirmed tickets, plus our unacknowledged
 * ops applied on top for display, kept in localStorage so that a reload
 * (or a reboot) with the host out of reach loses nothing.
 *
 * Several tabs may show the same screen and share its keys, so the
 * outbox is one key per op (see outboxKey), each written and removed on
 * its own and merged from the other tabs' `storage` events: no tab ever
 * writes back a whole outbox over another tab's ops.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { PROFILE } from './config.js';
import { applyOp, isOpen } from './ops.js';

const CACHE_KEEP_CLOSED_MS = 2 * 60 * 60 * 1000;

const storageKey = (name) => `ticketrail:${PROFILE}:${name}`;

export function load (name, fallback) {
  try {
    const text = localStorage.getItem(storageKey(name));
    return text === null ? fallback : JSON.parse(text);
  } catch (e) {
    return fallback;
  }
}

/* The recall list a screen kept before it was shared (recall.js): gone. */
try { localStorage.removeItem(storageKey('recall')); } catch (e) { /* private mode */ }

export function save (name, value) {
  try {
    localStorage.setItem(storageKey(name), JSON.stringify(value));
    return true;
  } catch (e) {
    return false;
  }
}

/* crypto.randomUUID() needs a secure context; a LAN address over plain
 * HTTP is not one, but getRandomValues() works everywhere. */
function uuid () {
  if (typeof crypto.randomUUID === 'function') {
    try {
      return crypto.randomUUID();
    } catch (e) { /* fall through */ }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/* What the rest of the page does when the state changes; app.js sets
 * them, so that this file knows nothing of the page or the link. */
export const hooks = {
  changed () {},              /* something shown changed */
  queued () {},               /* ops were added to the outbox */
  hostChanged (oldView) {},   /* the host sent tickets: @oldView was shown before */
  storageFailed () {},        /* the outbox could not be saved */
  tokenStored () {},          /* another tab paired this screen: a new token */
};

const cache = load('cache', null) || {};

export const state = {
  stationId: load('station_id', null),
  /* The station token from pairing (docs/security.md). It is bound to
   * this screen's station id, so it is kept per profile like the id. */
  token: load('token', null),
  hostId: typeof cache.host_id === 'string' ? cache.host_id : null,
  lastSeq: Number.isSafeInteger(cache.seq) ? cache.seq : 0,
  clockOffset: Number.isFinite(cache.offset) ? cache.offset : 0,
  /* Each entry: { op, acked_seq, order }, by order. acked_seq is set
   * when the host acked it but its event has not reached us yet, so the
   * display does not flicker back in between. */
  outbox: [],
  view: new Map(),
  pendingIds: new Set(),   /* tickets with ops in the outbox */
  acknowledged: load('acknowledged', {}) || {},
  dismissed: load('dismissed', []) || [],
  synced: false,           /* true once the first snapshot or backlog arrived */
  lastSync: 0,
};
if (typeof state.stationId !== 'string' || !state.stationId) {
  state.stationId = uuid();
  save('station_id', state.stationId);
}
if (typeof state.token !== 'string' || !state.token) state.token = null;

export const base = new Map();
for (const t of Array.isArray(cache.tickets) ? cache.tickets : []) {
  if (t && typeof t.id === 'string') base.set(t.id, t);
}

export const now = () => Date.now() + state.clockOffset;

export function setToken (token) {
  state.token = token;
  save('token', token);
}

/* The token in localStorage now: every tab of this screen shares it, and
 * the last one to pair wrote it, so it may be newer than state.token. */
export function storedToken () {
  const token = load('token', null);
  return typeof token === 'string' && token ? token : null;
}

export function rebuildView () {
  const view = new Map(base);
  const pending = new Set();
  for (const entry of state.outbox) {
    const next = applyOp(view.get(entry.op.ticket_id), entry.op, now());
    if (next) view.set(next.id, next);
    pending.add(entry.op.ticket_id);
  }
  state.view = view;
  state.pendingIds = pending;
}

/* The outbox, one key per op: ticketrail:PROFILE:outbox:OP_ID. A key
 * counts only when it names the op it holds, which tells these apart
 * from the keys of a station that happens to be named "outbox". */
const OUTBOX_PREFIX = storageKey('outbox:');

function outboxKey (opId) {
  return OUTBOX_PREFIX + opId;
}

/* The entry stored under @key, or null when it is not one. */
function parseEntry (key, text) {
  if (!key || !key.startsWith(OUTBOX_PREFIX) || text === null) return null;
  let e;
  try { e = JSON.parse(text); } catch (err) { return null; }
  if (!e || !e.op || typeof e.op.op_id !== 'string' || key !== outboxKey(e.op.op_id)) return null;
  return { op: e.op, acked_seq: Number.isSafeInteger(e.acked_seq) ? e.acked_seq : 0,
           order: Number.isFinite(e.order) ? e.order : 0 };
}

const byOrder = (x, y) => (x.order - y.order) || (x.op.op_id < y.op.op_id ? -1 : x.op.op_id > y.op.op_id ? 1 : 0);

function putEntry (e) {
  try {
    localStorage.setItem(outboxKey(e.op.op_id), JSON.stringify({ op: e.op, acked_seq: e.acked_seq || 0, order: e.order }));
  } catch (err) {
    hooks.storageFailed();
  }
}

function dropEntry (opId) {
  try { localStorage.removeItem(outboxKey(opId)); } catch (err) { /* nothing stored */ }
}

function loadOutbox () {
  const entries = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      const e = parseEntry(key, key && key.startsWith(OUTBOX_PREFIX) ? localStorage.getItem(key) : null);
      if (e) entries.push(e);
    }
  } catch (err) { /* no storage: an empty outbox */ }
  /* The single array that earlier versions kept: moved into keys of its
   * own (another tab doing the same at once writes the same keys). */
  const old = load('outbox', null);
  if (Array.isArray(old)) {
    const have = new Set(entries.map((e) => e.op.op_id));
    old.forEach((e, i) => {
      if (!e || !e.op || typeof e.op.op_id !== 'string' || have.has(e.op.op_id)) return;
      const entry = { op: e.op, acked_seq: Number.isSafeInteger(e.acked_seq) ? e.acked_seq : 0, order: i - old.length };
      putEntry(entry);
      entries.push(entry);
    });
    try { localStorage.removeItem(storageKey('outbox')); } catch (err) { /* gone already */ }
  }
  return entries.sort(byOrder);
}
state.outbox = loadOutbox();

/* Submit order across tabs: the clock, kept past every order seen, so
 * that ops made in one tab stay in the order they were made. */
function nextOrder () {
  const last = state.outbox.reduce((m, e) => Math.max(m, e.order), 0);
  return Math.max(Date.now(), Math.floor(last) + 1);
}

/* Keeps the op ids of removed entries out of localStorage too. */
function settleEntries (keep) {
  const kept = [];
  for (const e of state.outbox) {
    if (keep(e)) kept.push(e);
    else dropEntry(e.op.op_id);
  }
  state.outbox = kept;
}

/* Another tab of this screen paired it again (the host then closes the
 * connections that use the old token), or queued, acked or settled an
 * op. A token removed elsewhere is no news: this tab learns from the
 * host whether its own still works. */
addEventListener('storage', (ev) => {
  if (ev.storageArea !== localStorage || ev.key === null) return;
  if (ev.key === storageKey('token')) {
    if (storedToken() !== null) hooks.tokenStored();
    return;
  }
  if (!ev.key.startsWith(OUTBOX_PREFIX)) return;
  const entry = parseEntry(ev.key, ev.newValue);
  const at = state.outbox.findIndex((e) => outboxKey(e.op.op_id) === ev.key);
  if (!entry) {
    if (at < 0 || ev.newValue !== null) return;
    state.outbox.splice(at, 1);
  } else if (at >= 0) {
    state.outbox[at].acked_seq = Math.max(state.outbox[at].acked_seq || 0, entry.acked_seq);
  } else if (!(entry.acked_seq && entry.acked_seq <= state.lastSeq)) {
    state.outbox.push(entry);
    state.outbox.sort(byOrder);
  } else {
    return;
  }
  rebuildView();
  hooks.changed();
  /* This tab's link sends it too, should the other tab close first; the
   * op id makes the repeat harmless. */
  if (entry && at < 0) hooks.queued();
});

let cacheTimer = 0;
function saveCacheSoon () {
  if (cacheTimer) return;
  cacheTimer = setTimeout(saveCacheNow, 300);
}

function saveCacheNow () {
  clearTimeout(cacheTimer);
  cacheTimer = 0;
  const cutoff = now() - CACHE_KEEP_CLOSED_MS;
  const tickets = [];
  for (const t of base.values()) {
    if (isOpen(t) || (t.updated_at || 0) > cutoff) tickets.push(t);
  }
  save('cache', { host_id: state.hostId, seq: state.lastSeq, offset: state.clockOffset, tickets });
}

addEventListener('pagehide', () => { if (cacheTimer) saveCacheNow(); });

export function makeOp (fields) {
  return Object.assign({ op_id: uuid(), station_id: state.stationId, at: now() }, fields);
}

/* Queues @ops (all or nothing: each must apply on top of the last) and
 * shows their effect at once. */
export function submit (ops) {
  const scratch = new Map(state.view);
  for (const op of ops) {
    const next = applyOp(scratch.get(op.ticket_id), op, now());
    if (!next) return false;
    scratch.set(next.id, next);
  }
  for (const op of ops) {
    const entry = { op, acked_seq: 0, order: nextOrder() };
    state.outbox.push(entry);
    putEntry(entry);
  }
  rebuildView();
  hooks.changed();
  hooks.queued();
  return true;
}

function settleOp (opId) {
  settleEntries((e) => e.op.op_id !== opId);
}

/* The host's answer to one of our ops: null, or the host's reason when
 * it refused it. */
export function handleAck (ack) {
  if (!ack || typeof ack.op_id !== 'string') return null;
  const entry = state.outbox.find((e) => e.op.op_id === ack.op_id);
  if (!entry) return null;
  let refused = null;
  if (ack.result === 'rejected') {
    settleOp(ack.op_id);
    refused = ack.error && ack.error.message ? ack.error.message : '';
  } else if (Number.isSafeInteger(ack.seq) && ack.seq > state.lastSeq) {
    entry.acked_seq = ack.seq;
    /* Unless another tab settled it meanwhile: not brought back. */
    try {
      if (localStorage.getItem(outboxKey(entry.op.op_id)) !== null) putEntry(entry);
    } catch (e) { /* not stored */ }
  } else {
    settleOp(ack.op_id);
  }
  rebuildView();
  hooks.changed();
  return refused;
}

/* A new host, or a fresh database there: our seq numbers mean nothing. */
export function setHost (hostId) {
  if (hostId === state.hostId) return;
  state.hostId = hostId;
  state.lastSeq = 0;
}

export function applySnapshot (frame) {
  const before = new Map(base);
  base.clear();
  for (const t of frame.tickets || []) base.set(t.id, t);
  state.lastSeq = frame.seq || 0;
  afterHostChange(before);
}

/* Applies @events in seq order up to the first gap: an event whose seq
 * is not the last one's + 1 means the stream lost events, and applying
 * it would leave the tickets of the lost ones behind for good. Returns
 * null, or { expected, got } for the gap; the caller resyncs. What came
 * before the gap is applied. */
export function applyEvents (events) {
  const before = new Map(base);
  let changed = false;
  let gap = null;
  for (const ev of events || []) {
    if (!ev || !ev.ticket || !Number.isSafeInteger(ev.seq) || ev.seq <= state.lastSeq) continue;
    if (ev.seq !== state.lastSeq + 1) {
      gap = { expected: state.lastSeq + 1, got: ev.seq };
      break;
    }
    base.set(ev.ticket.id, ev.ticket);
    state.lastSeq = ev.seq;
    settleOp(ev.op_id); /* our own op came back: done, even if its ack got lost */
    changed = true;
  }
  if (changed) afterHostChange(before);
  return gap;
}

function afterHostChange (before) {
  settleEntries((e) => !(e.acked_seq && e.acked_seq <= state.lastSeq));
  const oldView = state.view;
  rebuildView();
  if (state.synced || before.size > 0) hooks.hostChanged(oldView);
  state.synced = true;
  state.lastSync = Date.now();
  saveCacheSoon();
  hooks.changed();
}
