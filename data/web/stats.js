/* The manager's speed-of-service page (/?role=stats): the host's report
 * (GET /api/v1/stats, docs/protocol.md) for today, yesterday or the last
 * 7 days, as headline figures, tickets per hour coloured like the
 * kitchen's ages, and tables per station and order type, with the CSV
 * to download. What the figures mean is the host's; the ranges, the
 * durations and the colours are figures.js's; this file asks and draws.
 *
 * It asks again when the link brings events (a ticket moved), at most
 * once every few seconds, and every minute besides; one report at a
 * time, and a busy host (429) is left alone for as long as it says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { HttpError, fetchJson, link } from './connection.js';
import { $, button, el } from './dom.js';
import { N_, _, catalogLanguage, format, ngettext } from './gettext.js';
import { LAST_7_DAYS, RANGES, TODAY, YESTERDAY, chartHours, csvFileName, formatDuration, hourClass, isEmpty,
  rangeBounds, retryDelay, statsQuery } from './figures.js';
import { log } from './log.js';
import { LATE_MINUTES, WARN_MINUTES, ageClass } from './rules.js';
import { state } from './store.js';

/* Events come in bursts (a bump is several items): wait for the burst. */
const SETTLE_MS = 1000;
/* The least time between two reports the page asks for by itself. */
const MIN_GAP_MS = 5000;
/* Open tickets age, and today's figures with them. */
const PERIODIC_MS = 60 * 1000;
const REPORT_TIMEOUT_MS = 30 * 1000;
const WARN_MS = WARN_MINUTES * 60000;
const LATE_MS = LATE_MINUTES * 60000;

const RANGE_LABEL = { [TODAY]: N_('Today'), [YESTERDAY]: N_('Yesterday'), [LAST_7_DAYS]: N_('Last 7 days') };
const ORDER_TYPE = { dine_in: N_('Dine-in'), takeaway: N_('Takeaway'), delivery: N_('Delivery'), pickup: N_('Pickup') };

const view = {
  range: TODAY,
  stats: null,         /* the last report shown, kept through errors */
  statsRange: null,    /* the range it is of */
  fetchedAt: 0,
  error: null,         /* { text, kind: 'error' | 'busy' } of the last try */
};

/* The scheduler: one report on its way at a time. */
let inFlight = false;
let again = false;
let timer = 0;
let timerAt = Infinity;
let lastStart = -Infinity;
let retryMs = 0;
let blockedUntil = 0;
let started = false;
let lastKey = '';

/* Asks for a report @delay ms from now, or sooner if one is due sooner;
 * never within MIN_GAP_MS of the last unless @now (the manager asked),
 * never while the host said to wait. */
function want (delay, now = false) {
  if (!started) return;
  if (inFlight) {
    again = true;
    return;
  }
  const at = Math.max(Date.now() + delay, now ? 0 : lastStart + MIN_GAP_MS, blockedUntil);
  if (timer && timerAt <= at) return;
  clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(() => {
    timer = 0;
    timerAt = Infinity;
    load();
  }, Math.max(0, at - Date.now()));
}

function describe (e) {
  if (e instanceof HttpError) {
    if (e.status === 429) return { text: _('The host is busy: the figures will come in a moment'), kind: 'busy' };
    if (e.status === 401) return { text: _('The host does not know this screen: pair it again'), kind: 'error' };
    if (e.status === 403) return { text: _('The host does not give the figures to this screen'), kind: 'error' };
    /* Translators: %s is the host's reason. */
    return { text: format(_('The host could not give the figures: %s'), e.message), kind: 'error' };
  }
  /* Translators: %s says what went wrong. */
  return { text: format(_('Could not reach the host (%s)'), e.message), kind: 'error' };
}

