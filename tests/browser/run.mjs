// Browser tests of the web authenticator and the login pages, in Debian's
// headless Chromium driven by playwright-core (nothing is downloaded).
// One browser context is the phone (the authenticator at /app/), another
// the terminal (the computer where the user signs in). Each context is
// its own profile: no cookie, key or service worker is shared.
//
// Run by tests/integration/test_browser.py:
//   node tests/browser/run.mjs <scenario> '<json>'
// Input: base (the IdP), sp (the demo SP), rp (the demo OIDC RP, or
// null), user, password, shots (a directory for screenshots, or null).
// Prints one JSON line: {"ok": true, ...} or {"ok": false, "error",
// "artifacts"}; on failure each page's screenshot and text are saved
// next to the test's server for the report.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PIN = '482915';
const TERMINAL_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) ' +
    'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile ' +
    'Safari/537.36';

function check(cond, what) {
	if (!cond)
		throw new Error('check failed: ' + what);
}

class Run {
	constructor(a) {
		this.a = a;
		this.out = {};
		this.pages = {};
		this.errors = [];
	}

	async start() {
		this.browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			args: ['--disable-background-networking',
			    '--disable-component-update', '--no-first-run',
			    '--disable-sync'],
		});
		this.phoneCtx = await this.browser.newContext({
			viewport: { width: 360, height: 780 }, isMobile: true,
			hasTouch: true, userAgent: PHONE_UA,
		});
		// The terminal is a computer, or a 360 px wide phone; with
		// nojs, a browser without JavaScript.
		this.termCtx = await this.browser.newContext(this.a.nojs ? {
			viewport: { width: 1024, height: 720 },
			userAgent: TERMINAL_UA, javaScriptEnabled: false,
		} : this.a.narrow ? {
			viewport: { width: 360, height: 740 }, isMobile: true,
			hasTouch: true, userAgent: TERMINAL_UA,
		} : {
			viewport: { width: 1024, height: 720 },
			userAgent: TERMINAL_UA,
		});
		for (const ctx of [this.phoneCtx, this.termCtx])
			this.watch(ctx);
		this.phone = await this.page(this.phoneCtx, 'phone');
		this.term = await this.page(this.termCtx, 'terminal');
	}

	// Every request must stay on 127.0.0.1 (no third party), and no
	// page may log a CSP violation or an uncaught error.
	watch(ctx) {
		ctx.on('request', (r) => {
			const u = new URL(r.url());
			if (u.protocol !== 'data:' && u.hostname !== '127.0.0.1')
				this.errors.push('third-party request ' + r.url());
		});
	}

	async page(ctx, name) {
		const p = await ctx.newPage();
		p.on('console', (m) => {
			if (m.type() === 'error' &&
			    !/Failed to load resource/.test(m.text()))
				this.errors.push(name + ' console: ' + m.text());
		});
		p.on('pageerror', (e) => this.errors.push(name + ': ' + e));
		this.pages[name] = p;
		return p;
	}

	async shot(page, name, opts = {}) {
		if (!this.a.shots)
			return;
		fs.mkdirSync(this.a.shots, { recursive: true });
		await page.screenshot({ path: path.join(this.a.shots, name),
		    ...opts });
	}

	async artifacts() {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(),
		    'mutua-browser-'));
		for (const [name, p] of Object.entries(this.pages)) {
			try {
				await p.screenshot({ path: path.join(dir,
				    name + '.png'), fullPage: true });
				fs.writeFileSync(path.join(dir, name + '.txt'),
				    p.url() + '\n\n' + await p.innerText('body'));
			} catch (e) { /* closed */ }
		}
		return dir;
	}

	// ---- the terminal: password login, account page ---------------

	async passwordLogin(user = this.a.user) {
		const t = this.term;
		await t.goto(this.a.base + '/login');
		await t.fill('#user', user);
		await t.click('button[type=submit]');
		await t.fill('#password', this.a.password);
		await t.click('button[type=submit]');
		await t.waitForURL(this.a.base + '/account');
	}

	async registrationLink() {
		const t = this.term;
		await t.click('form[action="/account/register"] button');
		const link = await t.getAttribute('#register-link', 'href');
		check(/\/app\/#register=[0-9a-f]{64}$/.test(link), 'link ' + link);
		return link;
	}

	async signOut() {
		await this.term.goto(this.a.base + '/account');
		await this.term.click('form[action="/logout"] button');
	}

	// ---- the phone: registration, unlock, requests -----------------

	async registerPhone(link, label = 'Test phone') {
		const p = this.phone;
		await p.goto(link);
		await p.waitForSelector('#view-register:not([hidden])');
		check(!p.url().includes('#register'), 'code left in the URL');
		await p.fill('#register-label', label);
		if (await p.isVisible('#register-pin')) {
			await p.fill('#register-pin', PIN);
			await p.fill('#register-pin2', PIN);
		} else
			await p.fill('#register-pin-existing', PIN);
		await p.click('#register-submit');
		// Locators, not waitForFunction: the CSP forbids eval.
		await p.locator('#message', { hasText: 'Registered' })
		    .waitFor({ timeout: 30000 });
		await p.waitForSelector('#view-requests:not([hidden])');
	}

	// The phone's keys: in IndexedDB wrapped, usable only as
	// non-extractable CryptoKeys after the PIN.
	async phoneKeys() {
		return this.phone.evaluate(() => new Promise((resolve) => {
			const r = indexedDB.open('mutua-authenticator');
			r.onsuccess = () => {
				const t = r.result.transaction('accounts');
				const q = t.objectStore('accounts').getAll();
				q.onsuccess = () => resolve(q.result.map((a) => ({
					binding_id: a.binding_id,
					device_is_key: a.device.data instanceof
					    CryptoKey,
					device_bytes: a.device.data.byteLength,
					k_bytes: a.k.data.byteLength,
				})));
			};
		}));
	}

	// A request card on the phone: the first pending one, or the one
	// with this ID in this state.
	async request(state = null, id = null) {
		const sel = 'article.request' + (id ?
		    '[data-request-id="' + id + '"]' : '') + (state ?
		    '[data-state="' + state + '"]' : ':not(.done)');
		const el = await this.phone.waitForSelector(sel,
		    { timeout: 30000 });
		const text = (c) => el.$eval(c, (n) => n.textContent.trim());
		return {
			el, id: await el.getAttribute('data-request-id'),
			name: await text('.rq-name'), rp: await text('.rq-rp'),
			user: await text('.rq-user'),
			ip: await text('.rq-ip'),
			browser: await text('.rq-ua summary'),
		};
	}

	async decide(rq, button, code = null) {
		if (code !== null)
			await rq.el.$eval('.code-input', (n, c) => {
				n.value = c;
			}, code);
		await rq.el.$eval(button, (b) => b.click());
	}

	// ---- the terminal: the code page -------------------------------

	async codePage() {
		const t = this.term;
		await t.waitForURL(/\/login\/code$/);
		const code = (await t.textContent('#code')).trim();
		check(/^[0-9]{6}$/.test(code), 'code ' + code);
		return code;
	}

	// From a service's page with a #login button, or a URL that goes
	// straight to the IdP (click false).
	async startLogin(from, keyboard = false, click = true) {
		const t = this.term;
		await t.goto(from);
		if (click)
			await t.click('#login');
		await t.waitForURL(/\/login\?c=/);
		if (keyboard) {
			// The user ID field has the focus (autofocus, applied
			// after the load event); Enter sends the form.
			await t.waitForSelector('#user:focus', { timeout: 5000 });
			await t.keyboard.type(this.a.user);
			await t.keyboard.press('Enter');
		} else {
			await t.fill('#user', this.a.user);
			await t.click('button[type=submit]');
		}
		return this.codePage();
	}

	// The text of the QR code on the terminal's code page, decoded
	// from its pixels by zbarimg (Debian zbar-tools).
	async qrText() {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutua-qr-'));
		const file = path.join(dir, 'qr.png');
		try {
			await this.term.locator('.qr svg').screenshot(
			    { path: file });
			return execFileSync('zbarimg', ['--raw', '-q', file],
			    { encoding: 'utf8' }).trim();
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}

	// Nothing wider than the viewport: no sideways scrolling.
	async fits(page) {
		return page.evaluate(() =>
		    document.documentElement.scrollWidth <= window.innerWidth);
	}

	async status() {
		return this.term.$eval('#status', (n) => ({
			text: n.textContent, state: n.className,
			live: n.getAttribute('aria-live'),
		}));
	}

	async setup(user = this.a.user) {
		await this.passwordLogin(user);
		const link = await this.registrationLink();
		await this.signOut();
		await this.registerPhone(link);
		this.out.keys = await this.phoneKeys();
	}

	// An X.1280 login at the IdP itself (path needs one), approved on
	// the phone with the terminal's code.
	async idpLogin(path, user = this.a.user) {
		const t = this.term;
		await t.goto(this.a.base + path);
		await t.waitForURL(/\/login(\?c=.*)?$/);
		await t.fill('#user', user);
		await t.click('button[type=submit]');
		const code = await this.codePage();
		const rq = await this.request();
		await this.decide(rq, '.rq-approve', code);
		await t.waitForURL(this.a.base + path, { timeout: 30000 });
		return rq;
	}
}

// ---- scenarios ---------------------------------------------------------

const scenarios = {
	// Register the phone from the account page's link, sign in to the
	// demo SP with it (SAML) and, when there is one, to the demo OIDC RP.
	async login(r) {
		await r.setup();
		const code = await r.startLogin(r.a.sp + '/');
		const rq = await r.request();
		r.out.phone = { name: rq.name, rp: rq.rp, user: rq.user,
		    ip: rq.ip, browser: rq.browser };
		// Enter mode: the phone never shows its code (X.1280 9.1.1).
		r.out.phone_shows_code = (await rq.el.evaluate((n) =>
		    n.outerHTML + n.innerText)).includes(code);
		// The countdown a few seconds in, the code typed on the phone.
		await r.term.waitForTimeout(4000);
		await r.shot(r.term, 'login-code.png');
		await rq.el.$eval('.code-input', (n, c) => { n.value = c; }, code);
		await r.shot(r.phone, 'authenticator-approval.png');
		await r.decide(rq, '.rq-approve', code);
		await r.request('approved');
		await r.term.waitForURL(r.a.sp + '/', { timeout: 30000 });
		await r.term.waitForSelector('#status.ok');
		r.out.saml = {
			status: await r.term.textContent('#status'),
			nameid: await r.term.textContent('#nameid'),
			acr: await r.term.textContent('#acr'),
		};
		await r.shot(r.phone, 'authenticator-approved.png');
		if (r.a.rp) {
			// tests/oidc/demo_rp.mjs: its /login starts the code
			// flow. The IdP session exists: sign in afresh.
			await r.termCtx.clearCookies();
			const code2 = await r.startLogin(r.a.rp + '/login', false,
			    false);
			const rq2 = await r.request();
			r.out.oidc_phone_rp = rq2.rp;
			r.out.oidc_phone_name = rq2.name;
			await r.decide(rq2, '.rq-approve', code2);
			await r.term.waitForURL(r.a.rp + '/callback?**',
			    { timeout: 30000 });
			const body = await r.term.innerText('body');
			check(/Signed in/.test(body), 'OIDC: ' + body);
			r.out.oidc = JSON.parse(await r.term.textContent('pre'));
		}
	},

	// Comparison "select": the terminal's code among three decoys.
	async select(r) {
		await r.setup();
		const code = await r.startLogin(r.a.sp + '/');
		const rq = await r.request();
		const choices = await rq.el.$$eval('.choices button',
		    (b) => b.map((n) => n.textContent));
		r.out.choices = choices.length;
		r.out.listed = choices.includes(code);
		// Nothing but the text tells the right choice from a decoy.
		r.out.marked = new Set(await rq.el.$$eval('.choices button',
		    (b) => b.map((n) => n.outerHTML.replace(n.textContent,
		    '')))).size !== 1;
		await rq.el.$eval('.choices button:text-is("' + code + '")',
		    (b) => b.click());
		await r.decide(rq, '.rq-approve');
		await r.term.waitForURL(r.a.sp + '/', { timeout: 30000 });
		r.out.saml = await r.term.textContent('#status');
	},

	// Two accounts on one phone: the second registration asks for the
	// PIN the phone has; each request says which account it is for.
	async two_accounts(r) {
		await r.setup();
		await r.passwordLogin(r.a.user2);
		const link = await r.registrationLink();
		await r.signOut();
		await r.registerPhone(link, 'Phone for ' + r.a.user2);
		r.out.accounts = await r.phone.$$eval('#accounts li',
		    (l) => l.length);
		r.out.keys = await r.phoneKeys();
		const saved = r.a.user;
		r.a.user = r.a.user2;
		const code = await r.startLogin(r.a.sp + '/');
		r.a.user = saved;
		const rq = await r.request();
		r.out.user_shown = rq.user;
		await r.decide(rq, '.rq-approve', code);
		await r.term.waitForURL(r.a.sp + '/', { timeout: 30000 });
		r.out.saml = await r.term.textContent('#status');
	},

	// A terminal without JavaScript: the forms work, the user presses
	// "continue" after approving and the SAML form's button.
	async nojs(r) {
		await r.setup();
		const t = r.term;
		const code = await r.startLogin(r.a.sp + '/');
		r.out.status_before = (await t.textContent('#status')).trim();
		const rq = await r.request();
		await r.decide(rq, '.rq-approve', code);
		await r.request('approved', rq.id);
		await t.click('#continue button');
		await t.waitForURL(/\/saml\/sso\/resume/);
		await t.click('#autosubmit button');
		await t.waitForURL(r.a.sp + '/', { timeout: 30000 });
		r.out.saml = await t.textContent('#status');
	},

	// The README's walk-through, step by step: from the demo SP, the
	// password opens the account page, the link registers the phone,
	// and the next sign-in at the SP is approved there.
	async readme(r) {
		const t = r.term;
		await t.goto(r.a.sp + '/');
		await t.click('#login');
		await t.waitForURL(/\/login\?c=/);
		await t.fill('#user', r.a.user);
		await t.click('button[type=submit]');
		await t.fill('#password', r.a.password);
		await t.click('button[type=submit]');
		await t.waitForURL(r.a.base + '/account');
		const link = await r.registrationLink();
		await r.registerPhone(link);
		const code = await r.startLogin(r.a.sp + '/');
		const rq = await r.request();
		await r.decide(rq, '.rq-approve', code);
		await t.waitForURL(r.a.sp + '/', { timeout: 30000 });
		r.out.status = await t.textContent('#status');
	},

	// The codes on both screens, side by side (comparison "compare").
	// The terminal is 360 px wide and used with the keyboard only.
	async compare(r) {
		await r.setup();
		const code = await r.startLogin(r.a.sp + '/', true);
		r.out.code_page_fits = await r.fits(r.term);
		r.out.code_font_px = await r.term.$eval('#code', (n) =>
		    parseFloat(getComputedStyle(n).fontSize));
		await r.shot(r.term, 'login-code-360.png');
		const rq = await r.request();
		r.out.terminal_code = code;
		r.out.phone_code = await rq.el.$eval('.code',
		    (n) => n.textContent);
		await r.decide(rq, '.rq-approve');
		await r.term.waitForURL(r.a.sp + '/', { timeout: 30000 });
		r.out.saml = await r.term.textContent('#status');
	},

	// Deny on the phone: the terminal says so and offers a retry.
	async deny(r) {
		await r.setup();
		await r.startLogin(r.a.sp + '/');
		const rq = await r.request();
		await r.decide(rq, '.rq-deny');
		await r.request('denied');
		await r.term.waitForSelector('#status.denied');
		r.out.status = await r.status();
		r.out.retry_visible = await r.term.isVisible('#retry');
		// The other mistake: a code that differs from the phone's.
		await r.term.click('#retry button');
		const code = await r.codePage();
		const wrong = String((Number(code) + 1) % 1000000)
		    .padStart(6, '0');
		const rq2 = await r.request();
		check(rq2.id !== rq.id, 'a new request after the retry');
		await r.decide(rq2, '.rq-approve', wrong);
		const done = await r.request('denied', rq2.id);
		r.out.mismatch = await done.el.$eval('.rq-left',
		    (n) => n.textContent);
		await r.term.waitForSelector('#status.denied');
	},

	// Nobody approves: the bar reaches zero with the request's expiry.
	async expiry(r) {
		await r.setup();
		const code = await r.startLogin(r.a.sp + '/');
		await r.request();
		const root = await r.term.$eval('#oob', (n) => ({
			now: Number(n.dataset.now),
			expires: Number(n.dataset.expires),
		}));
		await r.term.waitForSelector('#status.expired',
		    { timeout: 120000 });
		const t = Date.now() / 1000;
		r.out.expired_late = t - root.expires;
		r.out.bar = await r.term.$eval('#bar', (n) =>
		    n.getAttribute('aria-valuenow'));
		r.out.status = await r.status();
		await r.request('expired');
		// Retry: a new code for the same login.
		await r.term.click('#retry button');
		const code2 = await r.codePage();
		r.out.new_code = code2 !== code;
		const rq = await r.request();
		await r.decide(rq, '.rq-approve', code2);
		await r.term.waitForURL(r.a.sp + '/', { timeout: 30000 });
	},

	// A backup authenticator on a second phone; the lost first phone
	// is suspended from a sign-in with the backup (X.1280 9.2.2).
	async backup(r) {
		await r.setup();
		await r.idpLogin('/account');
		const link = await r.registrationLink();
		// The second phone: its own profile, keys and PIN.
		const first = r.phone;
		r.phoneCtx2 = await r.browser.newContext({
			viewport: { width: 360, height: 780 }, isMobile: true,
			hasTouch: true, userAgent: PHONE_UA });
		r.watch(r.phoneCtx2);
		r.phone = await r.page(r.phoneCtx2, 'phone2');
		await r.registerPhone(link, 'Backup phone');
		await r.signOut();
		// The next login goes to the newest; suspend the first one.
		await r.idpLogin('/account');
		const refused = 'form:has(button:has-text("Backup phone"))';
		r.out.marked = await r.term.isVisible(refused +
		    ' .hint');
		await r.term.click('#suspend button:has-text("Test phone")');
		await r.term.waitForURL(r.a.base + '/account');
		r.out.table = await r.term.innerText('table.bindings');
		await r.shot(r.term, 'account.png', { fullPage: true });
		// Suspending the one this session used is refused.
		await r.term.click('#suspend button:has-text("Backup phone")');
		r.out.refusal = await r.term.innerText('main');
		// The lost phone learns it at its next poll.
		r.phone = first;
		await first.reload();
		await first.fill('#unlock-pin', PIN);
		await first.click('#unlock-submit');
		await first.locator('#accounts', { hasText: 'Suspended' })
		    .waitFor({ timeout: 30000 });
		// Sign out everywhere.
		await r.term.goto(r.a.base + '/account');
		await r.term.click('#signout-all');
		r.out.signed_out = await r.term.innerText('h1');
		await r.term.goto(r.a.base + '/account');
		r.out.after = r.term.url();
	},

	// The help desk's case view, for docs/screenshots: staff sign in
	// with their phone, open the case of a vetting request by its code
	// and walk the first steps.
	async helpdesk(r) {
		await r.setup(r.a.staff);
		await r.passwordLogin();
		await r.term.click('#request-vetting');
		const code = (await r.term.textContent('#vetting-code')).trim();
		await r.signOut();
		await r.idpLogin('/helpdesk', r.a.staff);
		await r.term.fill('#code', code);
		await r.term.click('form[action="/helpdesk/open"] button');
		await r.term.waitForURL(/\/helpdesk\/case\?id=/);
		for (const [step, button] of [
		    ['C_CHECK_ELIGIBILITY', 'Eligible'],
		    ['V_PRESENT_PROOF', 'Presented'],
		    ['V_VET_PROOF', 'Genuine and matching']]) {
			await r.term.click('#s-' + step + ' button:has-text("' +
			    button + '")');
			await r.term.waitForURL(/\/helpdesk\/case\?id=/);
		}
		r.out.state = await r.term.textContent('#state');
		r.out.applicant = await r.term.textContent('#applicant');
		// The case, its checklist and the first next step.
		await r.term.setViewportSize({ width: 1024, height: 1000 });
		await r.shot(r.term, 'helpdesk-case.png');
	},

	// The authenticator locks; a wrong PIN does not open it.
	async wrong_pin(r) {
		await r.setup();
		await r.phone.reload();
		await r.phone.waitForSelector('#view-unlock:not([hidden])');
		r.out.locked_requests_hidden = await r.phone.isHidden(
		    '#view-requests');
		await r.phone.fill('#unlock-pin', '000000');
		await r.phone.click('#unlock-submit');
		await r.phone.locator('#unlock-error', { hasText: /./ })
		    .waitFor({ timeout: 30000 });
		r.out.error = await r.phone.textContent('#unlock-error');
		r.out.still_locked = await r.phone.isVisible('#view-unlock');
		await r.phone.fill('#unlock-pin', PIN);
		await r.phone.click('#unlock-submit');
		await r.phone.waitForSelector('#view-requests:not([hidden])');
		const code = await r.startLogin(r.a.sp + '/');
		const rq = await r.request();
		// QR mode: the sign-in page's QR code, as a camera sees it
		// (a screenshot decoded by zbarimg), opens the app at
		// #check=<request>.<code>, which fills in the code.
		const qr = await r.qrText();
		r.out.qr_text_ok = qr === r.a.base + '/app/#check=' + rq.id +
		    '.' + code;
		await r.phone.goto(qr);
		r.out.check_filled = await rq.el.$eval('.code-input',
		    (n) => n.value) === code;
		r.out.check_hash_gone = !r.phone.url().includes('#check');
		await r.decide(rq, '.rq-approve');
		await r.term.waitForURL(r.a.sp + '/', { timeout: 30000 });
		// The service worker took over and keeps the shell offline.
		await r.phone.reload();
		r.out.sw = await r.phone.evaluate(() =>
		    navigator.serviceWorker.ready.then(() =>
		    !!navigator.serviceWorker.controller));
		await r.phoneCtx.setOffline(true);
		await r.phone.reload();
		await r.phone.waitForSelector('#view-unlock:not([hidden])',
		    { timeout: 10000 });
		r.out.offline_shell = await r.phone.isVisible('#offline');
		await r.phoneCtx.setOffline(false);
	},
};

async function main() {
	const [name, json] = process.argv.slice(2);
	const r = new Run(JSON.parse(json));
	let result;
	try {
		await r.start();
		await scenarios[name](r);
		check(r.errors.length === 0, r.errors.join('; '));
		result = { ok: true, ...r.out };
	} catch (e) {
		result = { ok: false, error: String(e.stack || e),
		    page_errors: r.errors, out: r.out,
		    artifacts: r.browser ? await r.artifacts() : null };
	}
	if (r.browser)
		await r.browser.close();
	process.stdout.write(JSON.stringify(result) + '\n');
	process.exit(result.ok ? 0 : 1);
}

main();
