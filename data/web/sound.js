/* Sound: synthesized, so nothing to download. Browsers keep audio off
 * until the first tap, and the page says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { $ } from './dom.js';

export const sound = {
  ctx: null,
  unlock () {
    if (!this.ctx) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      this.ctx = new Ctx();
    }
    if (this.ctx.state === 'suspended') this.ctx.resume();
    this.ctx.onstatechange = () => renderSoundBanner();
    renderSoundBanner();
  },
  enabled () {
    return !!this.ctx && this.ctx.state === 'running';
  },
  play (kind) {
    if (!this.enabled()) return;
    /* The alert falls where the others rise: a lost link is bad news. */
    const notes = kind === 'ready' ? [660, 880, 1175] : kind === 'alert' ? [880, 587, 440] : [988, 1319];
    const t0 = this.ctx.currentTime + 0.01;
    notes.forEach((freq, i) => {
      const osc = this.ctx.createOscillator();
      const gain = this.ctx.createGain();
      const start = t0 + i * 0.16;
      osc.type = 'triangle';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.5, start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
      osc.connect(gain).connect(this.ctx.destination);
      osc.start(start);
      osc.stop(start + 0.4);
    });
  },
};

export function renderSoundBanner () {
  $('sound-banner').hidden = sound.enabled();
}

for (const type of ['pointerdown', 'keydown', 'touchend']) {
  addEventListener(type, () => sound.unlock(), { capture: true, passive: true });
}
