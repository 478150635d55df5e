// The manager's speed-of-service page (issue 14): /?role=stats, paired
// like any screen, shows the host's GET /api/v1/stats for today: the
// headline figures and the per-station table are the host's own; a
// ticket completed meanwhile shows without a reload; Yesterday asks for
// yesterday's local day and says plainly that it had no tickets; the
// host going away is said, the last figures kept, and they come back
// with it (docs/screenshots/web-stats.png; set TR_SCREENSHOT_DIR to the
// source tree's docs/screenshots to refresh it).
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { item, lunch, ticket } from './fixtures.mjs';
import {
  LONG, api, createTicket, launchBrowser, openPage, op, pairStation, postOps, startHost, until, waitConn,
} from './lib.mjs';
import { formatDuration } from '../../data/web/figures.js';

const SHOTS = process.env.TR_SCREENSHOT_DIR || join(tmpdir(), 'ticketrail-web-screenshots');
let host, browser;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

const figure = (page, name) => page.locator(`.stats-tile[data-figure="${name}"] .stats-value`);
const status = (page) => page.locator('.stats-status');

// Moves @t through the kitchen: every op applied.
async function bump (t, ...statuses) {
  for (const status of statuses) {
    const acks = await postOps(host, [op({ kind: 'set_ticket_status', ticket_id: t.id, status })]);
    assert.equal(acks[0].result, 'applied', JSON.stringify(acks[0]));
  }
}

// The page's stats requests, newest last.
// Watched on the context, before the page opens: the page asks for its
// first figures while it loads, before openPage() returns.
function watchReports (context) {
  const reports = [];
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/api/v1/stats') reports.push(url.searchParams);
  });
  return reports;
}

