// A browser application on another origin calling mutua's token
// endpoint with fetch(), in a real headless Chromium: whether the
// answer is readable is the browser's CORS decision. The form POST is a
// CORS "simple" request, as a public client's token request is.
//
// node cors_fetch.mjs '<json>' with page (the application's URL, on its
// own origin), url (the endpoint) and body (form-encoded); prints
// {"readable": true, "status", "json"} or {"readable": false, "error"}.
import { chromium } from 'playwright-core';

const a = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	args: ['--disable-background-networking',
	    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
let out;
try {
	const page = await browser.newPage();
	await page.goto(a.page);
	out = await page.evaluate(async ({ url, body }) => {
		try {
			const r = await fetch(url, { method: 'POST', body,
			    headers: { 'content-type':
			    'application/x-www-form-urlencoded' } });
			return { readable: true, status: r.status,
			    json: await r.json() };
		} catch (e) {
			return { readable: false, error: String(e) };
		}
	}, { url: a.url, body: a.body });
} finally {
	await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
