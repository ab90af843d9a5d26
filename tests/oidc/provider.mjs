// A real OpenID Connect provider for the tests: panva's oidc-provider on 127.0.0.1.
//
// Reads its configuration as JSON on argv[2]:
//   {"client_id", "client_secret", "redirect_uris": [...],
//    "post_logout_redirect_uris": [...] (optional),
//    "accounts": {"<login>": {"email": ..., "name": ..., "email_verified": true}},
//    "id_token_ttl": seconds (optional),
//    "rp_initiated_logout": false to offer no end_session_endpoint (optional)}
// listens on a free port and prints one JSON line {"issuer": "http://127.0.0.1:PORT"}
// once it serves. People sign in through its development login and consent forms
// (devInteractions): the login name picks the account, any password is accepted;
// a login name not in "accounts" is refused by findAccount.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = config.accounts ?? {};

// A signing key of its own each run: nothing secret is committed.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.client_id,
        client_secret: config.client_secret,
        redirect_uris: config.redirect_uris,
        post_logout_redirect_uris: config.post_logout_redirect_uris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['flscreen-tests-only-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    pkce: { required: () => true },
    ttl: { IdToken: config.id_token_ttl ?? 3600 },
    features: {
      devInteractions: { enabled: true },
      // OpenID Connect RP-Initiated Logout 1.0: end_session_endpoint in discovery.
      rpInitiatedLogout: { enabled: config.rp_initiated_logout ?? true },
    },
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, preferred_username: id, email_verified: true, ...account };
        },
      };
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('provider error:', err));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
