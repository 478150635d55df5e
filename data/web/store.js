/* The screen's state: host-confirmed tickets, plus our unacknowledged
 * ops applied on top for display, kept in localStorage so that a reload
 * (or a reboot) with the host out of reach loses nothing.
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
  /* Each entry: { op, acked_seq }. acked_seq is set when the host acked
   * it but its event has not reached us yet, so the display does not
   * flicker back in between. */
  outbox: (load('outbox', []) || []).filter((e) => e && e.op && typeof e.op.op_id === 'string'),
  view: new Map(),
  pendingIds: new Set(),   /* tickets with ops in the outbox */
  recallStack: load('recall', []) || [],
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

function saveOutbox () {
  if (!save('outbox', state.outbox.map((e) => ({ op: e.op, acked_seq: e.acked_seq || 0 })))) hooks.storageFailed();
}

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
  for (const op of ops) state.outbox.push({ op, acked_seq: 0 });
  saveOutbox();
  rebuildView();
  hooks.changed();
  hooks.queued();
  return true;
}

function settleOp (opId) {
  state.outbox = state.outbox.filter((e) => e.op.op_id !== opId);
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
  } else {
    settleOp(ack.op_id);
  }
  saveOutbox();
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

export function applyEvents (events) {
  const before = new Map(base);
  let changed = false;
  for (const ev of events || []) {
    if (!ev || !ev.ticket || !Number.isSafeInteger(ev.seq) || ev.seq <= state.lastSeq) continue;
    base.set(ev.ticket.id, ev.ticket);
    state.lastSeq = ev.seq;
    settleOp(ev.op_id); /* our own op came back: done, even if its ack got lost */
    changed = true;
  }
  if (changed) afterHostChange(before);
}

function afterHostChange (before) {
  state.outbox = state.outbox.filter((e) => !(e.acked_seq && e.acked_seq <= state.lastSeq));
  saveOutbox();
  const oldView = state.view;
  rebuildView();
  if (state.synced || before.size > 0) hooks.hostChanged(oldView);
  state.synced = true;
  state.lastSync = Date.now();
  saveCacheSoon();
  hooks.changed();
}
