// A relying party for trying mutua's OpenID provider by hand with a
// browser (docs/oidc.md, "Trying it"). After `make run`:
//
//	node tests/oidc/demo_rp.mjs [issuer]	# default http://127.0.0.1:8080
//
// then open http://127.0.0.1:8090/. It uses the demo client that
// `make run` registers (federation/clients/demo.json, its secret in
// var/demo-client-secret.txt) and openid-client 6 with ID token
// signatures verified. For `make run-tls`, pass the https issuer and
// NODE_EXTRA_CA_CERTS=var/tls/ca.crt.
import fs from 'node:fs';
import http from 'node:http';
import * as client from 'openid-client';

const issuer = process.argv[2] || 'http://127.0.0.1:8080';
// DEMO_RP_PORT: another port (the browser test runs it on a free one).
const port = Number(process.env.DEMO_RP_PORT) || 8090;
const here = `http://127.0.0.1:${port}`;
const secret = fs.readFileSync(process.env.DEMO_SECRET ||
    'var/demo-client-secret.txt', 'utf8').trim();
const execute = [client.enableNonRepudiationChecks];
if (issuer.startsWith('http:'))
	execute.push(client.allowInsecureRequests);
const config = await client.discovery(new URL(issuer), 'demo', undefined,
    client.ClientSecretBasic(secret), { execute });

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res, body) => {
	res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
	res.end(`<!doctype html><meta charset="utf-8"><title>demo RP</title>
<body style="font-family:sans-serif;max-width:50rem;margin:2rem auto">
<h1>mutua demo relying party</h1>${body}</body>`);
};
let flow = null;	/* the authorization request in progress */
let idToken = null;

http.createServer(async (req, res) => {
	const url = new URL(req.url, here);
	try {
		if (url.pathname === '/login') {
			const verifier = client.randomPKCECodeVerifier();
			flow = { verifier, state: client.randomState(),
			    nonce: client.randomNonce() };
			const to = client.buildAuthorizationUrl(config, {
				redirect_uri: `${here}/callback`,
				scope: 'openid profile email',
				code_challenge:
				    await client.calculatePKCECodeChallenge(verifier),
				code_challenge_method: 'S256',
				state: flow.state, nonce: flow.nonce,
			});
			res.writeHead(302, { location: to.href });
			return res.end();
		}
		if (url.pathname === '/callback') {
			const tokens = await client.authorizationCodeGrant(config,
			    url, { pkceCodeVerifier: flow?.verifier,
			    expectedState: flow?.state, expectedNonce: flow?.nonce,
			    idTokenExpected: true });
			flow = null;
			idToken = tokens.id_token;
			const claims = tokens.claims();
			const info = await client.fetchUserInfo(config,
			    tokens.access_token, claims.sub);
			return page(res, `<p>Signed in. ID token (signature
verified):</p><pre>${esc(JSON.stringify(claims, null, 1))}</pre>
<p>userinfo:</p><pre>${esc(JSON.stringify(info, null, 1))}</pre>
<p><a href="/logout">Sign out</a></p>`);
		}
		if (url.pathname === '/logout' && idToken) {
			const to = client.buildEndSessionUrl(config, {
			    id_token_hint: idToken,
			    post_logout_redirect_uri: `${here}/`, state: 'demo' });
			idToken = null;
			res.writeHead(302, { location: to.href });
			return res.end();
		}
		return page(res, `<p>Issuer: ${esc(issuer)}</p>
<p><a href="/login">Sign in with mutua</a></p>`);
	} catch (e) {
		return page(res, `<p>Error: ${esc(e.message)}</p>
<pre>${esc(JSON.stringify({ code: e.code, error: e.error,
    cause: e.cause?.message ?? e.cause }, null, 1))}</pre>
<p><a href="/">Start again</a></p>`);
	}
}).listen(port, '127.0.0.1', () =>
    console.log(`demo RP for ${issuer}: open ${here}/`));
