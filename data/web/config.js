/* What this screen is, from its address: /?role=kitchen|expo|foh|board|stats,
 * &station=grill for one kitchen station, &pair=CODE for a pairing link,
 * &rush_first=0 to keep rush orders in age order, and for the board
 * &linger=SECONDS, how long an order stays after it is served.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { N_ } from './gettext.js';

const params = new URLSearchParams(location.search);

export const ROLE = ['kitchen', 'expo', 'foh', 'board', 'stats'].includes(params.get('role')) ? params.get('role') : 'kitchen';
export const STATION = ROLE === 'foh' || ROLE === 'board' || ROLE === 'stats' ? null : (params.get('station') || '').trim().slice(0, 100) || null;
export const IS_FOH = ROLE === 'foh';
/* The customer order-ready board: reads, never sends ops (the host
 * refuses them from its token anyway). */
export const IS_BOARD = ROLE === 'board';
/* The manager's speed-of-service figures (stats.js): reads the host's
 * report, shows no tickets and works none. */
export const IS_STATS = ROLE === 'stats';
/* Rush orders ahead of the others (on unless ?rush_first=0). */
export const RUSH_FIRST = params.get('rush_first') !== '0';
/* How long a served or cancelled order stays on the board, in ms. */
export const LINGER_MS = parseLinger(params.get('linger'));

function parseLinger (value) {
  const seconds = Number(value);
  if (value === null || value === '' || !Number.isFinite(seconds) || seconds < 0) return 5 * 60 * 1000;
  return Math.min(seconds, 24 * 3600) * 1000;
}
/* One set of stored keys per role and station, so that two tabs showing
 * different screens don't share an outbox. */
export const PROFILE = ROLE + (STATION ? ':' + STATION : '');
export const ROLE_LABEL = { kitchen: N_('Kitchen'), expo: N_('Expo'), foh: N_('Front of house'), board: N_('Order board'),
                             stats: N_('Speed of service') }[ROLE];
/* English, for the host shows it to its own users. */
export const STATION_NAME = `Browser (${STATION || ROLE_LABEL.toLowerCase()})`;

export const PAIR_CODE = (params.get('pair') || '').replace(/[^0-9]/g, '').slice(0, 8) || null;
if (params.has('pair')) {
  /* Not left in the address bar, the history or a bookmark. */
  params.delete('pair');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
}
