// The desk's service worker (served by /desk-sw.js after Workbox's own files, scope
// /activities/). It keeps only what the desk page needs to open without a signal: desk pages
// (network first, the cached copy offline) and our static files. Data is not cached here: the
// page keeps the roster and its queue in IndexedDB, with an expiry. Sign-out clears both
// (Clear-Site-Data). Nothing else of the site is cached.
/* global workbox */
(function () {
  "use strict";
  var HOURS = 3600;
  workbox.core.setCacheNameDetails({ prefix: "healthedu-desk" });
  workbox.core.clientsClaim();
  self.skipWaiting();
  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open("healthedu-desk-static").then(function (cache) {
      return cache.addAll(self.DESK_PRECACHE || []);
    }));
  });
  workbox.routing.registerRoute(
    function (options) {
      return options.request.mode === "navigate" && /^\/activities\/\d+\/desk\/$/.test(options.url.pathname);
    },
    new workbox.strategies.NetworkFirst({
      cacheName: "healthedu-desk-pages",
      networkTimeoutSeconds: 5,
      // The page varies by cookie and language; the cache holds one user's copy (sign-out clears it).
      matchOptions: { ignoreVary: true },
      plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 10, maxAgeSeconds: 12 * HOURS })],
    })
  );
  workbox.routing.registerRoute(
    function (options) {
      return options.url.origin === self.location.origin && options.url.pathname.indexOf("/static/") === 0;
    },
    new workbox.strategies.StaleWhileRevalidate({
      cacheName: "healthedu-desk-static",
      plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 40, maxAgeSeconds: 7 * 24 * HOURS })],
    })
  );
})();
