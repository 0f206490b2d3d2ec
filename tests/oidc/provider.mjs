// A real OpenID provider for effekt's single sign-on tests: the certified `oidc-provider`, run with node.
//
// Started by the pytest fixture in tests/oidc/conftest.py:
//   PORT=…  CLIENTS='[{"client_id": …, "client_secret": …, "redirect_uris": […], …}]'  node provider.mjs
// It prints "listening <issuer>" once it serves requests.
//
// Sign-in uses oidc-provider's own login pages (any password is accepted; the login name is the account).
// Consent is granted by the provider itself, as an organisation's IdP does for its own services.
//
// Test-only endpoints (JSON bodies), to change the world between two sign-ins:
//   PUT /__test/accounts/<login>  {"name": …, "groups": […], "roles": […]}  an account's claims
//   PUT /__test/misbehave         {"mode": …}  how the next token responses go wrong, until set to null:
//       wrong-issuer    the ID token's iss is another provider's
//       wrong-audience  the ID token is meant for another client (aud)
//       expired         the ID token expired an hour ago
//       replay          the token response carries the ID token of the previous sign-in (its nonce)
//       bad-signature   the ID token is signed with a key that is not in the provider's JWKS
//   GET  /__test/sessions  how many sign-in sessions the provider holds (RP-initiated logout ends one)
// Misbehaving ID tokens are re-signed with the provider's real key (except bad-signature), so each one
// fails only on the check it is meant to test.

import { randomUUID } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS || '[]');

const kid = randomUUID();
const signing = await jose.generateKeyPair('RS256', { extractable: true });
const privateJwk = { ...(await jose.exportJWK(signing.privateKey)), kid, alg: 'RS256', use: 'sig' };
const stranger = await jose.generateKeyPair('RS256', { extractable: true });

const accounts = new Map();
let misbehaviour = null;
let previousIdToken = null;
const sessions = new Map();

class MemorySessions {
  // oidc-provider's adapter interface, for sessions only, so that the test can count them.
  constructor(name) { this.name = name; }
  async upsert(id, payload) { sessions.set(id, payload); }
  async find(id) { return sessions.get(id); }
  async findByUid(uid) { return [...sessions.values()].find((s) => s.uid === uid); }
  async destroy(id) { sessions.delete(id); }
  async consume() {}
  async revokeByGrantId() {}
  async findByUserCode() {}
}

const memory = new Map();
class MemoryAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload) { memory.set(this.key(id), payload); }
  async find(id) { return memory.get(this.key(id)); }
  async findByUid(uid) { return [...memory.values()].find((p) => p.uid === uid); }
  async findByUserCode(code) { return [...memory.values()].find((p) => p.userCode === code); }
  async destroy(id) { memory.delete(this.key(id)); }
  async consume(id) { const p = memory.get(this.key(id)); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async revokeByGrantId(grantId) {
    for (const [k, p] of memory) if (p.grantId === grantId) memory.delete(k);
  }
}

const provider = new Provider(issuer, {
  adapter: (name) => (name === 'Session' ? new MemorySessions(name) : new MemoryAdapter(name)),
  clients,
  jwks: { keys: [privateJwk] },
  cookies: { keys: ['only-for-the-tests'] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'groups', 'roles'],
    email: ['email'],
  },
  // Claims in the ID token, as Entra ID puts groups and roles there (the code flow would keep them for
  // the userinfo endpoint otherwise).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    grant.addOIDCClaims(['name', 'preferred_username', 'groups', 'roles', 'email']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, login) {
    return {
      accountId: login,
      async claims() {
        const account = accounts.get(login) || {};
        const claims = {
          sub: login,
          name: account.name ?? login,
          preferred_username: account.preferred_username ?? `${login}@region.example`,
          email: `${login}@region.example`,
          groups: account.groups ?? [],
        };
        if (account.roles) claims.roles = account.roles;
        return claims;
      },
    };
  },
});

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

async function resign(idToken, change, key = signing.privateKey) {
  const claims = change(jose.decodeJwt(idToken));
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

async function misbehave(idToken) {
  const now = Math.floor(Date.now() / 1000);
  switch (misbehaviour) {
    case 'wrong-issuer':
      return resign(idToken, (c) => ({ ...c, iss: 'https://idp.someone-else.example' }));
    case 'wrong-audience':
      return resign(idToken, (c) => ({ ...c, aud: 'another-service', azp: 'another-service' }));
    case 'expired':
      return resign(idToken, (c) => ({ ...c, iat: now - 7200, exp: now - 3600 }));
    case 'replay':
      return previousIdToken ?? idToken;
    case 'bad-signature':
      return resign(idToken, (c) => c, stranger.privateKey);
    default:
      return idToken;
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/__test/')) {
    if (ctx.method === 'PUT' && ctx.path.startsWith('/__test/accounts/')) {
      accounts.set(decodeURIComponent(ctx.path.slice('/__test/accounts/'.length)), await readJson(ctx));
      ctx.status = 204;
    } else if (ctx.method === 'PUT' && ctx.path === '/__test/misbehave') {
      misbehaviour = (await readJson(ctx)).mode ?? null;
      ctx.status = 204;
    } else if (ctx.method === 'GET' && ctx.path === '/__test/sessions') {
      ctx.body = { sessions: [...sessions.values()].filter((s) => s.accountId).length };
    } else {
      ctx.status = 404;
    }
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const issued = ctx.body.id_token;
    ctx.body = { ...ctx.body, id_token: await misbehave(issued) };
    if (!misbehaviour) previousIdToken = issued;
  }
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
