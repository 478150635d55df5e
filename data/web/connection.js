/* The link to the host: WebSocket, or long-polling when WebSocket cannot
 * connect; the same states as the GTK client. It sends the outbox and
 * hands what the host sends to the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { ROLE, STATION_NAME } from './config.js';
import { _ } from './gettext.js';
import { log } from './log.js';
import { applyEvents, applySnapshot, handleAck, setHost, state, storedToken } from './store.js';

/* Until a welcome says otherwise (an older host does not). */
const HEARTBEAT_MS = 5000;
const DEAD_MS = 15000;
/* As src/core/tr-timeouts.h: the host's heartbeat timeouts a page takes,
 * at least three pings within one, never more often than one a second. */
const HOST_HEARTBEAT_MIN_MS = 3000;
const HOST_HEARTBEAT_MAX_MS = 300000;
const HEARTBEAT_FLOOR_MS = 1000;
const PINGS_PER_TIMEOUT = 3;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30000;
const WS_RETRY_MS = 60000;
const POLL_WAIT_S = 25;
const WS_FAILURES_BEFORE_POLLING = 3;
const MAX_OPS_PER_FRAME = 100;
/* A POST the host refused for another reason than its rate limit. */
const POST_RETRY_MS = 5000;

export class HttpError extends Error {
  constructor (status, message, reason, retryAfter) {
    super(`${status} ${message}`);
    this.status = status;
    this.reason = reason || null;
    /* Seconds, from a 429's Retry-After; 0 when the host gave none. */
    this.retryAfter = retryAfter || 0;
  }
}

export async function fetchJson (url, { method = 'GET', body, timeout = 10000, controller, anonymous = false } = {}) {
  const ctl = controller || new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (state.token && !anonymous) headers.Authorization = `Bearer ${state.token}`;
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
      const retryAfter = Number.parseInt(res.headers.get('Retry-After') || '', 10);
      throw new HttpError(res.status, why, data && data.error ? data.error.reason : null,
                          Number.isSafeInteger(retryAfter) && retryAfter > 0 ? retryAfter : 0);
    }
    return data;
  } finally {
    clearTimeout(timer);
  }
}

/* The ping interval and dead-host timeout for a welcome: from the host's
 * heartbeat_timeout_ms when it gives one the page can take, so the page
 * pings often enough for the host and waits for it as long as the host
 * waits for the page; else the defaults. */
export function timingsFromWelcome (frame) {
  const timeout = frame ? frame.heartbeat_timeout_ms : undefined;
  if (!Number.isSafeInteger(timeout) || timeout < HOST_HEARTBEAT_MIN_MS || timeout > HOST_HEARTBEAT_MAX_MS) {
    return { heartbeatMs: HEARTBEAT_MS, deadMs: DEAD_MS };
  }
  const heartbeatMs = Math.min(HEARTBEAT_MS, Math.max(Math.floor(timeout / PINGS_PER_TIMEOUT), HEARTBEAT_FLOOR_MS));
  return { heartbeatMs, deadMs: timeout };
}

