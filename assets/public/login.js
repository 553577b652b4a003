// mutua sign-in page: countdown to the request's expiry and live status.
// The page works without this script (the continue button); with it the
// countdown reaches zero exactly when the request expires, whatever the
// client clock says, and approval continues by itself.
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
	var texts = {
		pending: "Waiting for approval on your authenticator…",
		approved: "Approved. Signing you in…",
		denied: "Denied on the authenticator. Start again if this was you.",
		expired: "The code has expired. Start again to get a new one."
	};
	var state = root.dataset.state;
	var done = false;

	function show(s) {
		state = s;
		status.textContent = texts[s] || s;
		status.className = "status " + s;
	}

	function tick() {
		var ms = Math.max(0, expires - (Date.now() + skew));
		var pct = Math.round(100 * ms / total);
		fill.style.width = pct + "%";
		bar.setAttribute("aria-valuenow", String(pct));
		left.textContent = state === "pending" ?
		    Math.ceil(ms / 1000) + " s left" : "";
		if (ms === 0 && state === "pending")
			show("expired");
		if (!done)
			window.requestAnimationFrame(tick);
	}

	function poll() {
		fetch("/login/status", { credentials: "same-origin" })
		    .then(function (r) { return r.json(); })
		    .then(function (j) {
			if (j.state !== state)
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
	if (state === "pending")
		poll();
})();
