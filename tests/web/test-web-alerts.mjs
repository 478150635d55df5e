// Alerts when a link drops (issue 15): a screen whose host goes away
// shows a banner after 10 s that stays until the link is back, and
// chimes the alert once sound is enabled. The delay is reported, not
// judged.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, openPage, startHost, until, waitConn } from './lib.mjs';

let host, browser;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

test('a screen that loses its host shows the banner and chimes, until the host is back', async () => {
  const context = await browser.newContext();
  // Every note the page plays, by its frequency, read when asked.
  await context.addInitScript(() => {
    window.notes = [];
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      const osc = create.call(this);
      window.notes.push(osc);
      return osc;
    };
  });
  const page = await openPage(context, `${host.url}/?role=kitchen&station=grill`);
  await waitConn(page, 'online-websocket');
  const banner = page.locator('#link-banner');
  assert.equal(await banner.isHidden(), true);

  // A tap enables sound.
  await page.locator('.title').click();
  await page.locator('#sound-banner').waitFor({ state: 'hidden' });
  const frequencies = () => page.evaluate(() => window.notes.map((o) => o.frequency.value));
  assert.deepEqual(await frequencies(), []);

  const { port, dataDir } = host;
  await host.stop({ keepData: true });
  host = null;
  await waitConn(page, 'offline');
  const went = Date.now();
  // Nothing yet: a blip is the pill's business.
  assert.equal(await banner.isHidden(), true);
  await banner.waitFor({ state: 'visible', timeout: 60000 });
  console.log(`# banner shown ${Date.now() - went} ms after the page saw the link go (threshold 10 s)`);
  assert.match(await banner.textContent(), /^No link to the host since \d\d?:\d\d.*: new tickets will not arrive until it is back$/);
  assert.equal(await banner.getAttribute('role'), 'alert');
  assert.deepEqual(await until('the alert chime', async () => {
    const f = await frequencies();
    return f.length ? f : null;
  }), [880, 587, 440]);

  // It stays while the host is away, through the page's reconnect attempts.
  await page.waitForTimeout(3000);
  assert.equal(await banner.isVisible(), true);
  assert.equal((await frequencies()).length, 3, 'one chime per outage');

  host = await startHost({ port, dataDir });
  await waitConn(page, 'online-websocket');
  await banner.waitFor({ state: 'hidden' });
  assert.deepEqual(page.problems, []);
  await context.close();
});
