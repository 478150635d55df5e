/* Pairing: a code from the host, entered here or carried by a pairing
 * link, traded for this screen's station token (docs/security.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { ROLE, STATION_NAME } from './config.js';
import { HttpError, fetchJson, link } from './connection.js';
import { $, el, splitOnce, toast } from './dom.js';
import { _, format } from './gettext.js';
import { setToken, state } from './store.js';

export const pairing = {
  busy: false,

  reason: null,

  show (reason) {
    this.reason = reason;
    $('pair-panel').hidden = false;
    const why = $('pair-why');
    if (reason === 'revoked') {
      why.textContent = _('The host revoked this screen\'s pairing. Ask for a new pairing code on the host to pair it again.');
    } else if (reason) {
      why.textContent = _('The host does not know this screen (it was reset, or paired it again elsewhere). Enter a new pairing code from the host.');
    } else {
      /* Translators: %s is the command "ticketrail-host pair". */
      const [before, after] = splitOnce(_('Only paired screens may show orders. On the host, open the station monitor (or run %s) for a pairing code, then enter it here.'));
      why.replaceChildren(before, el('code', null, 'ticketrail-host pair'), after);
    }
    if (!this.busy) $('pair-code').focus();
  },

  hide () {
    $('pair-panel').hidden = true;
    $('pair-message').textContent = '';
    $('pair-code').value = '';
  },

  async pair (code) {
    if (this.busy) return;
    code = String(code || '').replace(/[^0-9]/g, '');
    if (!code) {
      $('pair-message').textContent = _('Enter the code the host shows');
      return;
    }
    this.busy = true;
    $('pair-submit').disabled = true;
    $('pair-message').textContent = _('Pairing…');
    try {
      const reply = await fetchJson('/api/v1/pair', {
        method: 'POST',
        body: { code, station: { id: state.stationId, name: STATION_NAME, role: ROLE } },
        timeout: 15000,
        anonymous: true,
      });
      if (!reply || typeof reply.token !== 'string' || !reply.token) throw new Error(_('the host sent no token'));
      setToken(reply.token);
      this.hide();
      toast(_('This screen is paired'));
      link.lastError = null;
      link.refresh();
    } catch (e) {
      $('pair-message').textContent = e instanceof HttpError
        ? (e.status === 429 ? _('Too many wrong codes: wait a minute, then try again')
          : e.reason === 'expired_code' ? _('That code has expired: ask the host for a new one')
          : e.status === 401 ? _('Wrong code: check it and try again') : e.message)
        /* Translators: %s says what went wrong. */
        : format(_('Could not reach the host (%s)'), e.message);
      $('pair-code').select();
    } finally {
      this.busy = false;
      $('pair-submit').disabled = false;
    }
  },
};
