// A relying party built on openid-client 6, driven step by step by
// test_oidc.py: node oidc_rp.mjs <step> '<json>' prints one JSON line.
//
// Every step starts with discovery, as a real RP restarting would, and
// enables enableNonRepudiationChecks so that ID token signatures are
// verified against the provider's JWKS (openid-client skips that by
// default: shared/notes/test-peers.md §2).
//
// Input (JSON): issuer, client_id, auth ("basic", "post", "jwt",
// "none"), client_secret, jwk (private, for "jwt"), id_token_alg, plus
// the step's own fields. Output: {"ok": true, ...} or {"ok": false,
// "name", "code", "error", "status", "message", "cause"}.
import * as client from 'openid-client';
import * as jose from 'jose';

function clientAuth(a) {
	switch (a.auth) {
	case 'basic':
		return client.ClientSecretBasic(a.client_secret);
	case 'post':
		return client.ClientSecretPost(a.client_secret);
	case 'none':
		return client.None();
	default:
		return null;
	}
}

async function configure(a) {
	let auth = clientAuth(a);
	if (a.auth === 'jwt') {
		const key = await crypto.subtle.importKey('jwk', a.jwk,
		    { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
		auth = client.PrivateKeyJwt({ key, kid: a.jwk.kid });
	}
	const metadata = { client_id: a.client_id };
	if (a.id_token_alg)
		metadata.id_token_signed_response_alg = a.id_token_alg;
	return client.discovery(new URL(a.issuer), a.client_id, metadata,
	    auth, { execute: [client.allowInsecureRequests,
	    client.enableNonRepudiationChecks] });
}

const steps = {
	async discover(a) {
		const config = await configure(a);
		return { metadata: config.serverMetadata() };
	},

	async authorize_url(a) {
		const config = await configure(a);
		const code_verifier = client.randomPKCECodeVerifier();
		const state = client.randomState();
		const nonce = client.randomNonce();
		const params = {
			redirect_uri: a.redirect_uri,
			scope: a.scope || 'openid profile email',
			code_challenge: await client.calculatePKCECodeChallenge(
			    code_verifier),
			code_challenge_method: 'S256',
			state, nonce, ...(a.params || {}),
		};
		// par: pushed first (RFC 9126); the URL then holds only
		// client_id and request_uri.
		const url = a.par ?
		    await client.buildAuthorizationUrlWithPAR(config, params) :
		    client.buildAuthorizationUrl(config, params);
		return { url: url.href, code_verifier, state, nonce };
	},

	async code(a) {
		const config = await configure(a);
		const tokens = await client.authorizationCodeGrant(config,
		    new URL(a.callback), {
			pkceCodeVerifier: a.code_verifier,
			expectedState: a.state,
			expectedNonce: a.nonce,
			idTokenExpected: true,
		    }, a.token_params);
		return { tokens: { ...tokens }, claims: tokens.claims(),
		    expires_in: tokens.expiresIn() };
	},

	async userinfo(a) {
		const config = await configure(a);
		return { userinfo: await client.fetchUserInfo(config,
		    a.access_token, a.sub) };
	},

	async refresh(a) {
		const config = await configure(a);
		const tokens = await client.refreshTokenGrant(config,
		    a.refresh_token, a.token_params);
		return { tokens: { ...tokens }, claims: tokens.claims() ?? null };
	},

	async client_credentials(a) {
		const config = await configure(a);
		const tokens = await client.clientCredentialsGrant(config,
		    { ...(a.scope ? { scope: a.scope } : {}),
		    ...(a.token_params || {}) });
		return { tokens: { ...tokens } };
	},

	// A resource server's check of a JWT access token (RFC 9068 §4)
	// with jose: the provider's JWKS, issuer, audience, typ at+jwt.
	async verify_access_token(a) {
		const config = await configure(a);
		const meta = config.serverMetadata();
		const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
		const { payload, protectedHeader } = await jose.jwtVerify(
		    a.access_token, jwks, { issuer: meta.issuer,
		    audience: a.audience, typ: 'at+jwt' });
		return { payload, header: protectedHeader };
	},

	async introspect(a) {
		const config = await configure(a);
		return { introspection: await client.tokenIntrospection(config,
		    a.token) };
	},

	async revoke(a) {
		const config = await configure(a);
		await client.tokenRevocation(config, a.token);
		return {};
	},

	async logout_url(a) {
		const config = await configure(a);
		const url = client.buildEndSessionUrl(config, {
			id_token_hint: a.id_token,
			post_logout_redirect_uri: a.post_logout_redirect_uri,
			state: a.state,
		});
		return { url: url.href };
	},
};

const [step, arg] = process.argv.slice(2);
try {
	if (!(step in steps))
		throw new Error(`unknown step ${step}`);
	const out = await steps[step](JSON.parse(arg));
	process.stdout.write(JSON.stringify({ ok: true, ...out }) + '\n');
} catch (e) {
	process.stdout.write(JSON.stringify({
		ok: false, name: e.name, code: e.code, error: e.error,
		status: e.status, message: e.message,
		cause: e.cause instanceof Error ? e.cause.message : e.cause,
	}) + '\n');
}
