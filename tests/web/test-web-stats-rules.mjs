/* Unit tests of data/web/figures.js, the speed-of-service page's pure
 * rules: the ranges it asks the host for (local midnights), the query,
 * how a duration reads, an hour's colour and which hours the chart
 * draws. No browser and no host: node imports the module as the page
 * does, in a time zone of its own (set before any date is made).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

/* India: no summer time, and a half-hour offset (UTC+5:30) that shows a
 * midnight taken in UTC by mistake. */
process.env.TZ = 'Asia/Kolkata';

const {
  LAST_7_DAYS, RANGES, TODAY, YESTERDAY, chartHours, csvFileName, formatDuration, hourClass, isEmpty, rangeBounds,
  retryDelay, statsQuery,
} = await import('../../data/web/figures.js');
const { LATE_MINUTES, WARN_MINUTES, ageClass } = await import('../../data/web/rules.js');

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/* 2026-03-11 00:00 in Kolkata is 2026-03-10 18:30 UTC. */
const MIDNIGHT_11 = Date.UTC(2026, 2, 10, 18, 30);

test('the time zone is the one these tests expect', () => {
  assert.equal(new Date(MIDNIGHT_11).getTimezoneOffset(), -330);
  assert.equal(new Date(MIDNIGHT_11).getHours(), 0);
});

test('today: from its local midnight to the next', () => {
  for (const now of [MIDNIGHT_11, MIDNIGHT_11 + 1, MIDNIGHT_11 + 13 * HOUR + 7 * MIN, MIDNIGHT_11 + DAY - 1]) {
    assert.deepEqual(rangeBounds(TODAY, now), { from: MIDNIGHT_11, to: MIDNIGHT_11 + DAY }, new Date(now).toISOString());
  }
  /* One ms before the midnight is still the day before. */
  assert.deepEqual(rangeBounds(TODAY, MIDNIGHT_11 - 1), { from: MIDNIGHT_11 - DAY, to: MIDNIGHT_11 });
  /* An unknown range is today. */
  assert.deepEqual(rangeBounds('fortnight', MIDNIGHT_11 + HOUR), rangeBounds(TODAY, MIDNIGHT_11 + HOUR));
});

test('yesterday: the whole day before today, ending where today starts', () => {
  const now = MIDNIGHT_11 + 9 * HOUR;
  assert.deepEqual(rangeBounds(YESTERDAY, now), { from: MIDNIGHT_11 - DAY, to: MIDNIGHT_11 });
  assert.equal(rangeBounds(YESTERDAY, now).to, rangeBounds(TODAY, now).from);
  /* Across a month's end: 1 April's yesterday is 31 March. */
  const april1 = Date.UTC(2026, 2, 31, 18, 30) + 2 * HOUR;
  const { from, to } = rangeBounds(YESTERDAY, april1);
  assert.equal(new Date(from).getDate(), 31);
  assert.equal(new Date(from).getMonth(), 2);
  assert.equal(to - from, DAY);
});

test('last 7 days: six whole days and today', () => {
  const now = MIDNIGHT_11 + 20 * HOUR;
  const { from, to } = rangeBounds(LAST_7_DAYS, now);
  assert.equal(from, MIDNIGHT_11 - 6 * DAY);
  assert.equal(to, MIDNIGHT_11 + DAY);
  assert.equal(new Date(from).getDate(), 5);
  assert.equal(new Date(from).getHours(), 0);
  assert.deepEqual(RANGES, [TODAY, YESTERDAY, LAST_7_DAYS]);
});

test('a day of 23 hours (summer time) ends at its own midnight, not 24 hours on', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'Europe/Paris';
  try {
    /* Sunday 29 March 2026: clocks go from 2:00 to 3:00. */
    const noon = Date.UTC(2026, 2, 29, 10, 0);
    const { from, to } = rangeBounds(TODAY, noon);
    assert.equal(to - from, 23 * HOUR);
    assert.equal(new Date(from).getHours(), 0);
    assert.equal(new Date(to).getHours(), 0);
    const week = rangeBounds(LAST_7_DAYS, noon);
    assert.equal(week.to - week.from, 7 * DAY - HOUR);
  } finally {
    process.env.TZ = saved;
  }
  assert.equal(new Date(MIDNIGHT_11).getHours(), 0, 'back in Kolkata');
});

