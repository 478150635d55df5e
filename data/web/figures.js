/* Pure rules of the speed-of-service page (/?role=stats, stats.js): the
 * ranges it asks the host for, the query, how a duration reads, the
 * colour of an hour, and which hours the chart shows. Functions of their
 * arguments only (the time zone is the browser's), so that node tests
 * them as they are (tests/web/test-web-stats-rules.mjs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { LATE_MINUTES, WARN_MINUTES, ageClass } from './rules.js';

export const TODAY = 'today';
export const YESTERDAY = 'yesterday';
export const LAST_7_DAYS = 'week';
export const RANGES = [TODAY, YESTERDAY, LAST_7_DAYS];

/* Local midnight of the day @days after the one holding @ms. Built from
 * the calendar (new Date(y, m, d)), never by adding 24 hours, so that a
 * day of 23 or 25 hours (a change of summer time) ends at its midnight. */
function midnight (ms, days = 0) {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/* { from, to } in ms, to excluded, for @range at @nowMs, from the
 * browser's local midnights: today so far and the rest of it, the whole
 * of yesterday, or the 7 calendar days that end with today. The host
 * counts the tickets created in [from, to). */
export function rangeBounds (range, nowMs) {
  switch (range) {
    case YESTERDAY:
      return { from: midnight(nowMs, -1), to: midnight(nowMs) };
    case LAST_7_DAYS:
      return { from: midnight(nowMs, -6), to: midnight(nowMs, 1) };
    default:
      return { from: midnight(nowMs), to: midnight(nowMs, 1) };
  }
}

/* The query of GET /api/v1/stats and /api/v1/stats.csv for @range at
 * @nowMs, with the thresholds of the kitchen's age colours. */
export function statsQuery (range, nowMs, warnMinutes = WARN_MINUTES, lateMinutes = LATE_MINUTES) {
  const { from, to } = rangeBounds(range, nowMs);
  return new URLSearchParams({ from: String(from), to: String(to), warn_minutes: String(warnMinutes),
                               late_minutes: String(lateMinutes) }).toString();
}

const pad = (n) => String(n).padStart(2, '0');

/* A duration as a clock reads it: m:ss, h:mm:ss from an hour; to the
 * nearest second. null when there is none (the host's null: no ticket in
 * the range has that time yet). */
export function formatDuration (ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return null;
  const s = Math.max(0, Math.round(Number(ms) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/* The colour of one hour of the chart: the kitchen's age colour of its
 * average time to ready ('fresh', 'warn', 'late'), or 'none' when no
 * ticket of that hour is ready yet. */
export function hourClass (hour, warnMs = WARN_MINUTES * 60000, lateMs = LATE_MINUTES * 60000) {
  const ready = hour && hour.ready_time_ms;
  if (!ready || !Number.isFinite(ready.avg)) return 'none';
  return ageClass(ready.avg, warnMs, lateMs);
}

/* The hours the chart draws: from the first hour with a ticket to the
 * last, so that a kitchen open 11 to 23 gets wide bars rather than a
 * night of empty ones; each with its bar's height as a share of the
 * busiest hour (0 to 1). Empty when no hour has a ticket. */
export function chartHours (byHour) {
  const hours = (Array.isArray(byHour) ? byHour : []).filter((h) => h && Number.isInteger(h.hour))
    .sort((a, b) => a.hour - b.hour);
  const busy = hours.filter((h) => h.tickets > 0);
  if (!busy.length) return [];
  const first = busy[0].hour;
  const last = busy[busy.length - 1].hour;
  const most = Math.max(...busy.map((h) => h.tickets));
  return hours.filter((h) => h.hour >= first && h.hour <= last)
    .map((h) => ({ ...h, share: h.tickets > 0 ? h.tickets / most : 0 }));
}

/* True when the report has no ticket to show figures of. */
export function isEmpty (stats) {
  return !stats || !(stats.tickets > 0);
}

const day = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/* The download's name: its local day, or first and last day. */
export function csvFileName (from, to) {
  const first = day(from);
  const last = day(Math.max(from, to - 1));
  return first === last ? `ticketrail-stats-${first}.csv` : `ticketrail-stats-${first}-to-${last}.csv`;
}

/* How long to wait before asking again after a failure (ms): twice the
 * @previous wait, from @min up to @max, and never less than the host's
 * Retry-After (@retryAfterS seconds) when it gave one. */
export function retryDelay (previous, retryAfterS, min = 2000, max = 60000) {
  const doubled = Math.min(max, Math.max(min, previous ? previous * 2 : min));
  return Math.max(doubled, (retryAfterS || 0) * 1000);
}