async function load () {
  const range = view.range;
  const token = state.token;
  inFlight = true;
  again = false;
  lastStart = Date.now();
  try {
    const stats = await fetchJson(`/api/v1/stats?${statsQuery(range, Date.now())}`, { timeout: REPORT_TIMEOUT_MS });
    if (!stats || typeof stats.tickets !== 'number') throw new Error(_('the host sent no figures'));
    if (range === view.range) {
      view.stats = stats;
      view.statsRange = range;
      view.fetchedAt = Date.now();
    }
    view.error = null;
    retryMs = 0;
    blockedUntil = 0;
  } catch (e) {
    view.error = describe(e);
    log.info(`speed-of-service report failed: ${e.message}`);
    if (e instanceof HttpError && e.status === 401) {
      /* The pairing panel (unless the screen was paired again since it
       * asked); the link comes back online once paired, and that asks
       * again (statsLinkChanged). */
      inFlight = false;
      if (token === state.token) link.unpaired(e.reason || 'unknown');
      else want(0, true);
      renderStats(true);
      return;
    }
    retryMs = retryDelay(retryMs, e instanceof HttpError ? e.retryAfter : 0);
    blockedUntil = Date.now() + retryMs;
  }
  inFlight = false;
  renderStats(true);
  /* Another range was picked meanwhile, or events came: at once (the
   * gap still holds for the events). */
  if (range !== view.range) want(0, true);
  else if (again) want(SETTLE_MS);
  else want(view.error ? 0 : PERIODIC_MS);
}

/* The host sent events (app.js's hostChanged): a ticket moved. */
export function statsHostChanged () {
  want(SETTLE_MS);
}

/* The link's state changed: back online, the figures may be behind;
 * gone offline, the host may be down, which the page says (the next
 * report fails, and the ones after back off). Unpaired: nothing to ask
 * with until the screen is paired again. */
let wasOnline = false;
export function statsLinkChanged (linkState) {
  if (!started) return;
  const online = linkState.startsWith('online');
  if (online !== wasOnline && (online || linkState === 'offline')) want(0, true);
  wasOnline = online;
}

async function downloadCsv () {
  const range = view.range;
  const { from, to } = rangeBounds(range, Date.now());
  const a = $('stats-csv');
  a.disabled = true;
  try {
    /* The token is a header, so a plain link cannot carry it: the file
     * comes through fetch and leaves as a Blob. */
    const res = await fetch(`/api/v1/stats.csv?${statsQuery(range, Date.now())}`, {
      cache: 'no-store',
      headers: state.token ? { Authorization: `Bearer ${state.token}` } : {},
      signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
    });
    if (!res.ok) {
      let why = res.statusText;
      try { why = (await res.json()).error.message || why; } catch (e) { /* not JSON */ }
      throw new HttpError(res.status, why, null, Number.parseInt(res.headers.get('Retry-After') || '', 10) || 0);
    }
    const url = URL.createObjectURL(await res.blob());
    const save = el('a');
    save.href = url;
    save.download = csvFileName(from, to);
    save.hidden = true;
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60 * 1000);
  } catch (e) {
    view.error = describe(e);
    renderStats(true);
  } finally {
    a.disabled = false;
  }
}

function pickRange (range) {
  if (range === view.range) return;
  view.range = range;
  renderStats(true);
  want(0, true);
}

/* Builds the page's frame once: the range picker, the CSV, the status
 * line and the place for the figures. */
function frame () {
  const board = $('board');
  board.classList.add('stats');
  board.setAttribute('aria-live', 'polite');
  const tools = el('div', 'stats-tools');
  const picker = el('div', 'stats-ranges');
  picker.setAttribute('role', 'group');
  for (const range of RANGES) {
    const b = button('btn stats-range', '', () => pickRange(range));
    b.dataset.range = range;
    picker.append(b);
  }
  const csv = button('btn stats-csv', '', downloadCsv);
  csv.id = 'stats-csv';
  tools.append(picker, el('p', 'stats-status'), csv);
  board.replaceChildren(tools, el('div', 'stats-body'));
}

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

function tile (name, label, value, detail, age) {
  const node = el('div', 'stats-tile');
  node.dataset.figure = name;
  if (age) node.dataset.age = age;
  node.append(el('span', 'stats-label', label), el('span', 'stats-value', value));
  if (detail) node.append(el('span', 'stats-detail', detail));
  return node;
}

const time = (figure, key = 'avg') => formatDuration(figure ? figure[key] : null) || '—';

