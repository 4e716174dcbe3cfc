/* The collector's service worker (served at /field/sw.js so its scope is /field/).
 * Keeps the app shell and its scripts in a versioned cache: the shell network-first
 * (the cached copy when offline or when the session has ended: the device token, not the
 * session, carries offline work), the assets cache-first. POSTs and the API are never
 * cached: finished interviews live in IndexedDB (the outbox), not here. */
'use strict';
var params = new URL(self.location).searchParams;
var CACHE = 'parindex-field-' + (params.get('v') || '0');
var SHELL = params.get('shell') || '/field/app';
var ASSETS = (params.get('assets') || '').split(',').filter(Boolean);

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      return fetch(SHELL, { credentials: 'same-origin', redirect: 'manual' }).then(function (r) {
        if (r.ok) return cache.put(SHELL, r);
      }).catch(function () {});
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('parindex-field-') === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function shell(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === 'basic' && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(SHELL, copy); });
      return response;
    }
    return caches.match(SHELL).then(function (cached) { return cached || response; });
  }, function () {
    return caches.match(SHELL).then(function (cached) { return cached || Response.error(); });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === SHELL) { event.respondWith(shell(request)); return; }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
