// mutua authenticator: service worker. It keeps the app's shell so that
// the app opens offline (and says so); it never touches the protocol
// requests (/oob/), which must reach the server or fail.
"use strict";

var CACHE = "mutua-app-v2";
var SHELL = ["./", "app.js", "app.css", "manifest.webmanifest", "icon.svg",
    "icon-192.png", "icon-512.png"];

self.addEventListener("install", function (event) {
	event.waitUntil(caches.open(CACHE).then(function (cache) {
		return cache.addAll(SHELL.map(function (u) {
			return new Request(u, { cache: "reload" });
		}));
	}).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
	event.waitUntil(caches.keys().then(function (keys) {
		return Promise.all(keys.filter(function (k) {
			return k !== CACHE;
		}).map(function (k) { return caches.delete(k); }));
	}).then(function () { return self.clients.claim(); }));
});

// Network first, so that an update reaches the phone at once; the cached
// shell only when the network fails. The page and its files only: any
// other request goes to the network untouched.
self.addEventListener("fetch", function (event) {
	var req = event.request;
	var url = new URL(req.url);
	if (req.method !== "GET" || url.origin !== self.location.origin ||
	    url.pathname.indexOf("/app/") !== 0)
		return;
	event.respondWith(fetch(req).then(function (res) {
		if (res.ok) {
			var copy = res.clone();
			caches.open(CACHE).then(function (cache) {
				cache.put(req.mode === "navigate" ?
				    "./" : req, copy);
			});
		}
		return res;
	}).catch(function () {
		return caches.match(req.mode === "navigate" ? "./" : req,
		    { ignoreSearch: true }).then(function (hit) {
			return hit || Response.error();
		});
	}));
});
