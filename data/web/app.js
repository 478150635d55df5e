/* Ticketrail browser display: a kitchen or front-of-house station that
 * speaks protocol v1 (docs/protocol.md) with the host that serves it.
 *
 * All text from tickets goes into the page through textContent, never
 * as markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
'use strict';

(() => {
  const WARN_MS = 8 * 60 * 1000;
  const LATE_MS = 15 * 60 * 1000;
  const HEARTBEAT_MS = 5000;
  const DEAD_MS = 15000;
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 30000;
  const WS_RETRY_MS = 60000;
  const POLL_WAIT_S = 25;
  const WS_FAILURES_BEFORE_POLLING = 3;
  const RECALL_DEPTH = 10;
  const CANCELLED_SHOWN_MS = 30 * 60 * 1000;
  const SERVED_SHOWN_MS = 30 * 60 * 1000;
  const CACHE_KEEP_CLOSED_MS = 2 * 60 * 60 * 1000;
  const MAX_OPS_PER_FRAME = 100;

  /* ---------------------------------------------------------------- */
  /* Translations. The msgids are the English text; the host serves a  */
  /* catalog per language of po/LINGUAS, built from the .po files      */
  /* (data/web/build-catalogs.py). Anything wrong with one leaves the  */
  /* page in English.                                                  */
  /* ---------------------------------------------------------------- */

  const CATALOG_WAIT_MS = 3000;
  const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

  /* { language, plural, messages }: plural is Plural-Forms as a tree of
   * [operator, operands...] (the page may not eval), messages maps a
   * msgid (after "context\u0004" for pgettext) to its msgstr, or to
   * the list of plural forms. */
  let catalog = null;

  function lookup (key) {
    return catalog ? catalog.messages[key] : undefined;
  }

  function _ (msgid) {
    const s = lookup(msgid);
    if (typeof s === 'string' && s) return s;
    /* An NC_() key untranslated: its msgid, without the context. */
    const eot = msgid.indexOf('\u0004');
    return eot < 0 ? msgid : msgid.slice(eot + 1);
  }

  /* Marks a string for xgettext; _() translates it where it is shown. */
  function N_ (msgid) {
    return msgid;
  }

  /* The same with a context, for words whose translation depends on what
   * they describe (Spanish: an item is "Listo", a ticket "Lista"). */
  function NC_ (context, msgid) {
    return context + '\u0004' + msgid;
  }

  function pgettext (context, msgid) {
    const s = lookup(context + '\u0004' + msgid);
    return typeof s === 'string' && s ? s : msgid;
  }

  function ngettext (singular, plural, n) {
    const forms = lookup(singular);
    if (Array.isArray(forms)) {
      const s = forms[pluralForm(n)];
      if (typeof s === 'string' && s) return s;
    }
    return n === 1 ? singular : plural;
  }

  const PLURAL_OPS = {
    '==': (x, y) => +(x === y), '!=': (x, y) => +(x !== y),
    '<': (x, y) => +(x < y), '>': (x, y) => +(x > y), '<=': (x, y) => +(x <= y), '>=': (x, y) => +(x >= y),
    '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y,
    '/': (x, y) => (y ? Math.trunc(x / y) : 0), '%': (x, y) => (y ? x % y : 0),
  };

  function evalPlural (e, n) {
    if (e === 'n') return n;
    if (Number.isInteger(e)) return e;
    if (!Array.isArray(e)) throw new TypeError('bad plural expression');
    const [op, a, b, c] = e;
    const x = evalPlural(a, n);
    if (op === '!') return +!x;
    if (op === '?') return evalPlural(x ? b : c, n);
    if (op === '&&') return +(!!x && !!evalPlural(b, n));
    if (op === '||') return +(!!x || !!evalPlural(b, n));
    if (!has(PLURAL_OPS, op)) throw new TypeError('bad plural operator');
    return PLURAL_OPS[op](x, evalPlural(b, n));
  }

  /* -1 (no such form) falls back to English. */
  function pluralForm (n) {
    try {
      return evalPlural(catalog.plural, Math.abs(Math.trunc(Number(n) || 0)));
    } catch (e) {
      return -1;
    }
  }

  /* printf's %s, %d and %%, with %2$s and the like so that a translation
   * may reorder them (xgettext's javascript-format). */
  function format (template, ...args) {
    let next = 0;
    return template.replace(/%(?:(\d+)\$)?([sd%])/g, (match, position, conversion) => {
      if (conversion === '%') return '%';
      const value = args[position ? Number(position) - 1 : next++];
      return conversion === 'd' ? String(Math.trunc(Number(value))) : String(value);
    });
  }

  /* The first of the browser's languages the host has a catalog for,
   * by full tag then by primary subtag ("es-MX", then "es"). English
   * is the msgids: it needs no catalog, and wins where it comes first. */
  function pickLanguage (tags, available) {
    for (const tag of tags) {
      const full = String(tag).toLowerCase().replace(/_/g, '-');
      const primary = full.split('-')[0];
      if (has(available, full)) return available[full];
      if (primary === 'en') return null;
      if (has(available, primary)) return available[primary];
    }
    return null;
  }

  /* One attempt at a file; a request that hangs (a dead connection) is
   * given up and tried again, so a catalog that comes late still comes. */
  const CATALOG_ATTEMPT_MS = CATALOG_WAIT_MS * 5;
  const CATALOG_RETRY_MIN_MS = 1000;
  const CATALOG_RETRY_MAX_MS = 10000;

  /* What went wrong with the host's answer, and whether it may pass. */
  class CatalogError extends Error {
    constructor (message, { transient }) {
      super(message);
      this.transient = transient;
    }
  }

  async function fetchCatalogFile (name) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), CATALOG_ATTEMPT_MS);
    let res;
    try {
      res = await fetch('/static/' + name, { signal: ctl.signal });
    } catch (e) {
      /* No answer: the network, or an attempt that hung and was aborted. */
      clearTimeout(timer);
      throw new CatalogError(`${name}: ${e.message}`, { transient: true });
    }
    try {
      /* A busy host (429, 503) may answer later; any other status will not change. */
      if (!res.ok) throw new CatalogError(`${name}: ${res.status}`, { transient: res.status === 429 || res.status >= 500 });
      return await res.json().catch((e) => {
        throw new CatalogError(`${name}: ${e.message}`, { transient: e.name === 'AbortError' });
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /* One try: a usable catalog, null when there is none for the browser's
   * languages or the host's is unusable, or a transient CatalogError. */
  async function tryLoadCatalog (tags) {
    try {
      const index = await fetchCatalogFile('i18n.json');
      const available = index && typeof index.languages === 'object' && index.languages !== null ? index.languages : {};
      const file = pickLanguage(tags, available);
      if (typeof file !== 'string') return null;
      const c = await fetchCatalogFile(file);
      if (!c || typeof c.messages !== 'object' || c.messages === null || Array.isArray(c.messages)) return null;
      return { language: typeof c.language === 'string' ? c.language : '', plural: c.plural, messages: c.messages };
    } catch (e) {
      if (e instanceof CatalogError && e.transient) throw e;
      return null;
    }
  }

  /* Resolves to a usable catalog or null; never rejects. A failure that
   * may pass (no answer, a busy host) is tried again for as long as the
   * page is open: a screen that started while the network was down gets
   * its language when it is back. */
  async function loadCatalog () {
    const tags = [...(navigator.languages || []), navigator.language].filter(Boolean);
    /* Nothing to fetch for a browser that puts English first. */
    if (!tags.length || String(tags[0]).toLowerCase().split(/[-_]/)[0] === 'en') return null;
    for (let delay = CATALOG_RETRY_MIN_MS; ; delay = Math.min(delay * 2, CATALOG_RETRY_MAX_MS)) {
      try {
        return await tryLoadCatalog(tags);
      } catch (e) {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /* ---------------------------------------------------------------- */
  /* Configuration from the URL                                        */
  /* ---------------------------------------------------------------- */

  const params = new URLSearchParams(location.search);
  const ROLE = ['kitchen', 'expo', 'foh'].includes(params.get('role')) ? params.get('role') : 'kitchen';
  const STATION = ROLE === 'foh' ? null : (params.get('station') || '').trim().slice(0, 100) || null;
  const IS_FOH = ROLE === 'foh';
  const PROFILE = ROLE + (STATION ? ':' + STATION : '');
  /* English in STATION_NAME, which the host shows to its own users. */
  const ROLE_LABEL = { kitchen: N_('Kitchen'), expo: N_('Expo'), foh: N_('Front of house') }[ROLE];

  /* ---------------------------------------------------------------- */
  /* Storage: one set of keys per role and station, so two tabs showing  */
  /* different screens don't share an outbox.                          */
  /* ---------------------------------------------------------------- */

  const storageKey = (name) => `ticketrail:${PROFILE}:${name}`;

  function load (name, fallback) {
    try {
      const text = localStorage.getItem(storageKey(name));
      return text === null ? fallback : JSON.parse(text);
    } catch (e) {
      return fallback;
    }
  }

  function save (name, value) {
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

  let stationId = load('station_id', null);
  if (typeof stationId !== 'string' || !stationId) {
    stationId = uuid();
    save('station_id', stationId);
  }
  const STATION_NAME = `Browser (${STATION || ROLE_LABEL.toLowerCase()})`;

  /* The station token from pairing (docs/security.md). It is bound to
   * this screen's station id, so it is kept per profile like the id. A
   * pairing link (/?pair=CODE) carries a code to trade for one. */
  let token = load('token', null);
  if (typeof token !== 'string' || !token) token = null;
  const PAIR_CODE = (params.get('pair') || '').replace(/[^0-9]/g, '').slice(0, 8) || null;
  if (params.has('pair')) {
    /* Not left in the address bar, the history or a bookmark. */
    params.delete('pair');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }

  /* ---------------------------------------------------------------- */
  /* The model: host-confirmed tickets, plus our unacknowledged ops    */
  /* applied on top for display (the same rules as tr-op-apply.c).     */
  /* ---------------------------------------------------------------- */

  const cache = load('cache', null) || {};
  let hostId = typeof cache.host_id === 'string' ? cache.host_id : null;
  let lastSeq = Number.isSafeInteger(cache.seq) ? cache.seq : 0;
  let clockOffset = Number.isFinite(cache.offset) ? cache.offset : 0;
  const base = new Map();
  for (const t of Array.isArray(cache.tickets) ? cache.tickets : []) {
    if (t && typeof t.id === 'string') base.set(t.id, t);
  }

  /* Each entry: { op, acked_seq }. acked_seq is set when the host acked
   * it but its event has not reached us yet, so the display does not
   * flicker back in between. */
  let outbox = (load('outbox', []) || []).filter((e) => e && e.op && typeof e.op.op_id === 'string');
  let view = new Map();
  const sentOnLink = new Set(); /* op ids sent on the current connection */

  let recallStack = load('recall', []) || [];
  const acknowledged = load('acknowledged', {}) || {};
  let dismissed = load('dismissed', []) || [];

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
  const isOpen = (t) => t.status === 'new' || t.status === 'preparing' || t.status === 'ready';
  const now = () => Date.now() + clockOffset;

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

  /* Returns the ticket after @op, or null when the op does not apply. */
  function applyOp (current, op) {
    if (!current) return null;
    const t = clone(current);
    const at = now();
    if (op.kind === 'set_ticket_status') {
      const from = t.status, to = op.status;
      if (!(TICKET_NEXT[from] || []).includes(to)) return null;
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
    } else if (op.kind === 'set_item_status') {
      if (!isOpen(t)) return null;
      const item = t.items.find((i) => i.id === op.item_id);
      if (!item || !(ITEM_NEXT[item.status] || []).includes(op.status)) return null;
      moveItem(item, op.status, at);
      const derived = deriveStatus(t);
      if (derived !== t.status) {
        if (!isRecall(t.status, derived)) t.recall_status = t.status;
        t.status = derived;
      }
    } else {
      return null;
    }
    t.version = (t.version || 0) + 1;
    t.updated_at = at;
    return t;
  }

  function rebuildView () {
    view = new Map(base);
    const pendingTickets = new Set();
    for (const entry of outbox) {
      const next = applyOp(view.get(entry.op.ticket_id), entry.op);
      if (next) view.set(next.id, next);
      pendingTickets.add(entry.op.ticket_id);
    }
    pendingIds = pendingTickets;
  }
  let pendingIds = new Set();

  /* ---------------------------------------------------------------- */
  /* Persistence                                                       */
  /* ---------------------------------------------------------------- */

  function saveOutbox () {
    if (!save('outbox', outbox.map((e) => ({ op: e.op, acked_seq: e.acked_seq || 0 })))) {
      toast(_('This browser cannot store queued bumps: keep the screen online.'), 'error');
    }
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
    save('cache', { host_id: hostId, seq: lastSeq, offset: clockOffset, tickets });
  }

  addEventListener('pagehide', () => { if (cacheTimer) saveCacheNow(); });

  /* ---------------------------------------------------------------- */
  /* Ops                                                               */
  /* ---------------------------------------------------------------- */

  function makeOp (fields) {
    return Object.assign({ op_id: uuid(), station_id: stationId, at: now() }, fields);
  }

  /* Queues @ops (all or nothing: each must apply on top of the last),
   * shows their effect at once and sends them if connected. */
  function submit (ops) {
    const scratch = new Map(view);
    for (const op of ops) {
      const next = applyOp(scratch.get(op.ticket_id), op);
      if (!next) return false;
      scratch.set(next.id, next);
    }
    for (const op of ops) outbox.push({ op, acked_seq: 0 });
    saveOutbox();
    rebuildView();
    render();
    link.flush();
    return true;
  }

  function setTicketStatus (ticket, status) {
    return submit([makeOp({ kind: 'set_ticket_status', ticket_id: ticket.id, status })]);
  }

  function settleOp (opId) {
    const before = outbox.length;
    outbox = outbox.filter((e) => e.op.op_id !== opId);
    sentOnLink.delete(opId);
    return outbox.length !== before;
  }

  function handleAck (ack) {
    if (!ack || typeof ack.op_id !== 'string') return;
    const entry = outbox.find((e) => e.op.op_id === ack.op_id);
    if (!entry) return;
    if (ack.result === 'rejected') {
      settleOp(ack.op_id);
      const why = ack.error && ack.error.message ? ack.error.message : _('rejected');
      /* Translators: %s is the host's reason. */
      toast(format(_('The host refused a change: %s'), why), 'error');
    } else if (Number.isSafeInteger(ack.seq) && ack.seq > lastSeq) {
      entry.acked_seq = ack.seq;
    } else {
      settleOp(ack.op_id);
    }
    saveOutbox();
    rebuildView();
    render();
  }

  /* ---------------------------------------------------------------- */
  /* Applying what the host sends                                      */
  /* ---------------------------------------------------------------- */

  let synced = false; /* true once the first snapshot or backlog arrived */

  function applySnapshot (frame) {
    const before = new Map(base);
    base.clear();
    for (const t of frame.tickets || []) base.set(t.id, t);
    lastSeq = frame.seq || 0;
    afterHostChange(before);
  }

  function applyEvents (events) {
    const before = new Map(base);
    let changed = false;
    for (const ev of events || []) {
      if (!ev || !ev.ticket || !Number.isSafeInteger(ev.seq) || ev.seq <= lastSeq) continue;
      base.set(ev.ticket.id, ev.ticket);
      lastSeq = ev.seq;
      settleOp(ev.op_id); /* our own op came back: done, even if its ack got lost */
      changed = true;
    }
    if (changed) afterHostChange(before);
  }

  function afterHostChange (before) {
    outbox = outbox.filter((e) => !(e.acked_seq && e.acked_seq <= lastSeq));
    saveOutbox();
    const oldView = view;
    rebuildView();
    if (synced || before.size > 0) announce(oldView);
    synced = true;
    lastSync = Date.now();
    saveCacheSoon();
    render();
  }

  /* Sound for what is new to this screen: a ticket appearing in the
   * kitchen, an order becoming ready for the front of house. */
  function announce (oldView) {
    let chime = false;
    for (const t of view.values()) {
      const old = oldView.get(t.id);
      if (IS_FOH || ROLE === 'expo') {
        if (t.status === 'ready' && (!old || old.status !== 'ready')) chime = true;
      }
      if (!IS_FOH && t.status !== 'cancelled' && isShownInKitchen(t) && (!old || !isShownInKitchen(old))) chime = true;
    }
    if (chime) sound.play(IS_FOH ? 'ready' : 'new');
  }

  /* ---------------------------------------------------------------- */
  /* The link to the host: WebSocket, or long-polling when WebSocket    */
  /* cannot connect. The same states as the GTK client.                */
  /* ---------------------------------------------------------------- */

  let lastSync = 0;

  const link = {
    state: 'connecting',
    mode: 'websocket',       /* or 'polling' */
    ws: null,
    wsProbe: null,           /* a WebSocket tried while polling */
    wsFailures: 0,
    backoff: BACKOFF_MIN_MS,
    retryTimer: 0,
    probeTimer: 0,
    heartbeatTimer: 0,
    lastFrameAt: 0,
    latency: -1,
    lastError: null,
    poll: null,              /* { controller } of the running long-poll */
    generation: 0,
    forceSnapshot: false,

    setState (state) {
      if (this.state === state) return;
      this.state = state;
      renderConnection();
    },

    start () {
      this.connect();
    },

    /* Stops everything that runs and starts a new generation, so that
     * late callbacks of the old one do nothing. */
    reset () {
      this.generation++;
      clearTimeout(this.retryTimer);
      clearTimeout(this.probeTimer);
      clearInterval(this.heartbeatTimer);
      this.retryTimer = this.probeTimer = this.heartbeatTimer = 0;
      for (const ws of [this.ws, this.wsProbe]) {
        if (ws) {
          ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
          try { ws.close(1000); } catch (e) { /* already closed */ }
        }
      }
      this.ws = this.wsProbe = null;
      if (this.poll) this.poll.controller.abort();
      this.poll = null;
      sentOnLink.clear();
    },

    connect () {
      this.reset();
      if (!token) {
        this.unpaired(null);
        return;
      }
      if (navigator.onLine === false) {
        this.setState('offline');
        return; /* the 'online' event brings us back */
      }
      this.setState('connecting');
      if (this.mode === 'polling') this.startPolling();
      else this.openWebSocket(false);
    },

    scheduleRetry () {
      const gen = this.generation;
      /* Exponential, with jitter so a room of screens does not come back
       * in lockstep after the host restarts. */
      const delay = this.backoff * (0.5 + Math.random() * 0.5);
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => { if (gen === this.generation) this.connect(); }, delay);
    },

    refresh () {
      this.backoff = BACKOFF_MIN_MS;
      this.wsFailures = 0;
      this.mode = 'websocket';
      this.forceSnapshot = true;
      this.connect();
    },

    wsUrl () {
      return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/ws';
    },

    helloFrame () {
      const fresh = this.forceSnapshot || !hostId;
      return {
        type: 'hello',
        protocol: 1,
        station: { id: stationId, name: STATION_NAME, role: ROLE },
        token,
        host_id: fresh ? null : hostId,
        since: fresh ? 0 : lastSeq,
      };
    },

    openWebSocket (probe) {
      const gen = this.generation;
      let ws;
      try {
        ws = new WebSocket(this.wsUrl(), 'ticketrail.v1');
      } catch (e) {
        this.wsFailed(gen, probe, false);
        return;
      }
      let welcomed = false;
      if (probe) this.wsProbe = ws;
      else this.ws = ws;

      ws.onopen = () => {
        ws.send(JSON.stringify(this.helloFrame()));
      };
      ws.onmessage = (e) => {
        if (gen !== this.generation) return;
        let frame;
        try {
          frame = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        this.lastFrameAt = Date.now();
        if (frame.type === 'welcome') {
          welcomed = true;
          if (probe) this.promoteProbe(ws);
          this.onWelcome(frame);
          return;
        }
        this.handleFrame(frame);
      };
      ws.onclose = (e) => {
        if (gen !== this.generation || (ws !== this.ws && ws !== this.wsProbe)) return;
        /* A probe that took over is the main connection now. */
        const wasProbe = ws === this.wsProbe;
        if (wasProbe) this.wsProbe = null;
        else this.ws = null;
        if (e.code === 4401 || e.code === 4403) {
          /* Retrying with the same token cannot help: ask for a code. */
          this.unpaired(e.code === 4403 ? 'revoked' : 'unknown');
          return;
        }
        if (e.reason) this.lastError = e.reason;
        this.wsFailed(gen, wasProbe, welcomed);
      };
    },

    /* A WebSocket closed or never opened. */
    async wsFailed (gen, probe, wasWelcomed) {
      clearInterval(this.heartbeatTimer);
      sentOnLink.clear();
      if (probe) {
        /* Still polling: try again in a minute. */
        this.scheduleProbe();
        return;
      }
      if (wasWelcomed) {
        this.setState('offline');
        this.backoff = BACKOFF_MIN_MS;
        this.scheduleRetry();
        return;
      }
      this.setState('offline');
      /* Only count failures while the host answers over plain HTTP: a
       * host that is down is not a reason to give up on WebSocket. */
      const healthy = await this.checkHealth();
      if (gen !== this.generation) return;
      if (healthy) this.wsFailures++;
      if (healthy && this.wsFailures >= WS_FAILURES_BEFORE_POLLING) {
        this.mode = 'polling';
        this.connect();
      } else {
        this.scheduleRetry();
      }
    },

    async checkHealth () {
      try {
        const health = await fetchJson('/api/v1/health', { timeout: 5000 });
        return !!health && health.status === 'ok' ? health : null;
      } catch (e) {
        return null;
      }
    },

    onWelcome (frame) {
      if (frame.host_id !== hostId) {
        /* Another host (or a fresh database): a snapshot follows, and our
         * seq numbers mean nothing there. */
        hostId = frame.host_id;
        lastSeq = 0;
      }
      this.forceSnapshot = false;
      if (Number.isSafeInteger(frame.server_time)) clockOffset = frame.server_time - Date.now();
      this.wsFailures = 0;
      this.backoff = BACKOFF_MIN_MS;
      this.lastError = null;
      this.setState('online-websocket');
      this.startHeartbeat();
      this.flush();
    },

    /* The probe connected while we were polling: it takes over. */
    promoteProbe (ws) {
      if (this.poll) this.poll.controller.abort();
      this.poll = null;
      clearTimeout(this.probeTimer);
      this.mode = 'websocket';
      this.ws = ws;
      this.wsProbe = null;
      sentOnLink.clear();
    },

    startHeartbeat () {
      clearInterval(this.heartbeatTimer);
      const gen = this.generation;
      this.heartbeatTimer = setInterval(() => {
        if (gen !== this.generation || !this.ws) return;
        if (Date.now() - this.lastFrameAt > DEAD_MS) {
          /* A dead peer never completes a close handshake: drop it now. */
          const ws = this.ws;
          this.ws = null;
          ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
          try { ws.close(4010, 'dead peer'); } catch (e) { /* ignore */ }
          this.lastError = _('The host stopped answering');
          this.wsFailed(gen, false, true);
          return;
        }
        const ping = { type: 'ping', t: Date.now(), last_seq: lastSeq, queued: outbox.length };
        if (this.latency >= 0) ping.latency_ms = this.latency;
        this.send(ping);
      }, HEARTBEAT_MS);
    },

    send (frame) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
      this.ws.send(JSON.stringify(frame));
      return true;
    },

    handleFrame (frame) {
      switch (frame.type) {
        case 'snapshot':
          if (frame.host_id && frame.host_id !== hostId) hostId = frame.host_id;
          applySnapshot(frame);
          break;
        case 'events':
          applyEvents(frame.events);
          break;
        case 'ack':
          handleAck(frame);
          break;
        case 'pong':
          if (Number.isFinite(frame.t)) this.latency = Date.now() - frame.t;
          renderConnection();
          break;
        case 'error':
          this.lastError = frame.message || frame.code || _('protocol error');
          renderConnection();
          break;
        default:
          break;
      }
    },

    /* Sends whatever the outbox holds that this connection has not sent. */
    flush () {
      const unsent = outbox.filter((e) => !sentOnLink.has(e.op.op_id));
      if (!unsent.length) return;
      if (this.state === 'online-websocket' && this.ws) {
        for (let i = 0; i < unsent.length; i += MAX_OPS_PER_FRAME) {
          const ops = unsent.slice(i, i + MAX_OPS_PER_FRAME).map((e) => e.op);
          if (!this.send(ops.length === 1 ? { type: 'op', op: ops[0] } : { type: 'ops', ops })) return;
          ops.forEach((op) => sentOnLink.add(op.op_id));
        }
      } else if (this.state === 'online-polling') {
        this.postOps(unsent.slice(0, MAX_OPS_PER_FRAME).map((e) => e.op));
      }
    },

    async postOps (ops) {
      const gen = this.generation;
      ops.forEach((op) => sentOnLink.add(op.op_id));
      try {
        const reply = await fetchJson('/api/v1/ops', { method: 'POST', body: ops, timeout: 15000 });
        const acks = Array.isArray(reply) ? reply : (reply && Array.isArray(reply.acks) ? reply.acks : [reply]);
        acks.forEach(handleAck);
        if (gen === this.generation) this.flush();
      } catch (e) {
        /* Unsent after all: the next connection sends them again; the op
         * ids make a repeat harmless. */
        ops.forEach((op) => sentOnLink.delete(op.op_id));
        if (e instanceof HttpError && e.status === 401 && gen === this.generation) this.unpaired(e.reason || 'unknown');
        else if (gen === this.generation && this.mode === 'polling' && !(e instanceof HttpError)) this.pollFailed(gen);
      }
    },

    async startPolling () {
      const gen = this.generation;
      const health = await this.checkHealth();
      if (gen !== this.generation) return;
      if (!health) {
        this.setState('offline');
        this.scheduleRetry();
        return;
      }
      if (health.host_id && health.host_id !== hostId) {
        hostId = health.host_id;
        lastSeq = 0;
      }
      if (this.forceSnapshot) lastSeq = 0;
      this.forceSnapshot = false;
      this.backoff = BACKOFF_MIN_MS;
      this.setState('online-polling');
      this.scheduleProbe();
      this.flush();
      for (;;) {
        const poll = { controller: new AbortController() };
        this.poll = poll;
        let reply;
        try {
          reply = await fetchJson(this.pollUrl(), { controller: poll.controller, timeout: (POLL_WAIT_S + 10) * 1000 });
        } catch (e) {
          if (this.poll === poll && e instanceof HttpError && e.status === 401) this.unpaired(e.reason || 'unknown');
          else if (this.poll === poll) this.pollFailed(gen);
          return;
        }
        /* Reset, or a WebSocket took over. */
        if (this.poll !== poll) return;
        /* Events from another host than we know: our seq means nothing
         * there, so ask again for a snapshot. */
        if (reply && reply.type !== 'snapshot' && reply.host_id && reply.host_id !== hostId) {
          hostId = reply.host_id;
          lastSeq = 0;
          continue;
        }
        if (reply) this.handleFrame(reply.type ? reply : Object.assign({ type: 'events' }, reply));
        this.setState('online-polling');
        this.flush();
      }
    },

    /* The station's identity rides along so that the host's monitor
     * lists a polling browser too. */
    pollUrl () {
      const q = new URLSearchParams({ since: String(lastSeq), wait: String(POLL_WAIT_S), station_id: stationId,
                                      name: STATION_NAME, role: ROLE });
      if (hostId) q.set('host_id', hostId);
      return `/api/v1/events?${q}`;
    },

    pollFailed (gen) {
      if (gen !== this.generation) return;
      this.reset();
      this.setState('offline');
      this.scheduleRetry();
    },

    scheduleProbe () {
      const gen = this.generation;
      clearTimeout(this.probeTimer);
      this.probeTimer = setTimeout(() => {
        if (gen === this.generation && this.mode === 'polling' && !this.wsProbe) this.openWebSocket(true);
      }, WS_RETRY_MS);
    },

    /* The host does not (or no longer) accept our token: stop, forget
     * it, and show the pairing form. Ops stay in the outbox for later. */
    unpaired (reason) {
      this.reset();
      if (reason && token) {
        token = null;
        save('token', null);
      }
      this.lastError = reason === 'revoked' ? _('The host revoked this screen\'s pairing')
        : reason ? _('The host does not know this screen') : _('This screen is not paired');
      this.setState('unpaired');
      pairing.show(reason);
    },

    /* The browser knows before any heartbeat does. */
    wentOffline () {
      this.reset();
      this.setState('offline');
    },

    cameOnline () {
      if (this.state === 'unpaired') return;
      this.backoff = BACKOFF_MIN_MS;
      this.connect();
    },
  };

  class HttpError extends Error {
    constructor (status, message, reason) {
      super(`${status} ${message}`);
      this.status = status;
      this.reason = reason || null;
    }
  }

  /* ---------------------------------------------------------------- */
  /* Pairing: a code from the host for a station token                  */
  /* ---------------------------------------------------------------- */

  const pairing = {
    busy: false,

    reason: null,

    show (reason) {
      this.reason = reason;
      $('pair-panel').hidden = false;
      const why = $('pair-why');
      if (reason === 'revoked') {
        why.textContent = _('The host revoked this screen\'s pairing. Ask for a new pairing code on the host to pair it again.');
      } else if (reason) {
        why.textContent = _('The host does not know this screen (it was reset, or paired it again elsewhere). Enter a new pairing code from the host.');
      } else {
        /* Translators: %s is the command "ticketrail-host pair". */
        const [before, after] = splitOnce(_('Only paired screens may show orders. On the host, open the station monitor (or run %s) for a pairing code, then enter it here.'));
        why.replaceChildren(before, el('code', null, 'ticketrail-host pair'), after);
      }
      if (!this.busy) $('pair-code').focus();
    },

    hide () {
      $('pair-panel').hidden = true;
      $('pair-message').textContent = '';
      $('pair-code').value = '';
    },

    async pair (code) {
      if (this.busy) return;
      code = String(code || '').replace(/[^0-9]/g, '');
      if (!code) {
        $('pair-message').textContent = _('Enter the code the host shows');
        return;
      }
      this.busy = true;
      $('pair-submit').disabled = true;
      $('pair-message').textContent = _('Pairing…');
      try {
        const reply = await fetchJson('/api/v1/pair', {
          method: 'POST',
          body: { code, station: { id: stationId, name: STATION_NAME, role: ROLE } },
          timeout: 15000,
          anonymous: true,
        });
        if (!reply || typeof reply.token !== 'string' || !reply.token) throw new Error(_('the host sent no token'));
        token = reply.token;
        save('token', token);
        this.hide();
        toast(_('This screen is paired'));
        link.lastError = null;
        link.refresh();
      } catch (e) {
        $('pair-message').textContent = e instanceof HttpError
          ? (e.status === 429 ? _('Too many wrong codes: wait a minute, then try again')
            : e.reason === 'expired_code' ? _('That code has expired: ask the host for a new one')
            : e.status === 401 ? _('Wrong code: check it and try again') : e.message)
          /* Translators: %s says what went wrong. */
          : format(_('Could not reach the host (%s)'), e.message);
        $('pair-code').select();
      } finally {
        this.busy = false;
        $('pair-submit').disabled = false;
      }
    },
  };

  async function fetchJson (url, { method = 'GET', body, timeout = 10000, controller, anonymous = false } = {}) {
    const ctl = controller || new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeout);
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
    if (token && !anonymous) headers.Authorization = `Bearer ${token}`;
    try {
      const res = await fetch(url, {
        method,
        cache: 'no-store',
        signal: ctl.signal,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      if (!res.ok) {
        const why = data && data.error ? (data.error.message || data.error.code || data.error) : res.statusText;
        throw new HttpError(res.status, why, data && data.error ? data.error.reason : null);
      }
      return data;
    } finally {
      clearTimeout(timer);
    }
  }

  addEventListener('offline', () => link.wentOffline());
  addEventListener('online', () => link.cameOnline());
  /* Background tabs get their timers throttled; coming back to the
   * screen should not wait out a long backoff. */
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && link.state === 'offline' && navigator.onLine !== false) link.cameOnline();
  });

  /* ---------------------------------------------------------------- */
  /* Sound: synthesized, so nothing to download. Browsers keep audio     */
  /* off until the first tap, and we say so.                           */
  /* ---------------------------------------------------------------- */

  const sound = {
    ctx: null,
    unlock () {
      if (!this.ctx) {
        const Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return;
        this.ctx = new Ctx();
      }
      if (this.ctx.state === 'suspended') this.ctx.resume();
      this.ctx.onstatechange = () => renderSoundBanner();
      renderSoundBanner();
    },
    enabled () {
      return !!this.ctx && this.ctx.state === 'running';
    },
    play (kind) {
      if (!this.enabled()) return;
      const notes = kind === 'ready' ? [660, 880, 1175] : [988, 1319];
      const t0 = this.ctx.currentTime + 0.01;
      notes.forEach((freq, i) => {
        const osc = this.ctx.createOscillator();
        const gain = this.ctx.createGain();
        const start = t0 + i * 0.16;
        osc.type = 'triangle';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.5, start + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
        osc.connect(gain).connect(this.ctx.destination);
        osc.start(start);
        osc.stop(start + 0.4);
      });
    },
  };

  for (const type of ['pointerdown', 'keydown', 'touchend']) {
    addEventListener(type, () => sound.unlock(), { capture: true, passive: true });
  }

  /* ---------------------------------------------------------------- */
  /* What this screen shows                                            */
  /* ---------------------------------------------------------------- */

  /* Items this screen works on; items routed nowhere belong everywhere. */
  function stationItems (t) {
    return STATION ? t.items.filter((i) => !i.station || i.station === STATION) : t.items;
  }

  const hasWork = (items) => items.some((i) => i.status === 'pending' || i.status === 'preparing');

  function isShownInKitchen (t) {
    const mine = stationItems(t);
    if (!mine.length) return false;
    if (t.status === 'cancelled') {
      return !dismissed.includes(t.id)
        && (t.recall_status === 'new' || t.recall_status === 'preparing' || (ROLE === 'expo' && t.recall_status === 'ready'))
        && now() - (t.updated_at || 0) < CANCELLED_SHOWN_MS;
    }
    if (ROLE === 'expo') return isOpen(t);
    if (t.status !== 'new' && t.status !== 'preparing') return false;
    return STATION ? hasWork(mine) : true;
  }

  const byAge = (a, b) => (a.created_at - b.created_at) || ((a.number || 0) - (b.number || 0));

  function unacknowledgedChanges (t) {
    const seen = acknowledged[t.id] || 0;
    return (t.changes || []).slice(seen);
  }

  function acknowledge (t) {
    acknowledged[t.id] = (t.changes || []).length;
    /* Forget tickets that are gone so the map stays small. */
    for (const id of Object.keys(acknowledged)) if (!base.has(id)) delete acknowledged[id];
    save('acknowledged', acknowledged);
    render();
  }

  function dismiss (t) {
    dismissed = [t.id, ...dismissed.filter((id) => id !== t.id)].slice(0, 200);
    save('dismissed', dismissed);
    render();
  }

  /* ---------------------------------------------------------------- */
  /* Bump and recall                                                   */
  /* ---------------------------------------------------------------- */

  function label (t) {
    return `#${t.number || '—'}${t.table ? ' · ' + format(_('Table %s'), t.table) : ''}`;
  }

  function bump (t) {
    if (t.status === 'cancelled') {
      dismiss(t);
      return;
    }
    let ok;
    let entry;
    if (ROLE === 'expo' || IS_FOH) {
      const to = t.status === 'ready' ? 'served' : 'ready';
      ok = setTicketStatus(t, to);
      entry = { ticket_id: t.id, label: label(t), at: Date.now(), items: null };
    } else if (STATION) {
      const ids = stationItems(t).filter((i) => i.status === 'pending' || i.status === 'preparing').map((i) => i.id);
      ok = ids.length > 0 && submit(ids.map((id) => makeOp({ kind: 'set_item_status', ticket_id: t.id, item_id: id, status: 'ready' })));
      entry = { ticket_id: t.id, label: label(t), at: Date.now(), items: ids };
    } else {
      ok = setTicketStatus(t, 'ready');
      entry = { ticket_id: t.id, label: label(t), at: Date.now(), items: null };
    }
    if (!ok) {
      /* Translators: %s is a ticket, such as "#12 · Table 4". */
      toast(format(_('%s cannot be bumped now'), label(t)), 'error');
      return;
    }
    recallStack = [entry, ...recallStack.filter((e) => e.ticket_id !== t.id)].slice(0, RECALL_DEPTH);
    save('recall', recallStack);
    renderRecallList();
  }

  function recall (entry) {
    const t = view.get(entry.ticket_id);
    if (!t) {
      toast(_('That ticket is gone'), 'error');
      return false;
    }
    const ops = [];
    if (entry.items) {
      /* A served ticket is closed: reopen it first, which brings its
       * served items back to ready. */
      const reopened = t.status === 'served';
      if (reopened) ops.push(makeOp({ kind: 'set_ticket_status', ticket_id: t.id, status: 'ready' }));
      for (const id of entry.items) {
        const item = t.items.find((i) => i.id === id);
        if (!item || (item.status !== 'ready' && item.status !== 'served')) continue;
        if (item.status === 'served' && !reopened) {
          ops.push(makeOp({ kind: 'set_item_status', ticket_id: t.id, item_id: id, status: 'ready' }));
        }
        ops.push(makeOp({ kind: 'set_item_status', ticket_id: t.id, item_id: id, status: 'preparing' }));
      }
    } else if (t.status === 'ready' && !(ROLE === 'expo' || IS_FOH)) {
      ops.push(makeOp({ kind: 'set_ticket_status', ticket_id: t.id, status: 'preparing' }));
    } else if (t.status === 'served') {
      ops.push(makeOp({ kind: 'set_ticket_status', ticket_id: t.id, status: 'ready' }));
    } else if (t.status === 'ready') {
      ops.push(makeOp({ kind: 'set_ticket_status', ticket_id: t.id, status: 'preparing' }));
    }
    if (!ops.length || !submit(ops)) {
      toast(format(_('%s cannot be recalled now'), entry.label), 'error');
      return false;
    }
    recallStack = recallStack.filter((e) => e !== entry);
    save('recall', recallStack);
    renderRecallList();
    toast(format(_('Recalled %s'), entry.label));
    return true;
  }

  function tapItem (t, item) {
    const next = { pending: 'preparing', preparing: 'ready', ready: 'preparing' }[item.status];
    if (!next || !isOpen(t)) return;
    submit([makeOp({ kind: 'set_item_status', ticket_id: t.id, item_id: item.id, status: next })]);
  }

  /* ---------------------------------------------------------------- */
  /* Rendering                                                         */
  /* ---------------------------------------------------------------- */

  const $ = (id) => document.getElementById(id);

  function el (tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button (className, text, onClick, title) {
    const b = el('button', className, text);
    b.type = 'button';
    if (title) b.title = title;
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      onClick(e);
    });
    return b;
  }

  /* Splits a translation at its one %s, for a node to go in between. */
  function splitOnce (text) {
    const i = text.indexOf('%s');
    return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 2)];
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

  function ageClass (ms) {
    return ms >= LATE_MS ? 'late' : ms >= WARN_MS ? 'warn' : 'fresh';
  }

  let selectedId = null;
  let visibleOrder = [];
  const cardCache = new Map(); /* ticket id → { key, node } */
  let renderQueued = false;

  function render () {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(renderNow, 0);
  }

  function renderNow () {
    renderQueued = false;
    if (IS_FOH) renderFoh();
    else renderKitchen();
    renderConnection();
    tick();
  }

  function cardKey (t, extra) {
    return [t.id, t.version, t.status, t.updated_at, pendingIds.has(t.id), selectedId === t.id,
            acknowledged[t.id] || 0, extra].join('|');
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
    const tickets = [...view.values()].filter(isShownInKitchen).sort(byAge);
    visibleOrder = tickets.map((t) => t.id);
    if (selectedId && !visibleOrder.includes(selectedId)) selectedId = null;
    const nodes = tickets.map((t, i) => cachedCard(t, i, (ticket) => kitchenCard(ticket, i)));
    for (const id of cardCache.keys()) if (!visibleOrder.includes(id)) cardCache.delete(id);
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
    if (selectedId === t.id) card.classList.add('is-selected');
    if (pendingIds.has(t.id)) card.classList.add('is-pending');
    card.setAttribute('aria-label', format(_('Ticket %s'), t.number || ''));
    card.addEventListener('click', () => select(t.id));

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
      row.append(button('btn small ack', _('OK'), () => acknowledge(t), _('Acknowledge the changes')));
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

    if (pendingIds.has(t.id)) card.append(el('div', 'pending-note', link.state.startsWith('online') ? _('Sending…') : _('Queued: will send when back online')));

    const actions = el('div', 'card-actions');
    if (t.status === 'cancelled') {
      actions.append(button('btn bump dismiss', _('Dismiss'), () => dismiss(t)));
    } else {
      let text = _('Bump');
      /* Translators: a button that marks the ticket served. */
      if (ROLE === 'expo') text = t.status === 'ready' ? pgettext('button', 'Served') : _('Bump ready');
      /* Translators: %s is a kitchen station, such as "grill". */
      else if (STATION) text = format(_('Bump %s'), STATION);
      actions.append(button('btn bump', text, () => bump(t), _('Enter bumps the selected ticket')));
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
      select(t.id);
      tapItem(t, item);
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
    const all = [...view.values()];
    const cutoff = now() - SERVED_SHOWN_MS;
    const columns = [
      ['new', _(TICKET_STATUS.new), all.filter((t) => t.status === 'new').sort(byAge)],
      ['preparing', _(TICKET_STATUS.preparing), all.filter((t) => t.status === 'preparing').sort(byAge)],
      ['ready', _(TICKET_STATUS.ready), all.filter((t) => t.status === 'ready').sort(byAge)],
      ['served', _(TICKET_STATUS.served), all.filter((t) => t.status === 'served' && (t.updated_at || 0) > cutoff)
        .sort((a, b) => b.updated_at - a.updated_at).slice(0, 20)],
    ];
    visibleOrder = columns[2][2].map((t) => t.id);
    if (selectedId && !visibleOrder.includes(selectedId)) selectedId = null;
    const shown = new Set();
    const sections = columns.map(([status, title, tickets]) => {
      const section = el('section', `column column-${status}`);
      const h = el('h2', 'column-head');
      h.append(el('span', 'column-title', title), el('span', 'count', tickets.length));
      section.append(h);
      const list = el('div', 'column-cards');
      for (const t of tickets) {
        shown.add(t.id);
        list.append(cachedCard(t, visibleOrder.indexOf(t.id), fohCard));
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
    if (selectedId === t.id) card.classList.add('is-selected');
    if (pendingIds.has(t.id)) card.classList.add('is-pending');
    const index = visibleOrder.indexOf(t.id);
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
    if (pendingIds.has(t.id)) card.append(el('div', 'pending-note', link.state.startsWith('online') ? _('Sending…') : _('Queued: will send when back online')));
    const actions = el('div', 'card-actions');
    if (t.status === 'ready') actions.append(button('btn bump serve', _('Mark served'), () => bump(t)));
    else if (t.status === 'served') actions.append(button('btn small', _('Undo'), () => recall({ ticket_id: t.id, label: label(t), items: null })));
    if (actions.childElementCount) card.append(actions);
    card.addEventListener('click', () => { if (t.status === 'ready') select(t.id); });
    return card;
  }

  const STATE_TEXT = {
    connecting: N_('Connecting…'),
    'online-websocket': N_('Online (live)'),
    'online-polling': N_('Online (polling)'),
    offline: N_('Offline'),
    unpaired: N_('Not paired'),
  };

  function renderConnection () {
    const conn = $('conn');
    conn.dataset.state = link.state;
    conn.dataset.queued = String(outbox.length);
    $('conn-text').textContent = _(STATE_TEXT[link.state]);
    $('conn-queued').textContent = outbox.length ? ' · ' + format(ngettext('%d queued', '%d queued', outbox.length), outbox.length) : '';
    const tips = [];
    /* Translators: the time a message takes to the host and back. */
    if (link.latency >= 0 && link.state === 'online-websocket') tips.push(format(_('Round trip %d ms'), link.latency));
    /* Translators: %s is a time of day. */
    if (lastSync) tips.push(format(_('Last sync %s'), new Date(lastSync).toLocaleTimeString()));
    if (link.lastError) tips.push(link.lastError);
    conn.title = tips.join('\n');
    document.documentElement.dataset.conn = link.state;
  }

  function renderSoundBanner () {
    $('sound-banner').hidden = sound.enabled();
  }

  function renderRecallList () {
    const list = $('recall-list');
    list.replaceChildren(...recallStack.map((entry, i) => {
      const li = el('li', 'recall-entry');
      const t = view.get(entry.ticket_id);
      const when = new Date(entry.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      /* Translators: %s is a time of day. */
      const text = [entry.label, format(_('bumped %s'), when)];
      if (t) text.push(textFor(TICKET_STATUS, t.status));
      li.append(button('btn recall-pick', `${i < 9 ? i + 1 + '  ' : ''}${text.join(' · ')}`,
                       () => { if (recall(entry)) closeRecall(); }));
      return li;
    }));
    $('recall-empty').hidden = recallStack.length > 0;
  }

  /* One shared tick for every timer on the screen. */
  function tick () {
    const t = now();
    for (const timer of document.querySelectorAll('.timer[data-since]')) {
      const age = t - Number(timer.dataset.since);
      const text = formatAge(age);
      if (timer.textContent !== text) timer.textContent = text;
      const card = timer.closest('.card');
      const cls = ageClass(age);
      if (card && card.dataset.age !== cls) card.dataset.age = cls;
    }
  }

  /* ---------------------------------------------------------------- */
  /* Selection and the bump bar                                        */
  /* ---------------------------------------------------------------- */

  function select (id) {
    selectedId = id;
    render();
    setTimeout(() => {
      const card = document.querySelector(`.card[data-ticket-id="${CSS.escape(id)}"]`);
      if (card) card.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }, 0);
  }

  function moveSelection (delta) {
    if (!visibleOrder.length) return;
    const i = visibleOrder.indexOf(selectedId);
    const next = i < 0 ? (delta > 0 ? 0 : visibleOrder.length - 1)
      : Math.min(visibleOrder.length - 1, Math.max(0, i + delta));
    select(visibleOrder[next]);
  }

  function openRecall () {
    renderRecallList();
    $('recall-panel').hidden = false;
    ($('recall-list').querySelector('button') || $('recall-close')).focus();
  }

  function closeRecall () {
    $('recall-panel').hidden = true;
  }

  function recallLatest () {
    if (recallStack.length) recall(recallStack[0]);
    else toast(_('Nothing to recall'));
  }

  addEventListener('keydown', (e) => {
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
      else if (/^[1-9]$/.test(e.key) && recallStack[Number(e.key) - 1]) {
        if (recall(recallStack[Number(e.key) - 1])) closeRecall();
      } else return; /* Tab and Enter work the panel's buttons */
      e.preventDefault();
      return;
    }
    if (/^[1-9]$/.test(e.key)) {
      const id = visibleOrder[Number(e.key) - 1];
      if (id) select(id);
    } else if (e.key === 'Enter') {
      /* Enter on a focused button clicks it; the bump bar has no focus. */
      if (document.activeElement && document.activeElement.tagName === 'BUTTON') return;
      const t = view.get(selectedId || visibleOrder[0]);
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
      selectedId = null;
      render();
    } else {
      return;
    }
    e.preventDefault();
  });

  /* ---------------------------------------------------------------- */
  /* Toasts                                                            */
  /* ---------------------------------------------------------------- */

  function toast (text, kind) {
    const node = el('div', `toast${kind ? ' toast-' + kind : ''}`, text);
    const box = $('toasts');
    box.append(node);
    while (box.childElementCount > 3) box.firstElementChild.remove();
    setTimeout(() => node.remove(), kind === 'error' ? 8000 : 3000);
  }

  /* ---------------------------------------------------------------- */
  /* Start                                                             */
  /* ---------------------------------------------------------------- */

  /* index.html's own text (English there, for the first paint): by
   * element id, its text and its title. */
  const PAGE_TEXT = {
    'recall-button': [N_('Recall'), N_('Recall a bumped ticket (R)')],
    'refresh-button': [N_('Refresh'), N_('Reconnect and reload every ticket')],
    'sound-banner': [N_('Sound is off. Tap anywhere to enable sound.')],
    'empty': [N_('No open tickets')],
    'recall-title': [N_('Recall a bumped ticket')],
    'recall-empty': [N_('Nothing bumped on this screen yet.')],
    'recall-close': [N_('Close')],
    'pair-title': [N_('This screen is not paired')],
    'pair-code-label': [N_('Pairing code')],
    'pair-submit': [N_('Pair this screen')],
  };

  function translatePage () {
    if (catalog && catalog.language) document.documentElement.lang = catalog.language;
    for (const [id, [text, title]] of Object.entries(PAGE_TEXT)) {
      const node = $(id);
      if (!node) continue;
      node.textContent = _(text);
      if (title) node.title = _(title);
    }
    const role = _(ROLE_LABEL);
    $('mode').textContent = STATION ? `${role} · ${STATION}` : role;
    document.title = `${STATION || role} · Ticketrail`;
  }

  /* A catalog that came after the page started without it. */
  function retranslate () {
    translatePage();
    cardCache.clear();
    renderRecallList();
    if (!$('pair-panel').hidden) pairing.show(pairing.reason);
    renderNow();
  }

  function start () {
    document.documentElement.dataset.role = ROLE;
    translatePage();
    $('refresh-button').addEventListener('click', () => {
      link.refresh();
      toast(_('Reloading every ticket from the host'));
    });
    $('recall-button').addEventListener('click', openRecall);
    $('recall-close').addEventListener('click', closeRecall);
    $('recall-panel').addEventListener('click', (e) => { if (e.target === $('recall-panel')) closeRecall(); });
    $('recall-button').hidden = IS_FOH;
    $('sound-banner').addEventListener('click', () => sound.unlock());
    renderSoundBanner();
    $('pair-form').addEventListener('submit', (e) => {
      e.preventDefault();
      pairing.pair($('pair-code').value);
    });

    rebuildView();
    renderNow();
    setInterval(tick, 1000);
    if (PAIR_CODE) {
      /* A pairing link: pair with its code even when a token is there
       * already (the screen is being moved to another host). */
      link.setState('unpaired');
      pairing.show(null);
      $('pair-code').value = PAIR_CODE;
      pairing.pair(PAIR_CODE);
    } else {
      link.start();
    }

    /* Lets a reload work with the host out of reach (secure contexts
     * only: localhost, or HTTPS). */
    if ('serviceWorker' in navigator && window.isSecureContext) {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
    }
  }

  /* The catalog comes first, so that the page does not change language
   * under the cook; one that comes later, however late, is applied when
   * it comes (loadCatalog() keeps trying). */
  let started = false;
  const startOnce = () => {
    if (started) return;
    started = true;
    start();
  };
  setTimeout(startOnce, CATALOG_WAIT_MS);
  loadCatalog().then((c) => {
    if (c) {
      catalog = c;
      if (started) retranslate();
    }
    startOnce();
  });
})();
