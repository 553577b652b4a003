// mutua sign-in page: countdown to the request's expiry and live status.
// The page works without this script (the continue button); with it the
// countdown reaches zero exactly when the request expires, whatever the
// client clock says, and approval continues by itself. The status is a
// polite live region: screen readers announce approved, denied and
// expired, and the time left at one minute, 30 and 10 seconds.
"use strict";
(function () {
	var root = document.getElementById("oob");
	if (!root)
		return;
	var expires = Number(root.dataset.expires) * 1000;
	var skew = Number(root.dataset.now) * 1000 - Date.now();
	var total = Math.max(1, expires - Number(root.dataset.now) * 1000);
	var fill = document.getElementById("bar-fill");
	var bar = document.getElementById("bar");
	var left = document.getElementById("remaining");
	var status = document.getElementById("status");
	var live = document.getElementById("remaining-live");
	var retry = document.getElementById("retry");
	var cont = document.getElementById("continue");
	var announced = {};
	var texts = {
		pending: "Waiting for approval on your authenticator…",
		approved: "Approved. Signing you in…",
		denied: "Denied on the authenticator. If this was you, get a " +
		    "new code.",
		expired: "The code has expired. Get a new code to try again."
	};
	var state = root.dataset.state;
	var done = false;

	// The bar and the seconds left, ms before the expiry.
	function paint(ms) {
		var pct = Math.round(100 * ms / total);
		var sec = Math.ceil(ms / 1000);
		fill.style.width = (100 * ms / total) + "%";
		bar.setAttribute("aria-valuenow", String(pct));
		bar.setAttribute("aria-valuetext", sec + " seconds left");
		left.textContent = state === "pending" ? sec + " s left" : "";
		return sec;
	}

	function show(s) {
		var over = s === "denied" || s === "expired";
		var moved = state !== s;
		state = s;
		root.dataset.state = s;
		status.textContent = texts[s] || s;
		status.className = "status " + s;
		retry.hidden = !over;
		cont.hidden = over;
		// The one thing left to do: keyboard focus goes there.
		if (over && moved)
			retry.querySelector("button").focus();
		// Over, whatever the client clock said: no time is left.
		if (over)
			paint(0);
	}

	function tick() {
		var ms = Math.max(0, expires - (Date.now() + skew));
		var sec;

		if (state === "denied" || state === "expired")
			ms = 0;
		sec = paint(ms);
		if (state === "pending" && (sec === 60 || sec === 30 ||
		    sec === 10) && !announced[sec]) {
			announced[sec] = true;
			live.textContent = sec + " seconds left to approve.";
		}
		if (ms === 0 && state === "pending")
			show("expired");
		if (!done)
			window.requestAnimationFrame(tick);
	}

	function poll() {
		fetch("/login/status", { credentials: "same-origin" })
		    .then(function (r) { return r.json(); })
		    .then(function (j) {
			if (j.state !== state && j.state !== "unknown")
				show(j.state);
			if (j.state === "approved") {
				done = true;
				document.getElementById("continue").submit();
			} else if (j.state === "pending") {
				window.setTimeout(poll, 1000);
			} else {
				done = true;
			}
		    })
		    .catch(function () { window.setTimeout(poll, 2000); });
	}

	show(state);
	tick();
	if (state === "pending" || state === "approved")
		poll();
})();
