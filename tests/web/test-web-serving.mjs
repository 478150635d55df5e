// How the host serves the page (src/core/tr-web.c): types, caching, the
// Content-Security-Policy, 404s, conditional requests; and its size.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';

import { launchBrowser, openPage, startHost, waitConn } from './lib.mjs';

let host;

before(async () => { host = await startHost(); });
after(async () => { await host?.stop(); });

const get = (path, init) => fetch(host.url + path, { ...init, signal: AbortSignal.timeout(30000) });

// fetch() normalises dot segments; a raw request does not.
function rawGet (path) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('error', fail);
    req.end();
  });
}

const FILES = [
  ['/', 'text/html; charset=utf-8', 'no-cache'],
  ['/static/app.css', 'text/css; charset=utf-8', /max-age=\d+/],
  ['/static/app.js', 'text/javascript; charset=utf-8', /max-age=\d+/],
  ['/static/icon.svg', 'image/svg+xml', /max-age=\d+/],
  ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
];

test('page and assets have their types, caching and security headers', async () => {
  for (const [path, type, cache] of FILES) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), type, path);
    if (typeof cache === 'string') assert.equal(res.headers.get('cache-control'), cache, path);
    else assert.match(res.headers.get('cache-control'), cache, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /connect-src 'self' ws: wss:/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.ok((await res.arrayBuffer()).byteLength > 0, path);
  }
});

test('the page has no inline script or event handler attributes', async () => {
  const html = await (await get('/')).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
  assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
});

// The page is ES modules: each one it loads must be served as JavaScript
// (a browser refuses a module of any other type), and kept by the
// service worker, or an offline reload breaks on the first one missing.
test('every module the page loads is served and kept for offline reloads', async () => {
  const html = await (await get('/')).text();
  const entries = [...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(entries, ['/static/app.js'], 'index.html loads app.js as a module');
  const sw = await (await get('/sw.js')).text();
  const cached = new Set([...sw.matchAll(/'(\/static\/[\w.-]+)'/g)].map((m) => m[1]));
  const seen = new Set();
  const queue = [...entries];
  while (queue.length) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8', path);
    assert.ok(cached.has(path), `sw.js keeps ${path}`);
    const code = await res.text();
    for (const m of code.matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)) queue.push(new URL(m[1], host.url + path).pathname);
  }
  assert.ok(seen.size >= 5, `app.js imports the page's modules (${[...seen].join(' ')})`);
  const stale = [...cached].filter((p) => p.endsWith('.js') && !seen.has(p));
  assert.deepEqual(stale, [], 'sw.js keeps no script the page does not load');
});

test('unknown paths are 404, other methods 405', async () => {
  for (const path of ['/nope', '/static/nope.js', '/static/', '/static/app.js/x', '/static/.hidden.js',
                      '/static/ticketrail-web.gresource.xml', '/index.htm']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
  for (const path of ['/static/../static/app.js', '/static/..%2Fapp.js', '/static/%2e%2e/index.html']) {
    assert.notEqual(await rawGet(path), 500, path);
  }
  const post = await get('/', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.match(post.headers.get('allow'), /GET/);
  const head = await get('/static/app.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
});

test('a conditional request for an unchanged file is 304', async () => {
  const first = await get('/static/app.js');
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+"$/);
  const again = await get('/static/app.js', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const other = await get('/static/app.js', { headers: { 'If-None-Match': '"nope"' } });
  assert.equal(other.status, 200);
});

test('the page loads with no script error or policy violation, and its size is reported', async (t) => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    let bytes = 0;
    const sizes = {};
    context.on('response', async (res) => {
      const path = new URL(res.url()).pathname;
      if (path === '/' || path.startsWith('/static/')) {
        const n = Number(res.headers()['content-length'] || (await res.body()).length);
        sizes[path] = n;
      }
    });
    const page = await openPage(context, `${host.url}/?role=kitchen&station=grill`);
    await waitConn(page, 'online-websocket');
    for (const path of ['/', '/static/app.css', '/static/app.js']) {
      assert.ok(sizes[path] > 0, `${path} was loaded`);
      bytes += sizes[path];
    }
    t.diagnostic(`page bytes over the wire: index ${sizes['/']} + css ${sizes['/static/app.css']} + js ${sizes['/static/app.js']} = ${bytes}`);
    assert.deepEqual(page.problems, []);
    await context.close();
  } finally {
    await browser.close();
  }
});