// The rows of one of the page's tables, as text.
async function tableRows (page, name) {
  return page.locator(`[data-table="${name}"] tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

async function statsPage (viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, acceptDownloads: true });
  const reports = watchReports(context);
  const page = await openPage(context, `${host.url}/?role=stats`);
  await waitConn(page, 'online-websocket');
  return { context, page, reports };
}

test('a board token and a station token both read the figures', async () => {
  for (const role of ['board', 'stats', 'kitchen']) {
    const token = await pairStation(host, `stats-reader-${role}`, role);
    const res = await fetch(`${host.url}/api/v1/stats`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(LONG) });
    assert.equal(res.status, 200, role);
    assert.equal(typeof (await res.json()).tickets, 'number');
  }
  const anonymous = await fetch(`${host.url}/api/v1/stats`, { signal: AbortSignal.timeout(LONG) });
  assert.equal(anonymous.status, 401);
});

test('today\'s figures are the host\'s, follow the kitchen live, and Yesterday is empty', async () => {
  const orders = lunch();
  for (const t of orders) await createTicket(host, t);
  await bump(orders[0], 'ready', 'served');
  await bump(orders[1], 'ready');
  await bump(orders[2], 'ready', 'served');
  await bump(orders[3], 'cancelled');
  await postOps(host, [op({ kind: 'set_item_status', ticket_id: orders[4].id, item_id: orders[4].items[0].id, status: 'preparing' })]);

  const { context, page, reports } = await statsPage();
  // The lunch's 7 tickets, one of them cancelled.
  await until('the headline count', async () => (await figure(page, 'tickets').textContent()) === '6');
  assert.deepEqual(page.problems, []);
  const query = reports[reports.length - 1];
  assert.equal(query.get('warn_minutes'), '8');
  assert.equal(query.get('late_minutes'), '15');
  // Today: from this (browser's) local midnight to the next.
  const today = await page.evaluate(() => {
    const d = new Date();
    return { from: new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(),
             to: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() };
  });
  assert.equal(Number(query.get('from')), today.from);
  assert.equal(Number(query.get('to')), today.to);

  // What the page shows is what the host answers for the same query.
  const stats = await api(host, 'GET', `/api/v1/stats?${query}`);
  assert.equal(stats.tickets, 6);
  assert.equal(stats.cancelled, 1);
  await until('the figures of the host\'s answer', async () =>
    (await figure(page, 'tickets').textContent()) === String(stats.tickets)
    && (await figure(page, 'late').textContent()) === String(stats.late)
    && (await figure(page, 'ready').textContent()) === formatDuration(stats.ready_time_ms.avg)
    && (await figure(page, 'ready-p90').textContent()) === formatDuration(stats.ready_time_ms.p90));
  assert.match(await page.locator('.stats-tile[data-figure="tickets"] .stats-detail').textContent(), /^1 cancelled$/);
  assert.equal(await figure(page, 'start').textContent(), formatDuration(stats.start_time_ms?.avg) || '—');
  assert.equal(await figure(page, 'pass').textContent(), formatDuration(stats.wait_time_ms.avg));
  const stations = await tableRows(page, 'station');
  assert.deepEqual(stations.map((r) => [r[0], r[1], r[4]]),
                   stats.by_station.map((g) => [g.station ?? '(no station)', String(g.items), String(g.late)]));
  assert.deepEqual(stations.map((r) => r[2]), stats.by_station.map((g) => formatDuration(g.ready_time_ms?.avg) || '—'));
  assert.ok(stations.length >= 4, `${stations.length} stations`);
  const types = await tableRows(page, 'order-type');
  assert.deepEqual(types.map((r) => r[1]), stats.by_order_type.map((g) => String(g.tickets)));
  // One bar per hour from the first ticket's to the last's (all now).
  const bars = await page.locator('.stats-hour').evaluateAll((nodes) => nodes.map((n) => [Number(n.dataset.hour), Number(n.dataset.tickets)]));
  const busy = stats.by_hour.filter((h) => h.tickets > 0).map((h) => [h.hour, h.tickets]);
  assert.deepEqual(bars.filter(([, n]) => n > 0), busy);
  assert.equal(await page.locator('.stats-bar[data-age]').count(), bars.length);

  // Another ticket, made and completed while the page is open: the
  // count follows with no reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  const extra = ticket({ table: '40', items: [item('Fries'), item('Masala Chai')] });
  await createTicket(host, extra);
  await bump(extra, 'ready', 'served');
  await until('the new ticket in the count', async () => (await figure(page, 'tickets').textContent()) === '7');
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  const after = await api(host, 'GET', `/api/v1/stats?${reports[reports.length - 1]}`);
  assert.equal(after.tickets, 7);
  await until('the host\'s per-station items', async () => JSON.stringify((await tableRows(page, 'station')).map((r) => r[1]))
    === JSON.stringify(after.by_station.map((g) => String(g.items))));

  // The CSV of the same range, with the page's token (a header, so the
  // page fetches it and hands it over as a Blob).
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#stats-csv').click()]);
  assert.match(download.suggestedFilename(), /^ticketrail-stats-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
  assert.match(csv[0], /^number,table,order_type,created/);
  assert.equal(csv.length - 1, 8, 'a row per ticket, the cancelled one too');

  // Yesterday: the whole local day before, which had no tickets.
  const asked = reports.length;
  await page.locator('.stats-range[data-range="yesterday"]').click();
  await page.locator('.stats-empty').waitFor();
  assert.equal(await page.locator('.stats-empty .empty').textContent(), 'No tickets in this range');
  assert.equal(await page.locator('.stats-range[data-range="yesterday"]').getAttribute('aria-pressed'), 'true');
  const yesterday = reports.slice(asked).find((q) => Number(q.get('to')) === today.from);
  assert.ok(yesterday, `a report for yesterday (asked: ${reports.slice(asked).map(String)})`);
  assert.ok(Number(yesterday.get('from')) < today.from && today.from - Number(yesterday.get('from')) <= 25 * 3600 * 1000);
  assert.equal(await page.locator('.stats-hour').count(), 0, 'no chart of zeros');

  // Last 7 days holds today's tickets too.
  await page.locator('.stats-range[data-range="week"]').click();
  await until('the week\'s count', async () => (await page.locator('.stats-body').getAttribute('data-range')) === 'week'
    && (await figure(page, 'tickets').textContent()) === '7');

  await page.locator('.stats-range[data-range="today"]').click();
  await until('today again', async () => (await page.locator('.stats-body').getAttribute('data-range')) === 'today');
  await page.locator('.stats-status[data-kind="ok"]').waitFor();
  await page.evaluate(() => document.fonts.ready);
  await page.locator('.toast').first().waitFor({ state: 'detached', timeout: LONG });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'web-stats.png'), fullPage: true });
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `no horizontal overflow (${scrollWidth} > ${clientWidth})`);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('on a tablet: the host going away is said, the figures stay, and come back with it', async () => {
  const { context, page } = await statsPage({ width: 768, height: 1024 });
  await page.locator('.stats-tile[data-figure="tickets"]').waitFor();
  const count = await figure(page, 'tickets').textContent();
  assert.ok(Number(count) >= 1, count);
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `no horizontal overflow on a tablet (${scrollWidth} > ${clientWidth})`);
  await page.locator('.toast').first().waitFor({ state: 'detached', timeout: LONG });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'web-stats-768.png'), fullPage: true });

  const { port, dataDir } = host;
  await host.stop({ keepData: true });
  await page.locator('.stats-status[data-kind="error"]').waitFor({ timeout: LONG });
  assert.match(await status(page).textContent(), /Could not reach the host/);
  assert.equal(await figure(page, 'tickets').textContent(), count, 'the last figures are still shown');
  assert.match(await page.locator('.stats-body').getAttribute('class'), /\bis-stale\b/);

  host = await startHost({ port, dataDir });
  await page.locator('.stats-status[data-kind="ok"]').waitFor({ timeout: 3 * LONG });
  assert.match(await status(page).textContent(), /^Updated /);
  assert.equal(await figure(page, 'tickets').textContent(), count);
  assert.deepEqual(page.problems, []);
  await context.close();
});