function headline (s) {
  const ready = s.ready_time_ms;
  const box = el('div', 'stats-tiles');
  box.append(
    tile('tickets', _('Tickets'), s.tickets, format(ngettext('%d cancelled', '%d cancelled', s.cancelled), s.cancelled)),
    tile('late', _('Late'), s.late, format(ngettext('%d warning', '%d warnings', s.warning), s.warning),
         s.late ? 'late' : s.warning ? 'warn' : null),
    tile('ready', _('Time to ready'), time(ready), _('average'), ready ? ageClass(ready.avg, WARN_MS, LATE_MS) : null),
    /* Translators: the 90th percentile of the time to ready. */
    tile('ready-p90', _('9 in 10 ready within'), time(ready, 'p90'), null, ready ? ageClass(ready.p90, WARN_MS, LATE_MS) : null),
    tile('start', _('Time to start'), time(s.start_time_ms), _('average')),
    tile('pass', _('Time at the pass'), time(s.wait_time_ms), _('average')),
  );
  return box;
}

function chart (s) {
  const section = el('section', 'stats-section stats-chart');
  section.append(el('h2', 'stats-heading', _('Tickets by hour ordered')));
  const bars = el('div', 'stats-bars');
  for (const h of chartHours(s.by_hour)) {
    const column = el('div', 'stats-hour');
    column.dataset.hour = String(h.hour);
    column.dataset.tickets = String(h.tickets);
    const age = hourClass(h, WARN_MS, LATE_MS);
    const avg = formatDuration(h.ready_time_ms ? h.ready_time_ms.avg : null);
    const label = `${String(h.hour).padStart(2, '0')}:00`;
    /* Translators: one bar of the chart: an hour, its tickets, their average time to ready. */
    const tip = [label, format(ngettext('%d ticket', '%d tickets', h.tickets), h.tickets)];
    if (avg) tip.push(format(_('%s average to ready'), avg));
    if (h.late) tip.push(format(ngettext('%d late', '%d late', h.late), h.late));
    column.title = tip.join(' · ');
    column.setAttribute('aria-label', column.title);
    const track = el('div', 'stats-track');
    const bar = el('div', 'stats-bar');
    bar.dataset.age = age;
    /* CSSOM, which the page's Content-Security-Policy allows (a style
     * attribute it would not). */
    bar.style.height = `${(h.share * 100).toFixed(1)}%`;
    if (h.tickets) track.append(el('span', 'stats-count', h.tickets));
    track.append(bar);
    column.append(track, el('span', 'stats-hour-label', String(h.hour).padStart(2, '0')),
                  el('span', 'stats-hour-avg', avg || ''));
    bars.append(column);
  }
  const legend = el('p', 'stats-legend');
  legend.append(el('span', 'stats-legend-title', _('Colour: the average time to ready')));
  for (const [age, text] of [
    ['fresh', format(ngettext('under %d minute', 'under %d minutes', WARN_MINUTES), WARN_MINUTES)],
    ['warn', format(ngettext('%d minute or more', '%d minutes or more', WARN_MINUTES), WARN_MINUTES)],
    ['late', format(ngettext('%d minute or more', '%d minutes or more', LATE_MINUTES), LATE_MINUTES)],
  ]) {
    const key = el('span', 'stats-key');
    const swatch = el('span', 'stats-swatch');
    swatch.dataset.age = age;
    key.append(swatch, text);
    legend.append(key);
  }
  section.append(bars, legend);
  return section;
}

function table (name, title, head, rows) {
  const section = el('section', 'stats-section');
  section.dataset.table = name;
  section.append(el('h2', 'stats-heading', title));
  const wrap = el('div', 'stats-table-wrap');
  const t = el('table', 'stats-table');
  const tr = el('tr');
  head.forEach((text, i) => tr.append(el('th', i ? 'num' : null, text)));
  const thead = el('thead');
  thead.append(tr);
  const tbody = el('tbody');
  for (const row of rows) {
    const r = el('tr');
    row.forEach((text, i) => r.append(el(i ? 'td' : 'th', i ? 'num' : null, text)));
    tbody.append(r);
  }
  t.append(thead, tbody);
  wrap.append(t);
  section.append(wrap);
  return section;
}

