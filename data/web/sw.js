/* Ticketrail browser display: keeps the page's own files so that a reload
 * works while the host is out of reach. The API is never cached: tickets
 * come from the page's own store (localStorage) and the host.
 * SPDX-License-Identifier: GPL-3.0-or-later */
'use strict';

/* A new name whenever the list changes, so that no screen keeps a page
 * whose modules are not all in its cache. */
const CACHE = 'ticketrail-web-v5';
/* The page, its style and icon, and every module app.js imports (the
 * list of data/web/ticketrail-web.gresource.xml). */
const FILES = ['/', '/static/app.css', '/static/icon.svg',
  '/static/app.js',
  '/static/actions.js',
  '/static/board.js',
  '/static/config.js',
  '/static/connection.js',
  '/static/dom.js',
  '/static/figures.js',
  '/static/gettext.js',
  '/static/link-alert.js',
  '/static/log.js',
  '/static/ops.js',
  '/static/pairing.js',
  '/static/render.js',
  '/static/recall.js',
  '/static/rules.js',
  '/static/screen.js',
  '/static/sound.js',
  '/static/stats.js',
  '/static/store.js'];
/* Translations: only the screen's own language is fetched, so each one
 * is kept once the page has asked for it. */
const CATALOG = /^\/static\/i18n(-[\w-]+)?\.json$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  /* Every role and station is the same page. */
  const key = request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')
    ? '/' : url.pathname;
  if (!FILES.includes(key) && !CATALOG.test(key)) return;

  /* Cached copy at once, fresh copy for next time. */
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(key);
    const network = fetch(key, { cache: 'no-cache' }).then((response) => {
      if (response.ok) return cache.put(key, response.clone()).then(() => response);
      return response;
    });
    if (cached) {
      event.waitUntil(network.catch(() => undefined));
      return cached;
    }
    return network;
  }));
});