test('the query carries the range and the kitchen\'s thresholds', () => {
  const now = MIDNIGHT_11 + 3 * HOUR;
  const q = new URLSearchParams(statsQuery(YESTERDAY, now));
  assert.equal(q.get('from'), String(MIDNIGHT_11 - DAY));
  assert.equal(q.get('to'), String(MIDNIGHT_11));
  assert.equal(q.get('warn_minutes'), String(WARN_MINUTES));
  assert.equal(q.get('late_minutes'), String(LATE_MINUTES));
  assert.equal(WARN_MINUTES, 8);
  assert.equal(LATE_MINUTES, 15);
  assert.equal(new URLSearchParams(statsQuery(TODAY, now, 5, 10)).get('late_minutes'), '10');
});

test('durations read m:ss, h:mm:ss from an hour, to the nearest second', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(499), '0:00');
  assert.equal(formatDuration(500), '0:01');
  assert.equal(formatDuration(30000), '0:30');
  assert.equal(formatDuration(330000), '5:30');
  assert.equal(formatDuration(59 * MIN + 59499), '59:59');
  assert.equal(formatDuration(HOUR), '1:00:00');
  assert.equal(formatDuration(HOUR + 5 * MIN + 7000), '1:05:07');
  assert.equal(formatDuration(-5000), '0:00');
  for (const none of [null, undefined, NaN, 'soon']) assert.equal(formatDuration(none), null);
});

test('an hour takes the kitchen\'s age colour of its average time to ready', () => {
  const hour = (avg) => ({ hour: 12, tickets: 3, late: 0, ready_time_ms: avg === null ? null : { count: 3, avg, p50: avg, p90: avg, max: avg } });
  assert.equal(hourClass(hour(5 * MIN)), 'fresh');
  assert.equal(hourClass(hour(8 * MIN - 1)), 'fresh');
  assert.equal(hourClass(hour(8 * MIN)), 'warn');
  assert.equal(hourClass(hour(15 * MIN - 1)), 'warn');
  assert.equal(hourClass(hour(15 * MIN)), 'late');
  assert.equal(hourClass(hour(null)), 'none');
  assert.equal(hourClass(null), 'none');
  /* Other thresholds, the same rule. */
  assert.equal(hourClass(hour(6 * MIN), 5 * MIN, 10 * MIN), 'warn');
  /* The very rule of the kitchen's cards. */
  for (const ms of [0, 8 * MIN, 15 * MIN, 40 * MIN]) assert.equal(hourClass(hour(ms)), ageClass(ms));
});

test('the chart draws the hours from the first ticket to the last, bars as a share of the busiest', () => {
  const byHour = Array.from({ length: 24 }, (_, h) => ({ hour: h, tickets: 0, late: 0, ready_time_ms: null }));
  assert.deepEqual(chartHours(byHour), []);
  assert.deepEqual(chartHours(undefined), []);
  byHour[12].tickets = 4;
  byHour[14].tickets = 2;
  byHour[11].tickets = 1;
  const hours = chartHours([...byHour].reverse());
  assert.deepEqual(hours.map((h) => h.hour), [11, 12, 13, 14]);
  assert.deepEqual(hours.map((h) => h.share), [0.25, 1, 0, 0.5]);
  assert.equal(hours[1].tickets, 4);
});

test('a report with no tickets is empty', () => {
  assert.equal(isEmpty({ tickets: 0, cancelled: 2 }), true);
  assert.equal(isEmpty(null), true);
  assert.equal(isEmpty({ tickets: 1 }), false);
});

test('the CSV is named after the local days of its range', () => {
  assert.equal(csvFileName(MIDNIGHT_11, MIDNIGHT_11 + DAY), 'ticketrail-stats-2026-03-11.csv');
  const week = rangeBounds(LAST_7_DAYS, MIDNIGHT_11 + HOUR);
  assert.equal(csvFileName(week.from, week.to), 'ticketrail-stats-2026-03-05-to-2026-03-11.csv');
});

test('after a failure: doubling waits, never under the host\'s Retry-After', () => {
  assert.equal(retryDelay(0, 0), 2000);
  assert.equal(retryDelay(2000, 0), 4000);
  assert.equal(retryDelay(40000, 0), 60000);
  assert.equal(retryDelay(60000, 0), 60000);
  assert.equal(retryDelay(0, 1), 2000);
  assert.equal(retryDelay(0, 30), 30000);
  assert.equal(retryDelay(60000, 120), 120000);
});
