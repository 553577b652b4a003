// mutua authenticator: an X.1280 out-of-band server authenticator in the
// browser, written from docs/protocol.md (docs/web-authenticator.md).
//
// Keys. The device key (ECDSA P-256) and K (the binding's HMAC-SHA-256
// key for OCRA) are kept in IndexedDB wrapped with AES-256-GCM under a
// key derived from the user's PIN (PBKDF2-SHA-256). Entering the PIN
// unwraps them into non-extractable WebCrypto keys held only in this
// page's memory until it locks (X.1280 9.2.3): a copy of the browser's
// storage without the PIN gives neither key, and script can use but never
// read them. The wrapping binds each key to its issuer and binding.
//
// No dependencies, no inline script, no third-party requests: the page
// runs under mutua's strict Content-Security-Policy.
"use strict";
(function () {
	var DB_NAME = "mutua-authenticator";
	var PBKDF2_ITERATIONS = 600000;
	var PIN_MIN = 6;
	var IDLE_LOCK_MS = 5 * 60 * 1000;
	var POLL_WAIT = 25;		// seconds, long poll
	var REPOLL_MS = 2000;		// when nothing new was returned
	var FAIL_FREE = 5;		// wrong PINs before a pause
	var SUITE_RE = /^OCRA-1:HOTP-SHA256-([4-9]|10):QH64$/;

	var enc = new TextEncoder();
	var subtle = window.crypto && window.crypto.subtle;

	var state = {
		accounts: [],		// IndexedDB records
		keys: null,		// Map binding_id -> {sign, hmac}
		requests: new Map(),	// request_id -> entry
		alerts: new Set(),
		polls: new Map(),	// binding_id -> AbortController
		inactive: new Set(),	// bindings the server refused
		skew: 0,		// server clock - ours, ms
		hasPin: false,
		registerCode: null,
		check: null,		// {id, code} from a #check= QR code
		idleTimer: null,
		scanStream: null
	};

	function $(id) { return document.getElementById(id); }

	// ---- encodings -----------------------------------------------------

	function b64url(buf) {
		var bytes = new Uint8Array(buf), s = "", i;
		for (i = 0; i < bytes.length; i++)
			s += String.fromCharCode(bytes[i]);
		return btoa(s).replace(/\+/g, "-").replace(/\//g, "_")
		    .replace(/=+$/, "");
	}

	function unb64url(text) {
		var s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
		var out = new Uint8Array(s.length), i;
		for (i = 0; i < s.length; i++)
			out[i] = s.charCodeAt(i);
		return out;
	}

	function hex(buf) {
		return Array.prototype.map.call(new Uint8Array(buf), function (b) {
			return (b < 16 ? "0" : "") + b.toString(16);
		}).join("");
	}

	function random(n) {
		return window.crypto.getRandomValues(new Uint8Array(n));
	}

	function sha256hex(text) {
		return subtle.digest("SHA-256", enc.encode(text)).then(hex);
	}

	// docs/protocol.md §3: split on &, then on the first =, decode.
	// Version 2 names the RP (rpn); version 1 offsets, still in stored
	// alerts, do not.
	var OFFSET_FIELDS = {
		"v=1": ["v", "rp", "sid", "tpub", "tpriv", "ua", "uid", "t",
		    "n"],
		"v=2": ["v", "rp", "rpn", "sid", "tpub", "tpriv", "ua", "uid",
		    "t", "n"]
	};

	function parseOffset(offset) {
		var f = {}, parts = offset.split("&"), names, i, eq;
		if (!Object.prototype.hasOwnProperty.call(OFFSET_FIELDS,
		    parts[0]))
			return null;
		names = OFFSET_FIELDS[parts[0]];
		if (parts.length !== names.length)
			return null;
		for (i = 0; i < parts.length; i++) {
			eq = parts[i].indexOf("=");
			if (eq < 0 || parts[i].slice(0, eq) !== names[i])
				return null;
			try {
				f[names[i]] =
				    decodeURIComponent(parts[i].slice(eq + 1));
			} catch (e) {
				return null;
			}
		}
		f.rpn = f.rpn || "";
		return f;
	}

	// ---- IndexedDB -----------------------------------------------------

	function db() {
		return new Promise(function (resolve, reject) {
			var r = indexedDB.open(DB_NAME, 1);
			r.onupgradeneeded = function () {
				r.result.createObjectStore("accounts",
				    { keyPath: "binding_id" });
				r.result.createObjectStore("meta");
			};
			r.onsuccess = function () { resolve(r.result); };
			r.onerror = function () { reject(r.error); };
		});
	}

	function dbDo(store, mode, fn) {
		return db().then(function (d) {
			return new Promise(function (resolve, reject) {
				var t = d.transaction(store, mode), r;
				r = fn(t.objectStore(store));
				t.oncomplete = function () {
					d.close();
					resolve(r ? r.result : undefined);
				};
				t.onerror = t.onabort = function () {
					d.close();
					reject(t.error);
				};
			});
		});
	}

	function dbGet(store, key) {
		return dbDo(store, "readonly", function (s) { return s.get(key); });
	}

	function dbAll(store) {
		return dbDo(store, "readonly", function (s) { return s.getAll(); });
	}

	function dbPut(store, value, key) {
		return dbDo(store, "readwrite", function (s) {
			return key === undefined ? s.put(value) : s.put(value, key);
		});
	}

	function dbDelete(store, key) {
		return dbDo(store, "readwrite", function (s) {
			return s.delete(key);
		});
	}

	// ---- keys ----------------------------------------------------------

	function pinKey(pin, meta) {
		return subtle.importKey("raw", enc.encode(pin), "PBKDF2", false,
		    ["deriveKey"]).then(function (base) {
			return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256",
			    salt: meta.salt, iterations: meta.iterations }, base,
			    { name: "AES-GCM", length: 256 }, false,
			    ["wrapKey", "unwrapKey"]);
		});
	}

	function wrapParams(account, what, iv) {
		return { name: "AES-GCM", iv: iv, additionalData: enc.encode(
		    "mutua-pwa-v1\n" + account.issuer + "\n" +
		    account.binding_id + "\n" + what) };
	}

	// Unwraps an account's keys: non-extractable, for this page only.
	function unwrapAccount(account, wk) {
		return Promise.all([
			subtle.unwrapKey("pkcs8", account.device.data, wk,
			    wrapParams(account, "device", account.device.iv),
			    { name: "ECDSA", namedCurve: "P-256" }, false,
			    ["sign"]),
			subtle.unwrapKey("raw", account.k.data, wk,
			    wrapParams(account, "k", account.k.iv),
			    { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
		]).then(function (k) { return { sign: k[0], hmac: k[1] }; });
	}

	function signText(key, text) {
		return subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key,
		    enc.encode(text)).then(b64url);
	}

	// RFC 6287 OCRA, suite OCRA-1:HOTP-SHA256-d:QH64, Q = SHA-256(offset)
	// as 128 bytes (docs/protocol.md §3).
	function ocra(hmacKey, suite, offset) {
		var digits = Number(SUITE_RE.exec(suite)[1]);
		return subtle.digest("SHA-256", enc.encode(offset))
		    .then(function (q) {
			var s = enc.encode(suite);
			var data = new Uint8Array(s.length + 1 + 128);
			data.set(s, 0);
			data.set(new Uint8Array(q), s.length + 1);
			return subtle.sign("HMAC", hmacKey, data);
		}).then(function (mac) {
			var m = new Uint8Array(mac), o = m[m.length - 1] & 15;
			var v = ((m[o] & 0x7f) * 16777216) + (m[o + 1] << 16) +
			    (m[o + 2] << 8) + m[o + 3];
			var code = String(v % Math.pow(10, digits));
			while (code.length < digits)
				code = "0" + code;
			return code;
		});
	}

	// ---- the protocol --------------------------------------------------

	function ApiError(status, body) {
		this.status = status;
		this.error = body && body.error || "http_" + status;
		this.message = body && body.error_description || this.error;
	}

	function noteClock(res) {
		var date = res.headers.get("date"), d;
		if (!date)
			return;
		d = Date.parse(date) - Date.now();
		// Date has whole seconds: only a real difference counts.
		if (Math.abs(d - state.skew) > 5000)
			state.skew = d;
	}

	function now() { return Date.now() + state.skew; }

	// docs/protocol.md §2: every request signed with the device key.
	function deviceFetch(account, method, path, body, signal, retried) {
		var keys = state.keys && state.keys.get(account.binding_id);
		var text = body ? JSON.stringify(body) : "";
		var ts = String(Math.floor(now() / 1000));
		if (!keys)
			return Promise.reject(new ApiError(0, { error: "locked" }));
		return sha256hex(text).then(function (h) {
			return signText(keys.sign, ["mutua-device-v1", method, path,
			    ts, h].join("\n"));
		}).then(function (sig) {
			var headers = { "X-Mutua-Binding": account.binding_id,
			    "X-Mutua-Timestamp": ts, "X-Mutua-Signature": sig };
			if (body)
				headers["Content-Type"] = "application/json";
			return fetch(path, { method: method, headers: headers,
			    body: body ? text : undefined, cache: "no-store",
			    credentials: "omit", signal: signal });
		}).then(function (res) {
			noteClock(res);
			return res.json().catch(function () { return {}; })
			    .then(function (j) {
				if (res.ok)
					return j;
				// A wrong phone clock: corrected from Date.
				if (res.status === 401 &&
				    j.error === "stale_request" && !retried)
					return deviceFetch(account, method, path,
					    body, signal, true);
				throw new ApiError(res.status, j);
			});
		});
	}

	function register(code, label, pin, newPin) {
		var meta, wk, kp, pub, authId, account, hk;
		var issuer = location.origin;

		meta = newPin ? { salt: random(16),
		    iterations: PBKDF2_ITERATIONS } : null;
		// A new account is wrapped under the PIN of the others.
		return (newPin ? pinKey(pin, meta) : verifyPin(pin))
		    .then(function (k) {
			wk = k;
		}).then(function () {
			// Extractable only until wrapped, below.
			return subtle.generateKey({ name: "ECDSA",
			    namedCurve: "P-256" }, true, ["sign", "verify"]);
		}).then(function (k) {
			kp = k;
			return subtle.exportKey("raw", kp.publicKey);
		}).then(function (raw) {
			pub = b64url(raw);
			authId = "web-" + b64url(random(12));
			return signText(kp.privateKey, "mutua-register-v1\n" +
			    code + "\n" + authId + "\n" + pub);
		}).then(function (sig) {
			return fetch("/oob/v1/register", { method: "POST",
			    headers: { "Content-Type": "application/json" },
			    body: JSON.stringify({ code: code,
			    authenticator_id: authId, device_public_key: pub,
			    label: label, signature: sig }),
			    cache: "no-store", credentials: "omit" });
		}).then(function (res) {
			noteClock(res);
			return res.json().catch(function () { return {}; })
			    .then(function (j) {
				if (res.status !== 201)
					throw new ApiError(res.status, j);
				return j;
			});
		}).then(function (j) {
			var kb;
			if (!SUITE_RE.test(j.suite))
				throw new ApiError(0, { error: "unsupported_suite",
				    error_description: "unsupported suite " +
				    j.suite });
			account = { binding_id: j.binding_id, issuer: issuer,
			    user_id: j.user_id, label: label,
			    authenticator_id: authId, suite: j.suite,
			    comparison: j.comparison,
			    code_lifetime: j.code_lifetime, loa: j.loa,
			    created: Date.now(), public_key: pub };
			kb = unb64url(j.verification_key);
			return subtle.importKey("raw", kb, { name: "HMAC",
			    hash: "SHA-256" }, true, ["sign"])
			    .then(function (k) {
				kb.fill(0);
				return k;
			});
		}).then(function (k) {
			var ivd = random(12), ivk = random(12);
			hk = k;
			return Promise.all([
				subtle.wrapKey("pkcs8", kp.privateKey, wk,
				    wrapParams(account, "device", ivd)),
				subtle.wrapKey("raw", hk, wk,
				    wrapParams(account, "k", ivk))
			]).then(function (w) {
				account.device = { iv: ivd, data: w[0] };
				account.k = { iv: ivk, data: w[1] };
			});
		}).then(function () {
			kp = hk = null;
			return newPin ? dbPut("meta", meta, "pin") : null;
		}).then(function () {
			return dbPut("accounts", account);
		}).then(function () {
			state.hasPin = true;
			return loadAccounts();
		}).then(function () {
			return openKeys(wk);
		}).then(function () {
			return account;
		});
	}

	// Unwraps every account with the PIN key; rejects on a wrong PIN.
	function checkPin(wk) {
		return Promise.all(state.accounts.map(function (a) {
			return unwrapAccount(a, wk).then(function (k) {
				return [a.binding_id, k];
			});
		}));
	}

	function openKeys(wk) {
		return checkPin(wk).then(function (pairs) {
			state.keys = new Map(pairs);
			touch();
			startPolling();
		});
	}

	function unlock(pin) {
		return verifyPin(pin).then(openKeys);
	}

	/*
	 * Derives the PIN key and checks it against the stored accounts;
	 * after FAIL_FREE wrong PINs in a row, each try waits longer.
	 * @return the PIN key, or rejects with wrong_pin / pin_pause.
	 */
	function verifyPin(pin) {
		var meta, wk;
		return Promise.all([dbGet("meta", "pin"),
		    dbGet("meta", "failures")]).then(function (m) {
			var f = m[1] || { count: 0, until: 0 };
			meta = m[0];
			if (f.until > Date.now())
				throw new ApiError(0, { error: "pin_pause",
				    error_description: "Too many wrong PINs. " +
				    "Try again in " + Math.ceil((f.until -
				    Date.now()) / 1000) + " seconds." });
			return pinKey(pin, meta).then(function (k) {
				wk = k;
				return checkPin(wk);
			}).then(function () {
				return dbDelete("meta", "failures");
			}).then(function () {
				return wk;
			}, function (e) {
				if (e instanceof ApiError)
					throw e;
				// The GCM tag failed: a wrong PIN.
				f.count++;
				f.until = f.count >= FAIL_FREE ? Date.now() +
				    30000 * Math.pow(2, f.count - FAIL_FREE) : 0;
				return dbPut("meta", f, "failures").then(function () {
					throw new ApiError(0, { error: "wrong_pin",
					    error_description: f.until ?
					    "Wrong PIN. Wait " + Math.ceil((f.until -
					    Date.now()) / 1000) + " seconds before " +
					    "the next try." : "Wrong PIN." });
				});
			});
		});
	}

	function lock() {
		state.keys = null;
		state.polls.forEach(function (c) { c.abort(); });
		state.polls.clear();
		state.requests.forEach(function (e) { e.el.remove(); });
		state.requests.clear();
		clearTimeout(state.idleTimer);
		render();
	}

	// Locks after IDLE_LOCK_MS without the user touching the app.
	function touch() {
		clearTimeout(state.idleTimer);
		if (state.keys)
			state.idleTimer = setTimeout(lock, IDLE_LOCK_MS);
	}

	function loadAccounts() {
		return Promise.all([dbAll("accounts"), dbGet("meta", "pin")])
		    .then(function (r) {
			state.accounts = r[0].sort(function (a, b) {
				return a.created - b.created;
			});
			state.hasPin = !!r[1];
		});
	}

	// ---- pending requests (docs/protocol.md §4) ------------------------

	function sleep(ms, signal) {
		return new Promise(function (resolve) {
			var t = setTimeout(resolve, ms);
			if (signal)
				signal.addEventListener("abort", function () {
					clearTimeout(t);
					resolve();
				});
		});
	}

	function startPolling() {
		state.accounts.forEach(function (a) {
			var c;
			if (state.polls.has(a.binding_id) ||
			    state.inactive.has(a.binding_id))
				return;
			c = new AbortController();
			state.polls.set(a.binding_id, c);
			pollLoop(a, c.signal);
		});
	}

	function pollLoop(account, signal) {
		var backoff = 1000;
		function next(ms) {
			return sleep(ms, signal).then(loop);
		}
		function loop() {
			if (signal.aborted || !state.keys)
				return null;
			return deviceFetch(account, "GET",
			    "/oob/v1/pending?wait=" + POLL_WAIT, null, signal)
			    .then(function (j) {
				backoff = 1000;
				setOnline(true);
				return showPending(account, j);
			}).then(function (fresh) {
				return fresh ? loop() : next(REPOLL_MS);
			}, function (e) {
				if (signal.aborted)
					return null;
				if (e.status === 403) {
					state.inactive.add(account.binding_id);
					renderAccounts();
					return null;
				}
				if (!(e instanceof ApiError) || e.status === 0)
					setOnline(false);
				backoff = Math.min(backoff * 2, 30000);
				return next(e.status === 429 ? 60000 : backoff);
			});
		}
		return loop();
	}

	// Shows new requests; @return whether anything new came.
	function showPending(account, j) {
		var seen = new Set(), jobs = [];
		(j.requests || []).forEach(function (r) {
			seen.add(r.request_id);
			if (!state.requests.has(r.request_id))
				jobs.push(addRequest(account, r));
		});
		// Gone from the server: decided elsewhere, cancelled, expired.
		state.requests.forEach(function (e, id) {
			if (e.account === account && !seen.has(id) && !e.done)
				finish(e, "gone", "This sign-in is no longer " +
				    "waiting (expired, cancelled or decided).");
		});
		(j.alerts || []).forEach(function (a) { addAlert(a); });
		return Promise.all(jobs).then(function (added) {
			return added.indexOf(true) >= 0;
		});
	}

	function addAlert(a) {
		var key = a.time + a.offset, f, p;
		if (state.alerts.has(key))
			return;
		state.alerts.add(key);
		f = parseOffset(a.offset) || {};
		p = document.createElement("p");
		p.className = "alert";
		p.textContent = "On " + new Date(a.time * 1000).toLocaleString() +
		    ", a sign-in to " + (f.rpn || f.rp || "?") + " as " +
		    (f.uid || "?") +
		    " from " + (f.tpub || "?") + " was denied as \u201cnot me\u201d" +
		    " on another of your authenticators.";
		$("alerts").appendChild(p);
	}

	function browserOf(ua) {
		var b = [[/Edg(?:A|iOS)?\/(\d+)/, "Edge"], [/OPR\/(\d+)/,
		    "Opera"], [/(?:Firefox|FxiOS)\/(\d+)/, "Firefox"],
		    [/HeadlessChrome\/(\d+)/, "Headless Chrome"],
		    [/(?:Chrome|CriOS)\/(\d+)/, "Chrome"],
		    [/Version\/(\d+).*Safari/, "Safari"]];
		var o = [[/Windows/, "Windows"], [/Android/, "Android"],
		    [/iPhone|iPad|iPod/, "iOS"], [/Mac OS X/, "macOS"],
		    [/CrOS/, "ChromeOS"], [/Linux/, "Linux"]];
		var name = "", os = "", i, m;
		for (i = 0; i < b.length && !name; i++)
			if ((m = b[i][0].exec(ua)) !== null)
				name = b[i][1] + " " + m[1];
		for (i = 0; i < o.length && !os; i++)
			if (o[i][0].test(ua))
				os = o[i][1];
		if (!name)
			return ua || "unknown";
		return name + (os ? " on " + os : "");
	}

	function addRequest(account, r) {
		var f = parseOffset(r.offset);
		var keys = state.keys && state.keys.get(account.binding_id);
		if (!f || !keys)
			return Promise.resolve(false);
		return ocra(keys.hmac, account.suite, r.offset).then(function (c) {
			var e = { account: account, id: r.request_id,
			    offset: r.offset, f: f, code: c,
			    expires: r.expires_at * 1000,
			    total: Math.max(1, r.expires_at - Number(f.t)) * 1000,
			    mode: r.comparison || account.comparison || "enter",
			    done: false, chosen: null };
			if (state.requests.has(e.id) || !state.keys)
				return false;
			state.requests.set(e.id, e);
			renderRequest(e);
			return true;
		});
	}

	function renderRequest(e) {
		var el = $("tpl-request").content.firstElementChild
		    .cloneNode(true);
		var f = e.f, ua, det, sum, box;
		e.el = el;
		el.dataset.requestId = e.id;
		el.setAttribute("aria-labelledby", "rq-" + e.id);
		el.querySelector(".rq-title").id = "rq-" + e.id;
		// The name the RP's metadata or registration gives, then the
		// identifier that is signed (docs/protocol.md §3).
		el.querySelector(".rq-name").textContent = f.rpn || f.rp;
		el.querySelector(".rq-rp").textContent = f.rpn ? f.rp : "";
		el.querySelector(".rq-user").textContent = f.uid +
		    (state.accounts.length > 1 ? " (" + e.account.label + ")" :
		    "");
		el.querySelector(".rq-ip").textContent = f.tpub +
		    (f.tpriv !== "-" ? " (local " + f.tpriv + ")" : "");
		ua = el.querySelector(".rq-ua");
		ua.textContent = "";
		det = document.createElement("details");
		sum = document.createElement("summary");
		sum.textContent = browserOf(f.ua);
		det.appendChild(sum);
		det.appendChild(document.createTextNode(f.ua || "(none sent)"));
		ua.appendChild(det);
		el.querySelector(".rq-time").textContent =
		    new Date(Number(f.t) * 1000).toLocaleString();
		box = el.querySelector(".rq-compare");
		renderCompare(e, box);
		el.querySelector(".rq-approve").addEventListener("click",
		    function () { approve(e); });
		el.querySelector(".rq-deny").addEventListener("click",
		    function () { decide(e, "deny", ""); });
		el.querySelector(".rq-notme").addEventListener("click",
		    function () { decide(e, "deny", "not_me"); });
		$("requests").insertBefore(el, $("requests").firstChild);
		tick();
		render();
		say("Sign-in request for " + f.uid + " to " + (f.rpn || f.rp) +
		    ".");
		if (el.querySelector("input"))
			el.querySelector("input").focus();
	}

	// X.1280 8.4: how the user compares the two codes (protocol §4).
	function renderCompare(e, box) {
		var p, input, label, codes, i, b, c;
		var id = "code-" + e.id;
		if (e.mode === "compare") {
			p = document.createElement("p");
			p.textContent = "Approve only if the sign-in page shows " +
			    "this code:";
			box.appendChild(p);
			p = document.createElement("p");
			p.className = "code";
			p.textContent = e.code;
			p.setAttribute("aria-label", "Code " +
			    e.code.split("").join(" "));
			box.appendChild(p);
			return;
		}
		if (e.mode === "select") {
			p = document.createElement("p");
			p.id = "choose-" + e.id;
			p.textContent = "Pick the code the sign-in page shows:";
			box.appendChild(p);
			codes = [e.code];
			while (codes.length < 4) {
				c = String(new Uint32Array(random(4).buffer)[0] %
				    Math.pow(10, e.code.length));
				while (c.length < e.code.length)
					c = "0" + c;
				if (codes.indexOf(c) < 0)
					codes.push(c);
			}
			codes.sort();
			b = document.createElement("div");
			b.className = "choices";
			b.setAttribute("role", "group");
			b.setAttribute("aria-labelledby", p.id);
			for (i = 0; i < codes.length; i++)
				b.appendChild(choice(e, codes[i], b));
			box.appendChild(b);
			return;
		}
		label = document.createElement("label");
		label.htmlFor = id;
		label.textContent = "Type the code the sign-in page shows";
		input = document.createElement("input");
		input.type = "text";
		input.id = id;
		input.className = "code-input";
		input.inputMode = "numeric";
		input.autocomplete = "off";
		input.maxLength = e.code.length;
		input.pattern = "[0-9]{" + e.code.length + "}";
		input.addEventListener("keydown", function (ev) {
			if (ev.key === "Enter")
				approve(e);
		});
		box.appendChild(label);
		box.appendChild(input);
		if (state.check && state.check.id === e.id) {
			// QR mode (protocol §3): the code came from the terminal.
			input.value = state.check.code;
			p = document.createElement("p");
			p.className = "hint";
			p.textContent = "Code read from the QR code.";
			box.appendChild(p);
			state.check = null;
		}
	}

	function choice(e, code, group) {
		var b = document.createElement("button");
		b.type = "button";
		b.textContent = code;
		b.setAttribute("aria-pressed", "false");
		b.addEventListener("click", function () {
			group.querySelectorAll("button").forEach(function (x) {
				x.setAttribute("aria-pressed", "false");
			});
			b.setAttribute("aria-pressed", "true");
			e.chosen = code;
		});
		return b;
	}

	function approve(e) {
		var typed, input;
		if (e.done)
			return;
		if (e.mode === "enter") {
			input = e.el.querySelector(".code-input");
			typed = input.value.replace(/\s/g, "");
			if (!/^[0-9]+$/.test(typed) || typed.length !==
			    e.code.length) {
				showError(e, "Type the " + e.code.length +
				    "-digit code shown on the sign-in page.");
				input.focus();
				return;
			}
		} else if (e.mode === "select") {
			typed = e.chosen;
			if (typed === null) {
				showError(e, "Pick the code the sign-in page " +
				    "shows.");
				return;
			}
		} else
			typed = e.code;
		// A different code: the page is not the genuine site.
		if (typed !== e.code) {
			decide(e, "deny", "mismatch");
			return;
		}
		decide(e, "approve", "");
	}

	function decide(e, decision, reason) {
		var buttons = e.el.querySelectorAll("button");
		if (e.done)
			return null;
		buttons.forEach(function (b) { b.disabled = true; });
		touch();
		return sha256hex(e.offset).then(function (h) {
			var keys = state.keys.get(e.account.binding_id);
			return signText(keys.sign, ["mutua-approve-v1", e.id, h,
			    decision, e.code].join("\n"));
		}).then(function (sig) {
			return deviceFetch(e.account, "POST", "/oob/v1/approve",
			    { request_id: e.id, decision: decision, code: e.code,
			    reason: reason, signature: sig });
		}).then(function (j) {
			if (j.status === "approved")
				finish(e, "approved", "Approved. The sign-in " +
				    "page continues by itself.");
			else if (reason === "mismatch")
				finish(e, "denied", "The codes do not match. " +
				    "If you typed the code correctly, the page " +
				    "you are signing in to is not the genuine " +
				    "site: the sign-in was denied. Do not enter " +
				    "anything there.");
			else if (reason === "not_me")
				finish(e, "denied", "Denied and reported. Your " +
				    "help desk and your other authenticators " +
				    "are told.");
			else
				finish(e, "denied", "Denied.");
		}, function (err) {
			var msg = {
				expired: "This sign-in has expired.",
				not_pending: "This sign-in was already decided " +
				    "or cancelled.",
				unknown_request: "This sign-in no longer exists.",
				wrong_code: "The server did not accept the code.",
				rate_limited: "Too many attempts: wait a few " +
				    "minutes.",
				locked: "The authenticator is locked."
			}[err.error] || "Could not send: " + err.message;
			if (err.status === 0 && err.error !== "locked") {
				buttons.forEach(function (b) { b.disabled = false; });
				showError(e, "Could not reach the server. Try " +
				    "again.");
				return;
			}
			finish(e, "denied", msg);
		});
	}

	function showError(e, text) {
		e.el.querySelector(".rq-error").textContent = text;
	}

	function finish(e, how, text) {
		e.done = true;
		e.el.classList.add("done", how === "gone" ? "expired" : how);
		e.el.querySelector(".rq-error").textContent = "";
		e.el.querySelector(".rq-left").textContent = text;
		e.el.dataset.state = how;
		say(text);
		setTimeout(function () {
			if (state.requests.get(e.id) === e) {
				state.requests.delete(e.id);
				e.el.remove();
				render();
			}
		}, 15000);
	}

	// The countdowns: they reach zero when the request expires.
	function tick() {
		var t = now();
		state.requests.forEach(function (e) {
			var ms, pct, bar;
			if (e.done)
				return;
			ms = Math.max(0, e.expires - t);
			pct = Math.round(100 * ms / e.total);
			bar = e.el.querySelector(".countdown");
			bar.firstElementChild.style.width = pct + "%";
			bar.setAttribute("aria-valuenow", String(pct));
			e.el.querySelector(".rq-left").textContent =
			    Math.ceil(ms / 1000) + " s left";
			if (ms === 0)
				finish(e, "expired", "This sign-in has expired.");
		});
	}

	// ---- QR codes: #register=, #check= and the camera -------------------

	function readHash(hash) {
		var m;
		if ((m = /^#register=([0-9a-f]{64})$/.exec(hash)) !== null)
			state.registerCode = m[1];
		else if ((m = /^#check=([0-9a-f]{32})\.([0-9]{4,10})$/.exec(
		    hash)) !== null) {
			state.check = { id: m[1], code: m[2] };
			applyCheck();
		} else
			return false;
		// The code is a secret: not left in the history or the bar.
		history.replaceState(null, "", location.pathname);
		return true;
	}

	function applyCheck() {
		var e = state.check && state.requests.get(state.check.id);
		var input;
		if (!e)
			return;
		input = e.el.querySelector(".code-input");
		if (input) {
			input.value = state.check.code;
			input.focus();
		} else if (e.mode === "select") {
			e.chosen = state.check.code;
		}
		state.check = null;
	}

	function scanSupported() {
		return "BarcodeDetector" in window && navigator.mediaDevices &&
		    navigator.mediaDevices.getUserMedia;
	}

	function startScan() {
		var video = $("scan-video"), detector;
		detector = new window.BarcodeDetector({ formats: ["qr_code"] });
		navigator.mediaDevices.getUserMedia({ video: { facingMode:
		    "environment" }, audio: false }).then(function (stream) {
			state.scanStream = stream;
			video.srcObject = stream;
			$("view-scan").hidden = false;
			return video.play();
		}).then(function () {
			function look() {
				if (!state.scanStream)
					return;
				detector.detect(video).then(function (codes) {
					if (codes.length > 0 &&
					    scanned(codes[0].rawValue))
						return;
					setTimeout(look, 250);
				}, function () { setTimeout(look, 500); });
			}
			look();
		}).catch(function (e) {
			stopScan();
			say("The camera is not available: " + e.message);
		});
	}

	function stopScan() {
		if (state.scanStream)
			state.scanStream.getTracks().forEach(function (t) {
				t.stop();
			});
		state.scanStream = null;
		$("view-scan").hidden = true;
	}

	// @return whether the text was a QR code of an authenticator.
	function scanned(text) {
		var url;
		try {
			url = new URL(text);
		} catch (e) {
			return false;
		}
		if (url.pathname !== "/app/" || !/^#(register|check)=/.test(
		    url.hash))
			return false;
		stopScan();
		if (url.origin !== location.origin) {
			// Another IdP: its own authenticator app, its own keys.
			if (window.confirm("This code is for " + url.origin +
			    ". Open its authenticator?"))
				location.assign(url.href);
			return true;
		}
		readHash(url.hash);
		render();
		return true;
	}

	// ---- rendering -----------------------------------------------------

	function say(text) {
		$("message").textContent = text;
	}

	function setOnline(on) {
		$("offline").hidden = on;
	}

	function show(id, on) {
		$(id).hidden = !on;
	}

	function defaultLabel() {
		var ua = navigator.userAgent;
		if (/iPhone/.test(ua))
			return "iPhone";
		if (/iPad/.test(ua))
			return "iPad";
		if (/Android/.test(ua))
			return "Android phone";
		return "Web authenticator (" + browserOf(ua) + ")";
	}

	function render() {
		var locked = !state.keys;
		var registering = !!state.registerCode;
		show("view-unsupported", false);
		show("view-register", registering);
		show("view-welcome", !registering && state.accounts.length === 0);
		show("view-unlock", !registering && state.accounts.length > 0 &&
		    locked);
		show("view-requests", !registering && !locked);
		show("view-accounts", !locked && state.accounts.length > 0);
		$("idle").hidden = state.requests.size > 0;
		$("lock").hidden = locked || state.accounts.length === 0;
		$("scan").hidden = !scanSupported() || registering ||
		    (locked && state.accounts.length > 0);
		if (registering) {
			$("register-issuer").textContent = location.origin;
			$("register-newpin").hidden = state.hasPin;
			$("register-oldpin").hidden = !state.hasPin;
			if (!$("register-label").value)
				$("register-label").value = defaultLabel();
		}
		renderAccounts();
	}

	function renderAccounts() {
		var ul = $("accounts");
		ul.textContent = "";
		state.accounts.forEach(function (a) {
			var li = document.createElement("li");
			var meta = document.createElement("span");
			var rm = document.createElement("button");
			li.appendChild(document.createTextNode(a.label + ": " +
			    a.user_id));
			meta.className = "meta";
			meta.textContent = a.issuer + ", level of assurance " +
			    a.loa + ", registered " +
			    new Date(a.created).toLocaleDateString() +
			    (state.inactive.has(a.binding_id) ?
			    ". Suspended or revoked at the server." : "");
			li.appendChild(meta);
			rm.type = "button";
			rm.className = "small danger";
			rm.textContent = "Remove from this phone";
			rm.addEventListener("click", function () {
				removeAccount(a);
			});
			li.appendChild(rm);
			ul.appendChild(li);
		});
	}

	function removeAccount(a) {
		if (!window.confirm("Remove " + a.user_id + " at " + a.issuer +
		    " from this phone? Its keys are deleted; the server still " +
		    "lists it until you suspend it on your account page."))
			return;
		var c = state.polls.get(a.binding_id);
		if (c)
			c.abort();
		state.polls.delete(a.binding_id);
		dbDelete("accounts", a.binding_id).then(loadAccounts)
		    .then(function () {
			if (state.keys)
				state.keys.delete(a.binding_id);
			if (state.accounts.length === 0)
				return dbDelete("meta", "pin").then(function () {
					state.hasPin = false;
					lock();
				});
			render();
		});
	}

	// ---- forms ---------------------------------------------------------

	function onRegister(ev) {
		var label = $("register-label").value.trim();
		var newPin = !state.hasPin;
		var pin = newPin ? $("register-pin").value :
		    $("register-pin-existing").value;
		var err = $("register-error");
		ev.preventDefault();
		err.textContent = "";
		if (!label || enc.encode(label).length > 64 ||
		    /[\u0000-\u001f\u007f<>]/.test(label)) {
			err.textContent = "Give the authenticator a name of up " +
			    "to 64 characters, without < or >.";
			return;
		}
		if (newPin && (pin.length < PIN_MIN || pin !==
		    $("register-pin2").value)) {
			err.textContent = pin.length < PIN_MIN ? "The PIN needs " +
			    "at least " + PIN_MIN + " characters." :
			    "The two PINs differ.";
			return;
		}
		if (!newPin && !pin) {
			err.textContent = "Enter your authenticator PIN.";
			return;
		}
		$("register-submit").disabled = true;
		say("Registering\u2026");
		register(state.registerCode, label, pin, newPin)
		    .then(function (a) {
			state.registerCode = null;
			$("register-form").reset();
			say("Registered: " + a.user_id + " at " + a.issuer +
			    " (level of assurance " + a.loa + "). This phone " +
			    "now approves your sign-ins.");
			render();
		}, function (e) {
			say("");
			err.textContent = e.error === "invalid_code" ?
			    "This registration code is unknown, used or " +
			    "expired. Make a new one on your account page." :
			    e instanceof ApiError ? e.message :
			    "The keys could not be made: " + e.message;
		}).then(function () {
			$("register-submit").disabled = false;
		});
	}

	function onUnlock(ev) {
		var pin = $("unlock-pin").value;
		var err = $("unlock-error");
		ev.preventDefault();
		err.textContent = "";
		if (!pin) {
			err.textContent = "Enter your PIN.";
			return;
		}
		$("unlock-submit").disabled = true;
		unlock(pin).then(function () {
			$("unlock-form").reset();
			say("Unlocked.");
			render();
		}, function (e) {
			err.textContent = e instanceof ApiError ? e.message :
			    "Could not unlock: " + e.message;
			$("unlock-pin").select();
		}).then(function () {
			$("unlock-submit").disabled = false;
		});
	}

	// ---- start ---------------------------------------------------------

	function start() {
		if (!window.isSecureContext || !subtle || !window.indexedDB) {
			show("view-unsupported", true);
			return;
		}
		readHash(location.hash);
		window.addEventListener("hashchange", function () {
			if (readHash(location.hash))
				render();
		});
		$("register-form").addEventListener("submit", onRegister);
		$("unlock-form").addEventListener("submit", onUnlock);
		$("lock").addEventListener("click", function () {
			lock();
			say("Locked.");
		});
		$("scan").addEventListener("click", startScan);
		$("scan-stop").addEventListener("click", stopScan);
		["pointerdown", "keydown"].forEach(function (t) {
			document.addEventListener(t, touch, { passive: true });
		});
		window.addEventListener("online", function () { setOnline(true); });
		window.addEventListener("offline", function () {
			setOnline(false);
		});
		setOnline(navigator.onLine);
		setInterval(tick, 250);
		if ("serviceWorker" in navigator)
			navigator.serviceWorker.register("sw.js", { scope: "./" })
			    .catch(function () { /* the app works without */ });
		loadAccounts().then(render, function (e) {
			say("This browser's storage is not available: " +
			    e.message);
		});
	}

	start();
})();
