// Training mode in the browser display (issue 14, part 5,
// docs/training.md): a page whose host serves its training database
// (ticketrail-host --training) shows the TRAINING banner, told by the
// welcome (WebSocket) or the health (long-polling); the same page on the
// live host shows none. A screen paired with the live host follows it
// into training with the token it has, and back.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { createTicket, launchBrowser, openPage, startHost, waitConn } from './lib.mjs';
import { ticket, item } from './fixtures.mjs';

let host, browser;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

const TEXT = 'TRAINING Training — tickets here are samples and never reach the live kitchen';

test('the banner shows while the host is in training, and only then', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=kitchen`);
  await waitConn(page, 'online-websocket');
  const banner = page.locator('#training-banner');
  const live = await createTicket(host, ticket({ table: '4', items: [item('Live soup')] }));
  await page.locator(`.card[data-ticket-id="${live.id}"]`).waitFor();
  assert.equal(await banner.isHidden(), true, 'no banner on the live host');

  // The same folder and port, now in training.
  const { port, dataDir } = host;
  await host.stop({ keepData: true });
  host = await startHost({ port, dataDir, extraArgs: ['--training'] });
  assert.match(host.log, /listening on .* in training/);
  await waitConn(page, 'online-websocket');
  await banner.waitFor({ state: 'visible' });
  assert.equal((await banner.textContent()).replace(/\s+/g, ' ').trim(), TEXT);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.training), 'true');
  // A snapshot of training.db: the live ticket is not there; a sample is.
  await page.locator(`.card[data-ticket-id="${live.id}"]`).waitFor({ state: 'detached' });
  const sample = await createTicket(host, ticket({ table: '9', items: [item('Practice burger')] }));
  await page.locator(`.card[data-ticket-id="${sample.id}"]`).waitFor();
  // Drawn as a band across the page, above the tickets.
  const box = await banner.boundingBox();
  assert.ok(box.height >= 30 && box.width >= 0.9 * page.viewportSize().width, JSON.stringify(box));

  // Back to live: the banner goes, the live ticket is back, the sample gone.
  await host.stop({ keepData: true });
  host = await startHost({ port, dataDir });
  await waitConn(page, 'online-websocket');
  await banner.waitFor({ state: 'hidden' });
  await page.locator(`.card[data-ticket-id="${live.id}"]`).waitFor();
  await page.locator(`.card[data-ticket-id="${sample.id}"]`).waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.training), undefined);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a long-polling page learns it from the health', async () => {
  const { port, dataDir } = host;
  await host.stop({ keepData: true });
  host = await startHost({ port, dataDir, websocket: false, extraArgs: ['--training'] });
  const context = await browser.newContext();
  const page = await openPage(context, `${host.url}/?role=foh`);
  await waitConn(page, 'online-polling');
  const banner = page.locator('#training-banner');
  await banner.waitFor({ state: 'visible' });
  assert.equal((await banner.textContent()).replace(/\s+/g, ' ').trim(), TEXT);
  assert.deepEqual(page.problems, []);
  await context.close();
});
