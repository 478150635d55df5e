// The page in the browser's language (issue 9): it picks the host's
// catalog from navigator.languages, shows the catalog's translations, and
// stays in English when there is no catalog for it or the catalog is
// missing, broken or slow. The expected text comes from the catalogs the
// host serves (built from po/*.po), so a change of wording in a .po file
// changes what this test expects with it.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { item, ticket } from './fixtures.mjs';
import { createTicket, launchBrowser, openPage, sleep, startHost, until, waitConn } from './lib.mjs';

let host, browser, dineIn, takeaway;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
  dineIn = ticket({ table: '12', guests: 4, priority: 'rush', items: [item('Classic Burger')] });
  takeaway = ticket({ order_type: 'takeaway', items: [item('Fries', 2)] });
  await createTicket(host, dineIn);
  await createTicket(host, takeaway);
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

async function getJson (path) {
  const res = await fetch(host.url + path, { signal: AbortSignal.timeout(30000) });
  assert.equal(res.status, 200, path);
  assert.equal(res.headers.get('content-type'), 'application/json', path);
  return res.json();
}

async function catalogFor (lang) {
  const index = await getJson('/static/i18n.json');
  assert.equal(typeof index.languages[lang], 'string', `the host has a catalog for ${lang}: ${JSON.stringify(index)}`);
  const catalog = await getJson('/static/' + index.languages[lang]);
  assert.equal(catalog.language, lang);
  return catalog;
}

// The same plural trees and printf subset as app.js, written again so
// that a mistake in the page's copy shows.
function pluralForm (e, n) {
  if (e === 'n') return n;
  if (typeof e === 'number') return e;
  const [op, a, b, c] = e;
  const x = pluralForm(a, n);
  if (op === '!') return x ? 0 : 1;
  if (op === '?') return pluralForm(x ? b : c, n);
  const y = pluralForm(b, n);
  return Number({
    '||': x || y, '&&': x && y, '==': x === y, '!=': x !== y, '<': x < y, '>': x > y, '<=': x <= y,
    '>=': x >= y, '+': x + y, '-': x - y, '*': x * y, '/': Math.trunc(x / y), '%': x % y,
  }[op]);
}

function format (template, ...args) {
  let next = 0;
  return template.replace(/%(?:(\d+)\$)?([sd%])/g, (m, pos, conv) => (conv === '%' ? '%' : String(args[pos ? pos - 1 : next++])));
}

// A translation the page must show: the catalog has it, and it is not
// the English text (or the test could not tell the two apart).
function translation (catalog, msgid, plural, n) {
  const entry = catalog.messages[msgid];
  if (plural === undefined) {
    assert.ok(typeof entry === 'string' && entry !== '' && entry !== msgid,
              `po/${catalog.language}.po translates ${JSON.stringify(msgid)} (catalog has ${JSON.stringify(entry)})`);
    return entry;
  }
  assert.ok(Array.isArray(entry) && entry.every((s) => typeof s === 'string' && s !== ''),
            `po/${catalog.language}.po translates ${JSON.stringify(msgid)} with plural forms (catalog has ${JSON.stringify(entry)})`);
  const form = entry[pluralForm(catalog.plural, n)];
  assert.ok(form !== (n === 1 ? msgid : plural), `${JSON.stringify(msgid)} for ${n} is translated`);
  return form;
}

// English: the msgids themselves.
const ENGLISH = {
  language: 'en',
  plural: ['!=', 'n', 1],
  messages: new Proxy({}, { get: (target, msgid) => msgid }),
};

function english (catalog, msgid, plural, n) {
  return plural === undefined || n === 1 ? msgid : plural;
}

async function text (page, selector) {
  return (await page.locator(selector).first().textContent()).trim();
}

