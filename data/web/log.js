/* What the page tells the browser's console, for whoever opens the
 * developer tools on a screen that misbehaves (docs/monitoring.md):
 * info for the link's life (connect, welcome, polling, reconnects), warn
 * for what went wrong but was handled (a gap, a refused op, a catalog),
 * error for a bug. ?debug=1 adds a line per frame.
 *
 * English, untranslated: these are for the people who fix things, and
 * they search the web for them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

const PREFIX = '[ticketrail]';

export const DEBUG = new URLSearchParams(location.search).get('debug') === '1';

export const log = {
  info (...args) { console.info(PREFIX, ...args); },
  warn (...args) { console.warn(PREFIX, ...args); },
  error (...args) { console.error(PREFIX, ...args); },
  /* @direction: 'sent' or 'received'; @frame the parsed frame. */
  frame (direction, transport, frame) {
    if (DEBUG) console.debug(PREFIX, `${transport} ${direction}`, frame && frame.type, frame);
  },
};

/* A bug is an exception nobody caught: ours, as the page runs nothing else. */
addEventListener('error', (e) => log.error('bug:', e.message, e.error || ''));
addEventListener('unhandledrejection', (e) => log.error('bug: unhandled rejection:', e.reason));