export const link = {
  state: 'connecting',
  mode: 'websocket',       /* or 'polling' */
  ws: null,
  wsProbe: null,           /* a WebSocket tried while polling */
  wsFailures: 0,
  backoff: BACKOFF_MIN_MS,
  retryTimer: 0,
  probeTimer: 0,
  heartbeatTimer: 0,
  heartbeatMs: HEARTBEAT_MS, /* the welcome's (timingsFromWelcome) */
  deadMs: DEAD_MS,
  lastFrameAt: 0,
  latency: -1,
  lastError: null,
  poll: null,              /* { controller } of the running long-poll */
  generation: 0,
  forceSnapshot: false,
  gapAt: -1,               /* our seq at the last gap: the same gap again takes a snapshot */
  sent: new Set(),         /* op ids sent on the current connection */
  /* Polling: the one POST of ops on its way, { controller }, or null.
   * The host applies POSTs in the order they reach it, so a second one
   * started beside a slow or refused first one would apply later ops
   * first; like the native client's post_pending, there is only one. */
  posting: null,
  postTimer: 0,            /* waiting out a 429 or an error before the next POST */
  postLimit: MAX_OPS_PER_FRAME,  /* ops per POST, lowered by a 413 */
  /* The token this generation's hello and requests carry: a refusal is
   * of this one, whatever localStorage holds by the time it comes. */
  usedToken: null,
  /* The host serves its training database (docs/training.md): its
   * welcome or health says so; the page shows the TRAINING banner. */
  training: false,

  /* Set by app.js: what the page shows of the link changed; the host
   * refused an op (@why); the host does not take our token (@reason). */
  onChange () {},
  onRefused (why) {},
  onUnpaired (reason) {},
  onTokenAdopted () {},

  setTraining (training) {
    if (this.training === training) return;
    this.training = training;
    log.info(training ? 'the host is in training: its tickets are samples' : 'the host serves live tickets');
    this.onChange();
  },

  setState (state) {
    if (this.state === state) return;
    this.state = state;
    this.onChange();
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
    clearTimeout(this.postTimer);
    this.retryTimer = this.probeTimer = this.heartbeatTimer = this.postTimer = 0;
    for (const ws of [this.ws, this.wsProbe]) {
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        try { ws.close(1000); } catch (e) { /* already closed */ }
      }
    }
    this.ws = this.wsProbe = null;
    if (this.poll) this.poll.controller.abort();
    this.poll = null;
    /* Its ops stay first in the outbox, so the next POST starts with
     * them again: should the aborted one still reach the host, it only
     * repeats what is applied already (the op ids make that harmless). */
    if (this.posting) this.posting.controller.abort();
    this.posting = null;
    this.sent.clear();
  },

  connect () {
    this.reset();
    this.usedToken = state.token;
    if (!state.token) {
      this.unpaired(null);
      return;
    }
    if (navigator.onLine === false) {
      this.setState('offline');
      return; /* the 'online' event brings us back */
    }
    this.setState('connecting');
    log.info(`connecting to the host (${this.mode === 'polling' ? 'long-polling' : 'WebSocket'}), `
             + (this.forceSnapshot || !state.hostId ? 'asking for a snapshot' : `from seq ${state.lastSeq}`));
    if (this.mode === 'polling') this.startPolling();
    else this.openWebSocket(false);
  },

  scheduleRetry () {
    const gen = this.generation;
    /* Exponential, with jitter so a room of screens does not come back
     * in lockstep after the host restarts. */
    const delay = this.backoff * (0.5 + Math.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    log.info(`reconnecting in ${Math.round(delay)} ms`);
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
    const fresh = this.forceSnapshot || !state.hostId;
    return {
      type: 'hello',
      protocol: 1,
      station: { id: state.stationId, name: STATION_NAME, role: ROLE },
      token: state.token,
      host_id: fresh ? null : state.hostId,
      since: fresh ? 0 : state.lastSeq,
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
      const hello = this.helloFrame();
      log.frame('sent', 'websocket', Object.assign({}, hello, { token: hello.token ? '…' : null }));
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (e) => {
      if (gen !== this.generation) return;
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch (err) {
        log.warn('the host sent a frame that is not JSON; ignored', err.message);
        return;
      }
      log.frame('received', 'websocket', frame);
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
      log.info(`${wasProbe ? 'WebSocket probe' : 'WebSocket'} closed: code ${e.code}`
               + (e.reason ? `, reason "${e.reason}"` : ', no reason') + (welcomed ? '' : ' (before the welcome)'));
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
    this.sent.clear();
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
    /* Only count failures while the host answers over plain HTTP: a host
     * that is down is not a reason to give up on WebSocket. */
    const healthy = await this.checkHealth();
    if (gen !== this.generation) return;
    if (healthy) this.wsFailures++;
    if (healthy && this.wsFailures >= WS_FAILURES_BEFORE_POLLING) {
      log.info(`WebSocket failed ${this.wsFailures} times while the host answers over HTTP: `
               + 'falling back to long-polling (WebSocket is tried again every minute)');
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
    log.info(`welcome from host ${frame.host_id}: its head is seq ${frame.head_seq}, `
             + (frame.host_id === state.hostId ? `ours ${state.lastSeq}` : 'a new host to us: a snapshot follows'));
    /* Another host (or a fresh database): a snapshot follows. */
    setHost(frame.host_id);
    this.forceSnapshot = false;
    if (Number.isSafeInteger(frame.server_time)) state.clockOffset = frame.server_time - Date.now();
    ({ heartbeatMs: this.heartbeatMs, deadMs: this.deadMs } = timingsFromWelcome(frame));
    log.info(`pinging every ${this.heartbeatMs} ms; the host is dead after ${this.deadMs} ms of silence`
             + (Number.isSafeInteger(frame.heartbeat_timeout_ms) ? ` (host heartbeat timeout ${frame.heartbeat_timeout_ms} ms)` : ''));
    this.wsFailures = 0;
    this.backoff = BACKOFF_MIN_MS;
    this.lastError = null;
    this.setTraining(frame.training === true);
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
    this.sent.clear();
  },

  startHeartbeat () {
    clearInterval(this.heartbeatTimer);
    const gen = this.generation;
    this.heartbeatTimer = setInterval(() => {
      if (gen !== this.generation || !this.ws) return;
      if (Date.now() - this.lastFrameAt > this.deadMs) {
        /* A dead peer never completes a close handshake: drop it now. */
        const ws = this.ws;
        this.ws = null;
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        log.info(`no frame from the host for ${this.deadMs} ms: closing (code 4010, reason "dead peer")`);
        try { ws.close(4010, 'dead peer'); } catch (e) { /* ignore */ }
        this.lastError = _('The host stopped answering');
        this.wsFailed(gen, false, true);
        return;
      }
      const ping = { type: 'ping', t: Date.now(), last_seq: state.lastSeq, queued: state.outbox.length };
      if (this.latency >= 0) ping.latency_ms = this.latency;
      this.send(ping);
    }, this.heartbeatMs);
  },

  send (frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    log.frame('sent', 'websocket', frame);
    this.ws.send(JSON.stringify(frame));
    return true;
  },

  ack (ack) {
    const refused = handleAck(ack);
    if (refused === null) return;
    log.warn(`the host rejected op ${ack.op_id}: ${refused || 'no reason given'}`, ack);
    this.onRefused(refused);
  },

  /* The host's events skip a seq: never applied over the hole. The page
   * reconnects from its last seq, which the host's catch-up fills; should
   * the same gap come back, it asks for a snapshot instead. */
  resyncAfterGap (gap) {
    const again = this.gapAt === state.lastSeq;
    log.warn(`gap in the host's events: expected seq ${gap.expected}, got ${gap.got}; not applied, `
             + (again ? 'the same gap again: resyncing with a snapshot' : `resyncing from seq ${state.lastSeq}`));
    this.gapAt = state.lastSeq;
    if (again) this.forceSnapshot = true;
    this.connect();
  },

  handleFrame (frame) {
    switch (frame.type) {
      case 'snapshot':
        if (frame.host_id && frame.host_id !== state.hostId) state.hostId = frame.host_id;
        applySnapshot(frame);
        this.gapAt = -1;
        break;
      case 'events': {
        const gap = applyEvents(frame.events);
        if (gap) this.resyncAfterGap(gap);
        break;
      }
      case 'ack':
        this.ack(frame);
        break;
      case 'pong':
        if (Number.isFinite(frame.t)) this.latency = Date.now() - frame.t;
        this.onChange();
        break;
      case 'error':
        this.lastError = frame.message || frame.code || _('protocol error');
        this.onChange();
        break;
      default:
        break;
    }
  },

  /* Sends whatever the outbox holds that this connection has not sent. */
  flush () {
    const queued = new Set(state.outbox.map((e) => e.op.op_id));
    /* Ops settled since they were sent need no memory here. */
    for (const id of this.sent) if (!queued.has(id)) this.sent.delete(id);
    const unsent = state.outbox.filter((e) => !this.sent.has(e.op.op_id));
    if (!unsent.length) return;
    if (this.state === 'online-websocket' && this.ws) {
      for (let i = 0; i < unsent.length; i += MAX_OPS_PER_FRAME) {
        const ops = unsent.slice(i, i + MAX_OPS_PER_FRAME).map((e) => e.op);
        if (!this.send(ops.length === 1 ? { type: 'op', op: ops[0] } : { type: 'ops', ops })) return;
        ops.forEach((op) => this.sent.add(op.op_id));
      }
    } else if (this.state === 'online-polling' && !this.posting && !this.postTimer) {
      /* Always the oldest ops not yet acked: a batch the host refused is
       * the one sent again, never skipped. */
      this.postOps(unsent.slice(0, this.postLimit).map((e) => e.op));
    }
  },

  async postOps (ops) {
    const gen = this.generation;
    const posting = { controller: new AbortController() };
    this.posting = posting;
    ops.forEach((op) => this.sent.add(op.op_id));
    let retryMs = 0;
    log.frame('sent', 'POST /api/v1/ops', { type: 'ops', ops });
    try {
      const reply = await fetchJson('/api/v1/ops', { method: 'POST', body: ops, timeout: 15000, controller: posting.controller });
      if (this.posting === posting) this.posting = null;
      const acks = Array.isArray(reply) ? reply : (reply && Array.isArray(reply.acks) ? reply.acks : [reply]);
      acks.forEach((ack) => this.ack(ack));
      this.postLimit = MAX_OPS_PER_FRAME;
    } catch (e) {
      if (this.posting === posting) this.posting = null;
      /* Unsent after all: the next POST starts with them again; the op
       * ids make a repeat harmless. */
      ops.forEach((op) => this.sent.delete(op.op_id));
      if (gen !== this.generation) return;
      if (e instanceof HttpError && e.status === 401) {
        this.unpaired(e.reason || 'unknown');
        return;
      }
      log.info(`POST /api/v1/ops failed: ${e.message}`);
      if (!(e instanceof HttpError)) {
        /* No answer (a timeout, or the network): the link is suspect. */
        if (this.mode === 'polling') this.pollFailed(gen);
        return;
      }
      if (e.status === 413 && ops.length > 1) {
        /* More ops than the host's bucket holds: smaller POSTs, at once. */
        this.postLimit = Math.max(1, Math.floor(ops.length / 2));
      } else {
        /* 429: the host applied none of them; it says when the bucket
         * has room. Anything else: it may pass, so try again later. */
        retryMs = e.status === 429 && e.retryAfter ? e.retryAfter * 1000 : POST_RETRY_MS;
      }
    }
    if (gen !== this.generation) return;
    if (retryMs) {
      this.postTimer = setTimeout(() => {
        if (gen !== this.generation) return;
        this.postTimer = 0;
        this.flush();
      }, retryMs);
    } else {
      this.flush();
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
    if (health.host_id) setHost(health.host_id);
    this.setTraining(health.training === true);
    if (this.forceSnapshot) state.lastSeq = 0;
    this.forceSnapshot = false;
    this.backoff = BACKOFF_MIN_MS;
    log.info(`long-polling host ${health.host_id} (head seq ${health.head_seq}), from seq ${state.lastSeq}`);
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
        if (this.poll === poll) log.info(`long-poll failed: ${e.message}`);
        if (this.poll === poll && e instanceof HttpError && e.status === 401) this.unpaired(e.reason || 'unknown');
        else if (this.poll === poll) this.pollFailed(gen);
        return;
      }
      if (this.poll === poll) log.frame('received', 'long-poll', reply);
      /* Reset, or a WebSocket took over. */
      if (this.poll !== poll) return;
      /* Events from another host than we know: our seq means nothing
       * there, so ask again for a snapshot. */
      if (reply && reply.type !== 'snapshot' && reply.host_id && reply.host_id !== state.hostId) {
        setHost(reply.host_id);
        continue;
      }
      if (reply) this.handleFrame(reply.type ? reply : Object.assign({ type: 'events' }, reply));
      /* A gap reconnected: the new generation polls now. */
      if (this.poll !== poll) return;
      this.setState('online-polling');
      this.flush();
    }
  },

  /* The station's identity rides along so that the host's monitor lists
   * a polling browser too. */
  pollUrl () {
    const q = new URLSearchParams({ since: String(state.lastSeq), wait: String(POLL_WAIT_S), station_id: state.stationId,
                                    name: STATION_NAME, role: ROLE });
    if (state.hostId) q.set('host_id', state.hostId);
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

  /* The host does not (or no longer) accept our token: stop, forget it,
   * and ask for a pairing code. Ops stay in the outbox for later.
   *
   * Unless another tab of this screen paired it again: the tabs share
   * the station id and localStorage, the host closes (4403) whatever
   * still uses the old token, and the new one is in localStorage (or
   * comes there in a moment: tokenStored). Then this tab takes it and
   * goes on, saying nothing. The refused token is forgotten here only,
   * never removed from localStorage: that could wipe the newer token
   * another tab is writing at the same moment. */
  unpaired (reason) {
    if (reason && this.adoptStoredToken()) return;
    log.info(`not paired with the host (${reason || 'no token'}): asking for a pairing code`);
    this.reset();
    if (reason) state.token = null;
    this.lastError = reason === 'revoked' ? _('The host revoked this screen\'s pairing')
      : reason ? _('The host does not know this screen') : _('This screen is not paired');
    this.setState('unpaired');
    this.onUnpaired(reason);
  },

  /* localStorage holds another token than the one this tab's link was
   * refused with, or still uses: take it and reconnect at once. */
  adoptStoredToken () {
    const stored = storedToken();
    if (!stored || stored === this.usedToken) return false;
    state.token = stored;
    this.lastError = null;
    this.backoff = BACKOFF_MIN_MS;
    this.onTokenAdopted();
    this.connect();
    return true;
  },

  /* The browser knows before any heartbeat does. */
  wentOffline () {
    log.info('the browser went offline');
    this.reset();
    this.setState('offline');
  },

  cameOnline () {
    if (this.state === 'unpaired') return;
    this.backoff = BACKOFF_MIN_MS;
    this.connect();
  },
};

addEventListener('offline', () => link.wentOffline());
addEventListener('online', () => link.cameOnline());
/* Background tabs get their timers throttled; coming back to the screen
 * should not wait out a long backoff. */
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && link.state === 'offline' && navigator.onLine !== false) link.cameOnline();
});