// Opens the kitchen screen in @locale and checks the text @tr expects.
async function checkKitchen (contextOptions, catalog, tr, { routes } = {}) {
  const context = await browser.newContext(contextOptions);
  const catalogRequests = [];
  context.on('request', (r) => { if (/\/static\/i18n/.test(new URL(r.url()).pathname)) catalogRequests.push(r.url()); });
  if (routes) await routes(context);
  const page = await openPage(context, `${host.url}/?role=kitchen`);
  await waitConn(page, 'online-websocket');
  const dineCard = page.locator(`.card[data-ticket-id="${dineIn.id}"]`);
  const takeawayCard = page.locator(`.card[data-ticket-id="${takeaway.id}"]`);
  await dineCard.waitFor();
  await takeawayCard.waitFor();

  const expect = async (what, got, want) => {
    let seen;
    try {
      await until(what, async () => (seen = await got()) === want);
    } catch (e) {
      throw new Error(`${contextOptions.locale}: ${what} shows ${JSON.stringify(seen)}, not ${JSON.stringify(want)}`);
    }
  };
  const t = (msgid, plural, n) => tr(catalog, msgid, plural, n);

  await expect('html lang', () => page.evaluate(() => document.documentElement.lang), catalog.language);
  await expect('the mode', () => text(page, '#mode'), t('Kitchen'));
  await expect('the recall button', () => text(page, '#recall-button'), t('Recall'));
  await expect('its tooltip', () => page.locator('#recall-button').getAttribute('title'), t('Recall a bumped ticket (R)'));
  await expect('the refresh button', () => text(page, '#refresh-button'), t('Refresh'));
  await expect('the connection', () => text(page, '#conn-text'), t('Online (live)'));
  await expect('the counts', () => text(page, '#counts'), format(t('%d open', '%d open', 2), 2));
  await expect('the table', () => text(dineCard, '.where'), format(t('Table %s'), '12'));
  await expect('the guests', () => text(dineCard, '.meta'), format(t('%d guest', '%d guests', 4), 4));
  await expect('the rush strip', () => text(dineCard, '.rush-strip'), t('RUSH'));
  await expect('the item status', () => text(dineCard, '.item-status'), t('To do'));
  await expect('the bump button', () => text(dineCard, '.card-actions .bump'), t('Bump'));
  await expect('the order type', () => text(takeawayCard, '.where'), t('Takeaway'));
  await expect('the title', () => page.title(), `${t('Kitchen')} · Ticketrail`);

  // Every element of index.html that holds English text shows it
  // through the catalog (its connection text changes with the state).
  const html = await (await fetch(host.url + '/', { signal: AbortSignal.timeout(30000) })).text();
  const fixed = [...html.matchAll(/<(\w+)\b[^>]*\bid="([^"]+)"[^>]*>([^<]*[A-Za-z][^<]*)<\/\1>/g)]
    .filter(([, , id]) => id !== 'conn-text');
  assert.ok(fixed.length >= 8, `index.html has its text in elements with ids (${fixed.length})`);
  for (const [, , id, english] of fixed) {
    await expect(`#${id}`, () => page.evaluate((i) => document.getElementById(i).textContent.trim(), id),
                 t(english.trim()));
  }

  assert.deepEqual(page.problems, []);
  await context.close();
  return catalogRequests;
}

test('in Hindi (hi-IN) the page shows the Hindi catalog', async () => {
  const hi = await catalogFor('hi');
  await checkKitchen({ locale: 'hi-IN' }, hi, translation);
});

test('in Spanish (es-ES, and es-MX by its primary subtag) the page shows the Spanish catalog', async () => {
  const es = await catalogFor('es');
  await checkKitchen({ locale: 'es-ES' }, es, translation);
  await checkKitchen({ locale: 'es-MX' }, es, translation);
});

test('in English (en-US) the page shows its own text and fetches no catalog', async () => {
  const requests = await checkKitchen({ locale: 'en-US' }, ENGLISH, english);
  assert.deepEqual(requests, []);
});

test('a language without a catalog (fr-FR) falls back to English', async () => {
  const requests = await checkKitchen({ locale: 'fr-FR' }, ENGLISH, english);
  assert.ok(requests.some((url) => url.endsWith('/static/i18n.json')), 'the page looked for a catalog');
});

// A service worker would answer from its cache, out of the routes' sight.
const NO_WORKER = { locale: 'hi-IN', serviceWorkers: 'block' };

test('a missing or unreadable catalog leaves the page in English', async () => {
  const hiFile = (await getJson('/static/i18n.json')).languages.hi;
  const cases = [
    ['no index', (c) => c.route('**/static/i18n.json', (r) => r.fulfill({ status: 404, body: 'Not found' }))],
    ['index not JSON', (c) => c.route('**/static/i18n.json', (r) => r.fulfill({ contentType: 'application/json', body: '{"languages":' }))],
    ['index of the wrong shape', (c) => c.route('**/static/i18n.json', (r) => r.fulfill({ contentType: 'application/json', body: '{"languages":["hi"]}' }))],
    ['no catalog', (c) => c.route(`**/static/${hiFile}`, (r) => r.fulfill({ status: 404, body: 'Not found' }))],
    ['catalog not JSON', (c) => c.route(`**/static/${hiFile}`, (r) => r.fulfill({ contentType: 'application/json', body: '<html>' }))],
    ['catalog without messages', (c) => c.route(`**/static/${hiFile}`, (r) => r.fulfill({ contentType: 'application/json', body: '{"language":"hi","messages":null}' }))],
    ['network error', (c) => c.route(`**/static/${hiFile}`, (r) => r.abort('connectionrefused'))],
  ];
  for (const [what, routes] of cases) {
    await checkKitchen(NO_WORKER, ENGLISH, english, { routes }).catch((e) => {
      e.message = `${what}: ${e.message}`;
      throw e;
    });
  }
});

