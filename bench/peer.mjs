// bench/peer.mjs: the peer of `make bench`, node oidc-provider 9.13.3,
// configured like the mutua client used for the same rows: one
// confidential client (client_secret_basic), ES256 ID tokens, PKCE S256,
// refresh tokens rotated on use, the same claims.
//
//   node peer.mjs PORT SECRET CALLBACK
//
// Storage is an unbounded in-memory Map (the bundled MemoryAdapter is an
// LRU of 1,000 entries, which would evict the codes minted below): the
// peer keeps no durable state, which only favours it.
//
// Codes: oidc-provider only issues codes after its own interactive login,
// so "mint N FILE" on stdin creates N grants and codes in-process through
// its public model classes and writes them to FILE (one per line); it
// answers "ok" on stdout. The measured rows are the HTTP endpoints.
import { createInterface } from 'node:readline';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, secret, callback] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const storage = new Map();
class MapAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload, expiresIn) {
    storage.set(this.key(id), payload);
    if (payload.grantId) {
      const g = `grant:${payload.grantId}`;
      const list = storage.get(g) || [];
      list.push(this.key(id));
      storage.set(g, list);
    }
    if (payload.userCode) storage.set(`userCode:${payload.userCode}`, id);
    if (payload.uid) storage.set(`uid:${payload.uid}`, id);
  }
  async find(id) { return storage.get(this.key(id)); }
  async findByUserCode(code) { return this.find(storage.get(`userCode:${code}`)); }
  async findByUid(uid) { return this.find(storage.get(`uid:${uid}`)); }
  async consume(id) {
    const p = storage.get(this.key(id));
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { storage.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    const g = `grant:${grantId}`;
    for (const k of storage.get(g) || []) storage.delete(k);
    storage.delete(g);
  }
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'jwk' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [{
    client_id: 'rp-basic',
    client_secret: secret,
    redirect_uris: [callback],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [{ ...ec, kid: 'es256-1', alg: 'ES256', use: 'sig' },
                 { ...rsa, kid: 'rs256-1', alg: 'RS256', use: 'sig' }] },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@example.org`,
      email_verified: true, name: 'Alice Example' }),
  }),
  claims: { openid: ['sub'], email: ['email', 'email_verified'],
    profile: ['name'] },
  pkce: { required: () => true },
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  ttl: { Grant: 3600, AuthorizationCode: 600, AccessToken: 3600,
    IdToken: 3600, RefreshToken: 86400 },
  features: { devInteractions: { enabled: false } },
});
provider.proxy = false;

const server = provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, n, file] = line.trim().split(/\s+/);
  if (cmd === 'quit') { server.close(); process.exit(0); }
  if (cmd !== 'mint') return;
  const client = await provider.Client.find('rp-basic');
  const challenge = process.env.BENCH_CHALLENGE;
  const out = [];
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < Number(n); i++) {
    const grant = new provider.Grant({ accountId: 'alice', clientId: 'rp-basic' });
    grant.addOIDCScope('openid email profile');
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      accountId: 'alice', grantId, client, authTime: now,
      scope: 'openid email profile', redirectUri: callback,
      codeChallenge: challenge, codeChallengeMethod: 'S256',
      nonce: 'n-1', acr: 'https://refeds.org/profile/mfa',
    });
    out.push(await code.save());
  }
  writeFileSync(file, out.join('\n') + '\n');
  process.stdout.write('ok\n');
});