function tables (s) {
  /* The times are the time to ready, as the headings say. */
  const columns = (first, count) => [first, count, _('Average'), _('9 in 10 within'), _('Late')];
  const times = (g) => [time(g.ready_time_ms), time(g.ready_time_ms, 'p90'), String(g.late)];
  const box = el('div', 'stats-tables');
  box.append(
    table('station', _('Time to ready by station'), columns(_('Station'), _('Items')),
          (s.by_station || []).map((g) => [g.station === null ? _('(no station)') : g.station, String(g.items), ...times(g)])),
    table('order-type', _('Time to ready by order type'), columns(_('Order type'), _('Tickets')),
          (s.by_order_type || []).map((g) => [has(ORDER_TYPE, g.order_type) ? _(ORDER_TYPE[g.order_type]) : g.order_type,
                                              String(g.tickets), ...times(g)])),
  );
  return box;
}

function statusText () {
  const when = (ms) => new Date(ms).toLocaleTimeString(catalogLanguage() || [], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (view.error && view.stats && view.statsRange === view.range && view.fetchedAt) {
    /* Translators: %1$s says what went wrong, %2$s is a time of day. */
    return format(_('%1$s. Showing the figures of %2$s.'), view.error.text, when(view.fetchedAt));
  }
  if (view.error) return view.error.text;
  if (!view.stats || view.statsRange !== view.range) return _('Loading the figures…');
  /* Translators: %s is a time of day. */
  return format(_('Updated %s'), when(view.fetchedAt));
}

function rangeDates () {
  const { from, to } = rangeBounds(view.range, Date.now());
  const options = { weekday: 'short', day: 'numeric', month: 'short' };
  const lang = catalogLanguage() || [];
  const first = new Date(from).toLocaleDateString(lang, options);
  const last = new Date(to - 1).toLocaleDateString(lang, options);
  return first === last ? first : `${first} – ${last}`;
}

/* Draws what changed: the range buttons and the status every time,
 * the figures when a report came (@force) or the language changed. */
export function renderStats (force = false) {
  if (!$('board').classList.contains('stats')) frame();
  for (const b of document.querySelectorAll('.stats-range')) {
    b.textContent = _(RANGE_LABEL[b.dataset.range]);
    b.setAttribute('aria-pressed', String(b.dataset.range === view.range));
  }
  const csv = $('stats-csv');
  csv.textContent = _('Download CSV');
  csv.title = _('The tickets of this range, one row each, for a spreadsheet');
  const status = document.querySelector('.stats-status');
  status.textContent = statusText();
  status.dataset.kind = view.error ? view.error.kind : 'ok';
  status.setAttribute('role', view.error && view.error.kind === 'error' ? 'alert' : 'status');
  $('counts').textContent = rangeDates();
  $('empty').hidden = true;

  /* Until the figures of another range come, the last ones stay,
   * faded; an error for another range leaves none (they would answer
   * another question). */
  const other = view.statsRange !== view.range;
  const s = other && view.error ? null : view.stats;
  const key = [s ? view.fetchedAt : 0, view.range, !!view.error, _('Tickets')].join('|');
  if (!force && key === lastKey) return;
  lastKey = key;
  const body = document.querySelector('.stats-body');
  body.classList.toggle('is-stale', !!view.error || other);
  if (!s) {
    body.replaceChildren();
  } else if (isEmpty(s)) {
    const empty = el('div', 'stats-empty');
    empty.append(el('p', 'empty', _('No tickets in this range')));
    if (s.cancelled) empty.append(el('p', 'muted', format(ngettext('%d cancelled', '%d cancelled', s.cancelled), s.cancelled)));
    body.replaceChildren(empty);
  } else {
    body.replaceChildren(headline(s), chart(s), tables(s));
  }
  body.dataset.range = view.statsRange || '';
}

/* Another language: draw everything again. */
export function forgetStats () {
  lastKey = '';
}

/* The first report comes when the link is online (paired, the host
 * there: statsLinkChanged), and so does one after the refresh button,
 * which reconnects the link. */
export function startStats () {
  started = true;
  renderStats(true);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - lastStart > PERIODIC_MS) want(0, true);
  });
  statsLinkChanged(link.state);
}
