/* The banners about the link: the TRAINING one while the host serves its
 * training database, and the one of a screen that has lost its host.
 *
 * Lost host: as the native stations
 * show it (src/app/tr-link-watch.c): offline, or still trying to connect,
 * for longer than HOST_LOST_MS, the page says so in a banner that stays
 * until the link is back, and chimes once sound is enabled. A short blip
 * (a host restart, a Wi-Fi roam) stays in the bar's pill only.
 *
 * An unpaired screen is not lost: its pairing panel says what to do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { $ } from './dom.js';
import { _, format } from './gettext.js';
import { log } from './log.js';
import { sound } from './sound.js';

export const HOST_LOST_MS = 10000;

let downSince = 0;
let timer = 0;

function lost (state) {
  return state === 'offline' || state === 'connecting';
}

function show () {
  timer = 0;
  const since = new Date(downSince).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const banner = $('link-banner');
  /* Translators: the banner of a screen that cannot reach the host,
   * e.g. "No link to the host since 12:03: new tickets will not
   * arrive until it is back" */
  banner.textContent = format(_('No link to the host since %s: new tickets will not arrive until it is back'), since);
  banner.hidden = false;
  document.documentElement.dataset.hostLost = 'true';
  log.warn(`no link to the host for ${Math.round((Date.now() - downSince) / 1000)} s: showing the banner`);
  sound.play('alert');
}

/* Shows the TRAINING banner while @training (the host's welcome or
 * health said so), as the native window does (src/app/tr-window.ui). */
export function trainingChanged (training) {
  /* Its text is index.html's, translated with the page's (app.js). */
  $('training-banner').hidden = !training;
  if (training) document.documentElement.dataset.training = 'true';
  else delete document.documentElement.dataset.training;
}

/* Called with the link's state each time it changes. */
export function linkAlertChanged (state) {
  if (lost(state)) {
    if (!downSince) {
      downSince = Date.now();
      timer = setTimeout(show, HOST_LOST_MS);
    }
    return;
  }
  clearTimeout(timer);
  timer = 0;
  if (downSince && !$('link-banner').hidden) log.info('the link is back: hiding the banner');
  downSince = 0;
  $('link-banner').hidden = true;
  delete document.documentElement.dataset.hostLost;
}
