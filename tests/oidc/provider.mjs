// A real OpenID Connect provider for the tests, configured like ProConnect (numerique-gouv/proconnect-documentation,
// doc_fs/implementation_technique.md): discovery under /api/v2, authorization code flow, RS256, userinfo answered as
// a signed JWT (application/jwt), the claims given_name, usual_name, email, uid, siret, idp_id, and `amr` in the
// id_token when the service asks for it with the `claims` parameter. Logout through end_session_endpoint.
//
// Started by tests/oidc/conftest.py on a loopback port:
//   node tests/oidc/provider.mjs <port> <config.json>
// config.json: {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//               "accounts": {"<id>": {email, given_name, usual_name, uid, siret, idp_id, amr: ["pwd"|"mfa", ...]}}}
//
// The sign-in page of this provider is a small form (`login` = an account id of config.json): the test or the
// browser types the account to sign in as; the account's `amr` says whether it "used" a multi-factor method.
// Testing aids (not part of ProConnect):
// - a client whose id ends in "-code-1s" gets authorization codes that expire after 1 second (expired code test);
// - a client whose id ends in "-rogue-userinfo" gets a userinfo JWT signed by a key the provider does not publish
//   (as an attacker between the service and the provider would), with the published key's `kid`.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt } from 'jose';
import Provider, { errors } from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const ISSUER = `http://127.0.0.1:${port}/api/v2`;
const PREFIX = '/api/v2';

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: 'srefop-test-rs256', alg: 'RS256', use: 'sig' };
const rogue = (await generateKeyPair('RS256', { extractable: true })).privateKey;

const CLAIMS = ['given_name', 'usual_name', 'email', 'uid', 'siret', 'idp_id'];

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(ISSUER, {
  clients: config.clients.map((c) => ({
    ...c,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
  })),
  jwks: { keys: [signingJwk] },
  // ProConnect: one scope per claim.
  claims: Object.fromEntries([['openid', ['sub']], ['amr', null], ...CLAIMS.map((c) => [c, [c]])]),
  scopes: ['openid', ...CLAIMS],
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // ProConnect ends the session without a confirmation page.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion</title></head>
<body><main><h1>Déconnexion du fournisseur de test</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button></main></body></html>`;
      },
    },
  },
  pkce: { required: () => false },
  ttl: {
    AuthorizationCode: (ctx, token, client) => (client.clientId.endsWith('-code-1s') ? 1 : 30),
    AccessToken: 60,
    IdToken: 3600,
    Session: 12 * 3600,
    Grant: 12 * 3600,
    Interaction: 600,
  },
  findAccount: async (ctx, id) => {
    const account = config.accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, ...Object.fromEntries(CLAIMS.map((c) => [c, account[c]])) }),
    };
  },
  interactions: { url: (ctx, interaction) => `${PREFIX}/interaction/${interaction.uid}` },
  cookies: { keys: ['srefop-test-provider-cookie-key'] },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur</title></head>
<body><main><h1>Erreur du fournisseur de test</h1><pre>${escape(JSON.stringify(out))}</pre></main></body></html>`;
  },
});
provider.proxy = false;

// Userinfo signed by a key the provider does not publish, for the "-rogue-userinfo" client.
provider.use(async (ctx, next) => {
  await next();
  const client = ctx.oidc?.client;
  if (ctx.oidc?.route === 'userinfo' && client?.clientId.endsWith('-rogue-userinfo') && ctx.status === 200) {
    const payload = decodeJwt(String(ctx.body));
    ctx.body = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid, typ: 'JWT' })
      .sign(rogue);
  }
});

const page = (title, body) => `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title>
</head><body><main><h1>${title}</h1>${body}</main></body></html>`;

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

// The sign-in step: one form asking which test account signs in; then the grant is given at once (ProConnect asks
// no consent), with every scope and claim the service asked for.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params } = details;
  if (req.method === 'GET') {
    const error = details.lastSubmission?.error ? `<p role="alert">${escape(details.lastSubmission.error)}</p>` : '';
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(page('Fournisseur d’identité de test', `${error}
<form method="post" action="${PREFIX}/interaction/${uid}">
<label for="login">Identifiant du compte de test</label> <input id="login" name="login" autofocus>
<button type="submit">Se connecter</button></form>
<form method="post" action="${PREFIX}/interaction/${uid}/abort"><button type="submit">Refuser</button></form>`));
    return;
  }
  if (req.url.endsWith('/abort')) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'Connexion refusée par l’utilisateur',
    }, { mergeWithLastSubmission: false });
    return;
  }
  const form = await readForm(req);
  const accountId = form.get('login') || '';
  const account = config.accounts[accountId];
  if (!account) {
    res.statusCode = 400;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(page('Compte inconnu', `<p>Aucun compte de test « ${escape(accountId)} ».</p>`));
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope));
  const missing = prompt.details?.missingOIDCClaims || [];
  if (missing.length) grant.addOIDCClaims(missing);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId, amr: account.amr || ['pwd'] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    if (!req.url.startsWith(PREFIX)) {
      res.statusCode = req.url === '/favicon.ico' ? 204 : 404; // browsers ask for it on the sign-in page
      res.end('not found');
      return;
    }
    if (req.url.startsWith(`${PREFIX}/interaction/`)) {
      await interaction(req, res);
      return;
    }
    req.originalUrl = req.url;
    req.url = req.url.slice(PREFIX.length) || '/';
    callback(req, res);
  } catch (err) {
    if (!res.headersSent) {
      res.statusCode = err instanceof errors.OIDCProviderError ? err.statusCode : 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    }
    res.end(String(err && err.message));
  }
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${ISSUER}\n`);
});