test('bad entries and a bad plural rule fall back to English one message at a time', async () => {
  const hiFile = (await getJson('/static/i18n.json')).languages.hi;
  const broken = {
    language: 'hi',
    plural: ['no-such-operator', 'n', 1],
    messages: { Recall: 'Recall (hi)', Refresh: 7, Kitchen: ['x'], '%d open': ['a %d', 'b %d'], 'Table %s': '' },
  };
  const context = await browser.newContext(NO_WORKER);
  await context.route(`**/static/${hiFile}`, (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify(broken) }));
  const page = await openPage(context, `${host.url}/?role=kitchen`);
  await waitConn(page, 'online-websocket');
  const dineCard = page.locator(`.card[data-ticket-id="${dineIn.id}"]`);
  await dineCard.waitFor();
  assert.equal(await text(page, '#recall-button'), 'Recall (hi)');
  assert.equal(await text(page, '#refresh-button'), 'Refresh');
  assert.equal(await text(page, '#mode'), 'Kitchen');
  assert.equal(await text(page, '#counts'), '2 open');
  assert.equal(await text(dineCard, '.where'), 'Table 12');
  assert.deepEqual(page.problems, []);
  await context.close();
});

// Holds every request for @file until release(), then answers them all.
// The page gives up on a request that hangs and asks again, so under load
// the one it waits for may be the second; the first has no one left to
// answer, which is no failure.
async function holdCatalog (context, file) {
  let release;
  const held = new Promise((r) => { release = r; });
  const asked = [];
  await context.route(`**/static/${file}`, async (route) => {
    asked.push(route.request().url());
    await held;
    try {
      await route.fulfill({ response: await route.fetch() });
    } catch (e) {
      if (!route.request().failure()) throw e;
    }
  });
  return { asked, release };
}

test('a catalog that comes late is applied when it comes', async () => {
  const hi = await catalogFor('hi');
  const hiFile = (await getJson('/static/i18n.json')).languages.hi;
  const context = await browser.newContext(NO_WORKER);
  const { asked, release } = await holdCatalog(context, hiFile);
  const page = await openPage(context, `${host.url}/?role=kitchen`);
  // The page asked for it, and does not wait for it for ever: it starts
  // in English.
  await until('the page to ask for its catalog', () => asked.length > 0);
  await waitConn(page, 'online-websocket');
  const dineCard = page.locator(`.card[data-ticket-id="${dineIn.id}"]`);
  await dineCard.waitFor();
  assert.equal(await text(page, '#recall-button'), 'Recall');
  assert.equal(await text(dineCard, '.rush-strip'), 'RUSH');
  release();
  const recall = translation(hi, 'Recall');
  const rush = translation(hi, 'RUSH');
  await until('the late catalog to be applied', async () =>
    (await text(page, '#recall-button')) === recall && (await text(dineCard, '.rush-strip')) === rush);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'hi');
  await sleep(100);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a catalog request that gets no answer is tried again', async () => {
  const hi = await catalogFor('hi');
  const hiFile = (await getJson('/static/i18n.json')).languages.hi;
  const context = await browser.newContext(NO_WORKER);
  // The first request ends as on a dead connection (the page's own limit
  // on a request that hangs ends it the same way); the next one reaches
  // the host.
  let requests = 0;
  await context.route(`**/static/${hiFile}`, (route) => (requests++ === 0 ? route.abort('timedout') : route.fallback()));
  const page = await openPage(context, `${host.url}/?role=kitchen`);
  await waitConn(page, 'online-websocket');
  const recall = translation(hi, 'Recall');
  await until('the catalog to be applied', async () => (await text(page, '#recall-button')) === recall);
  assert.ok(requests >= 2, `the page asked again (${requests} requests)`);
  assert.deepEqual(page.problems, []);
  await context.close();
});
