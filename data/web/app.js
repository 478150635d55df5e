/* Ticketrail browser display: a kitchen or front-of-house station that
 * speaks protocol v1 (docs/protocol.md) with the host that serves it.
 * This module starts the page and ties the others together:
 *
 *   config.js     what this screen is, from its address
 *   gettext.js    the catalog for the browser's language
 *   log.js        what the page tells the browser's console (?debug=1)
 *   ops.js        what an op does to a ticket (the host's rules)
 *   store.js      tickets, outbox and the rest, in localStorage
 *   connection.js the link to the host: WebSocket or long-polling
 *   pairing.js    trading a pairing code for a station token
 *   screen.js     which tickets and items this screen shows
 *   render.js     the board, the bar and the recall list
 *   rules.js      pure rules: the order board's columns, rush first, ages
 *   recall.js     the recall list every screen shares, and what a recall does
 *   board.js      the customer order-ready board (?role=board)
 *   figures.js    pure rules of the figures: ranges, durations, colours
 *   stats.js      the manager's speed-of-service page (?role=stats)
 *   actions.js    bump, recall and the bump bar's keys
 *   sound.js      the chimes
 *   link-alert.js the banner of a screen that lost its host
 *   dom.js        building nodes, toasts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { IS_BOARD, IS_FOH, IS_STATS, PAIR_CODE, ROLE, ROLE_LABEL, STATION } from './config.js';
import { boardHostChanged } from './board.js';
import * as actions from './actions.js';
import { link } from './connection.js';
import { $, toast } from './dom.js';
import { linkAlertChanged, trainingChanged } from './link-alert.js';
import { CATALOG_WAIT_MS, N_, _, catalogLanguage, format, loadCatalog } from './gettext.js';
import { pairing } from './pairing.js';
import { forgetCards, renderConnection, renderNow, renderRecallList, render, setActions, setLink, tick } from './render.js';
import { isShownInKitchen } from './screen.js';
import { renderSoundBanner, sound } from './sound.js';
import { startStats, statsHostChanged, statsLinkChanged } from './stats.js';
import { hooks, rebuildView, state } from './store.js';

setActions(actions);
setLink(link);

hooks.changed = render;
hooks.queued = () => link.flush();
hooks.storageFailed = () => toast(_('This browser cannot store queued bumps: keep the screen online.'), 'error');
/* Sound for what is new to this screen: a ticket appearing in the
 * kitchen, an order becoming ready for the front of house. */
hooks.hostChanged = (oldView) => {
  if (IS_BOARD) {
    boardHostChanged(oldView);
    return;
  }
  if (IS_STATS) {
    statsHostChanged();
    return;
  }
  let chime = false;
  for (const t of state.view.values()) {
    const old = oldView.get(t.id);
    if (IS_FOH || ROLE === 'expo') {
      if (t.status === 'ready' && (!old || old.status !== 'ready')) chime = true;
    }
    if (!IS_FOH && t.status !== 'cancelled' && isShownInKitchen(t) && (!old || !isShownInKitchen(old))) chime = true;
  }
  if (chime) sound.play(IS_FOH ? 'ready' : 'new');
};

link.onChange = () => {
  renderConnection();
  linkAlertChanged(link.state);
  trainingChanged(link.training);
  if (IS_STATS) statsLinkChanged(link.state);
};
link.onUnpaired = (reason) => pairing.show(reason);
/* Another tab of this screen paired it: this one is paired too. */
hooks.tokenStored = () => link.adoptStoredToken();
link.onTokenAdopted = () => { if (!$('pair-panel').hidden) pairing.hide(); };
/* Translators: %s is the host's reason. */
link.onRefused = (why) => toast(format(_('The host refused a change: %s'), why || _('rejected')), 'error');

/* index.html's own text (English there, for the first paint): by element
 * id, its text and its title. */
const PAGE_TEXT = {
  'recall-button': [N_('Recall'), N_('Recall a bumped ticket (R)')],
  'refresh-button': [N_('Refresh'), N_('Reconnect and reload every ticket')],
  'sound-banner': [N_('Sound is off. Tap anywhere to enable sound.')],
  /* Translators: the banner shown on every screen in training mode; read across a kitchen, so keep it short */
  'training-title': [N_('TRAINING')],
  'training-text': [N_('Training — tickets here are samples and never reach the live kitchen')],
  'empty': [N_('No open tickets')],
  'recall-title': [N_('Recall a bumped ticket')],
  'recall-empty': [N_('Nothing bumped in the last 30 minutes.')],
  'recall-close': [N_('Close')],
  'pair-title': [N_('This screen is not paired')],
  'pair-code-label': [N_('Pairing code')],
  'pair-submit': [N_('Pair this screen')],
};

function translatePage () {
  if (catalogLanguage()) document.documentElement.lang = catalogLanguage();
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
  forgetCards();
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
  $('recall-button').addEventListener('click', actions.openRecall);
  $('recall-close').addEventListener('click', actions.closeRecall);
  $('recall-panel').addEventListener('click', (e) => { if (e.target === $('recall-panel')) actions.closeRecall(); });
  $('recall-button').hidden = IS_FOH || IS_BOARD || IS_STATS;
  $('sound-banner').addEventListener('click', () => sound.unlock());
  renderSoundBanner();
  $('pair-form').addEventListener('submit', (e) => {
    e.preventDefault();
    pairing.pair($('pair-code').value);
  });

  rebuildView();
  renderNow();
  if (IS_STATS) startStats();
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
 * it comes (gettext.js keeps trying). */
let started = false;
const startOnce = () => {
  if (started) return;
  started = true;
  start();
};
setTimeout(startOnce, CATALOG_WAIT_MS);
loadCatalog().then((loaded) => {
  if (loaded && started) retranslate();
  startOnce();
});
