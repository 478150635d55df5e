/* What this screen is, from its address: /?role=kitchen|expo|foh,
 * &station=grill for one kitchen station, &pair=CODE for a pairing link.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { N_ } from './gettext.js';

const params = new URLSearchParams(location.search);

export const ROLE = ['kitchen', 'expo', 'foh'].includes(params.get('role')) ? params.get('role') : 'kitchen';
export const STATION = ROLE === 'foh' ? null : (params.get('station') || '').trim().slice(0, 100) || null;
export const IS_FOH = ROLE === 'foh';
/* One set of stored keys per role and station, so that two tabs showing
 * different screens don't share an outbox. */
export const PROFILE = ROLE + (STATION ? ':' + STATION : '');
export const ROLE_LABEL = { kitchen: N_('Kitchen'), expo: N_('Expo'), foh: N_('Front of house') }[ROLE];
/* English, for the host shows it to its own users. */
export const STATION_NAME = `Browser (${STATION || ROLE_LABEL.toLowerCase()})`;

export const PAIR_CODE = (params.get('pair') || '').replace(/[^0-9]/g, '').slice(0, 8) || null;
if (params.has('pair')) {
  /* Not left in the address bar, the history or a bookmark. */
  params.delete('pair');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
}
