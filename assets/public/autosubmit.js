// Posts the SAML message form at once (no inline script: strict CSP).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
	var form = document.getElementById("autosubmit");
	if (form)
		form.submit();
});
