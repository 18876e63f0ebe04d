#!/usr/bin/env node
// pse-portal-idp: a real OpenID provider (oidc-provider) for the tests and the demo of
// pse-portal, standing in for the government's identity provider.
//
//   node idp.mjs --config <file.json>
//
// Authorization code flow only, PKCE (S256) required, client_secret_basic at the token
// endpoint, ID tokens signed RS256 with a key made at start. Its own login page (French, no
// JavaScript); consent is granted automatically because every configured client is ours.
// Everything is kept in memory: a restart forgets sessions, codes, tokens and the signing key.
//
// Once listening it prints exactly one JSON line on stdout:
//   {"msg":"listening","port":N,"issuer":"https://HOST:N"}
// and logs everything else, as JSON lines, on stderr.
// Exit status: 0 after SIGTERM/SIGINT, 2 for a bad command line or configuration, 1 otherwise.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';

// oidc-provider prints its notices with console.info, which writes to stdout: stdout must carry
// nothing but the listening line, so every console method writes to stderr.
for (const method of ['log', 'info', 'debug']) {
  console[method] = (...args) => console.error(...args);
}

const { default: Provider, errors: oidcErrors } = await import('oidc-provider');

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

class ConfigError extends Error {}

function log(level, msg, fields = {}) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}

function fail(code, message) {
  log('error', message);
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Command line and configuration

const USAGE = 'usage: node idp.mjs --config <file.json>';

function parseArgs(argv) {
  let config;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg === '--config') {
      if (i + 1 >= argv.length) throw new ConfigError(`--config needs a file (${USAGE})`);
      config = argv[i + 1];
      i += 1;
    } else if (arg.startsWith('--config=')) {
      config = arg.slice('--config='.length);
    } else {
      throw new ConfigError(`unknown argument '${arg}' (${USAGE})`);
    }
  }
  if (!config) throw new ConfigError(`--config is required (${USAGE})`);
  return { config };
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Checks that `value` is an object with exactly the keys allowed: every required key present,
// no key outside required + optional (a misspelt key is an error, not a silent default).
function checkKeys(value, where, required, optional = []) {
  if (!isObject(value)) throw new ConfigError(`${where} must be a JSON object`);
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new ConfigError(`${where}: unknown key '${key}' (allowed: ${[...required, ...optional].join(', ')})`);
    }
  }
  for (const key of required) {
    if (!(key in value)) throw new ConfigError(`${where}: missing key '${key}'`);
  }
}

function checkString(value, where, { max = 1024, pattern, patternText } = {}) {
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`${where} must be a non-empty string`);
  if (value.length > max) throw new ConfigError(`${where} is longer than ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ConfigError(`${where} contains a control character`);
  if (pattern && !pattern.test(value)) throw new ConfigError(`${where} must be ${patternText}`);
  return value;
}

function checkUrlList(value, where, { required }) {
  if (!Array.isArray(value)) throw new ConfigError(`${where} must be an array of URLs`);
  if (required && value.length === 0) throw new ConfigError(`${where} must hold at least one URL`);
  value.forEach((uri, i) => {
    checkString(uri, `${where}[${i}]`, { max: 2048 });
    let url;
    try {
      url = new URL(uri);
    } catch {
      throw new ConfigError(`${where}[${i}] is not an absolute URL: '${uri}'`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(`${where}[${i}] must be an http(s) URL: '${uri}'`);
    }
    if (url.hash) throw new ConfigError(`${where}[${i}] must not have a fragment: '${uri}'`);
  });
  return [...value];
}

function readPem(file, where, marker) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where}: cannot read ${file}: ${err.message}`);
  }
  if (!marker.test(text)) throw new ConfigError(`${where}: ${file} is not a PEM file of the expected kind`);
  return text;
}

function loadConfig(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the configuration ${file}: ${err.message}`);
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`the configuration ${file} is not valid JSON: ${err.message}`);
  }
  checkKeys(config, 'configuration', ['host', 'port', 'certificate', 'key', 'clients', 'accounts']);

  const host = checkString(config.host, 'host', {
    max: 253, pattern: /^[A-Za-z0-9.:-]+$/, patternText: 'a host name or an IP address',
  });
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new ConfigError('port must be an integer from 0 to 65535 (0: any free port)');
  }
  const base = path.dirname(path.resolve(file));
  const certificateFile = path.resolve(base, checkString(config.certificate, 'certificate'));
  const keyFile = path.resolve(base, checkString(config.key, 'key'));
  const certificate = readPem(certificateFile, 'certificate', /-----BEGIN CERTIFICATE-----/);
  const key = readPem(keyFile, 'key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/);

  if (!Array.isArray(config.clients) || config.clients.length === 0) {
    throw new ConfigError('clients must be a non-empty array');
  }
  const clientIds = new Set();
  const clients = config.clients.map((client, i) => {
    const where = `clients[${i}]`;
    checkKeys(client, where, ['client_id', 'client_secret', 'redirect_uris'], ['post_logout_redirect_uris']);
    const clientId = checkString(client.client_id, `${where}.client_id`, {
      max: 128, pattern: /^[A-Za-z0-9._~-]+$/, patternText: 'letters, digits and . _ ~ -',
    });
    if (clientIds.has(clientId)) throw new ConfigError(`${where}.client_id '${clientId}' is used twice`);
    clientIds.add(clientId);
    return {
      client_id: clientId,
      client_secret: checkString(client.client_secret, `${where}.client_secret`, { max: 512 }),
      redirect_uris: checkUrlList(client.redirect_uris, `${where}.redirect_uris`, { required: true }),
      post_logout_redirect_uris: checkUrlList(client.post_logout_redirect_uris ?? [],
        `${where}.post_logout_redirect_uris`, { required: false }),
    };
  });

  if (!Array.isArray(config.accounts) || config.accounts.length === 0) {
    throw new ConfigError('accounts must be a non-empty array');
  }
  const logins = new Set();
  const subjects = new Set();
  const accounts = config.accounts.map((account, i) => {
    const where = `accounts[${i}]`;
    checkKeys(account, where, ['login', 'password', 'subject', 'name', 'email']);
    const login = checkString(account.login, `${where}.login`, { max: 128 });
    // The subject becomes the ID token's sub: OpenID Connect caps sub at 255 ASCII characters.
    const subject = checkString(account.subject, `${where}.subject`, {
      max: 255, pattern: /^[\x21-\x7e]+$/, patternText: 'printable ASCII without spaces',
    });
    if (logins.has(login)) throw new ConfigError(`${where}.login '${login}' is used twice`);
    if (subjects.has(subject)) throw new ConfigError(`${where}.subject '${subject}' is used twice`);
    logins.add(login);
    subjects.add(subject);
    const email = checkString(account.email, `${where}.email`, {
      max: 254, pattern: /^[^\s@]+@[^\s@]+$/, patternText: 'an e-mail address',
    });
    return {
      login,
      password: checkString(account.password, `${where}.password`, { max: 1024 }),
      subject,
      name: checkString(account.name, `${where}.name`, { max: 256 }),
      email,
    };
  });

  return { host, port: config.port, certificate, key, clients, accounts };
}

// ---------------------------------------------------------------------------------------------
// Accounts

// Compares two secrets in time independent of where they differ (hashing first gives
// timingSafeEqual the equal lengths it needs).
function sameSecret(given, expected) {
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}

function makeAccounts(list) {
  const byLogin = new Map(list.map((account) => [account.login, account]));
  const bySubject = new Map(list.map((account) => [account.subject, account]));
  // An unknown login is still compared against something, so that it costs the same time as a
  // known login with a wrong password.
  const decoy = crypto.randomBytes(32).toString('base64');
  return {
    authenticate(login, password) {
      const account = byLogin.get(login);
      const ok = sameSecret(password, account ? account.password : decoy);
      return account && ok ? account : undefined;
    },
    // The account id, and so the ID token's sub, is the account's subject: stable, and unrelated
    // to the login name the person types.
    async findAccount(ctx, id) {
      const account = bySubject.get(id);
      if (!account) return undefined;
      return {
        accountId: account.subject,
        // The provider keeps only the claims the granted scopes release.
        async claims() {
          return {
            sub: account.subject,
            name: account.name,
            email: account.email,
            pse_subject: account.subject,
          };
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Storage: the provider's models (sessions, interactions, codes, tokens, grants) in memory.

function memoryAdapter() {
  const records = new Map(); // key -> { payload, expiresAt (ms) }
  const now = () => Date.now();

  function get(key) {
    const record = records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= now()) {
      records.delete(key);
      return undefined;
    }
    return record;
  }

  // Expired records are also dropped by a periodic sweep, so that an idle process stays small.
  setInterval(() => {
    const t = now();
    for (const [key, record] of records) if (record.expiresAt <= t) records.delete(key);
  }, 60_000).unref();

  const grantIndex = new Map(); // grantId -> Set of keys

  return class MemoryAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const expiresAt = expiresIn ? now() + expiresIn * 1000 : Number.MAX_SAFE_INTEGER;
      // A copy: the provider must not change a stored record by changing the object it saved.
      records.set(key, { payload: structuredClone(payload), expiresAt });
      if (this.model === 'Session' && payload.uid) {
        records.set(`SessionUid:${payload.uid}`, { payload: id, expiresAt });
      }
      if (payload.userCode) {
        records.set(`UserCode:${payload.userCode}`, { payload: id, expiresAt });
      }
      if (payload.grantId) {
        if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
        grantIndex.get(payload.grantId).add(key);
      }
    }

    async find(id) {
      const record = get(this.key(id));
      return record ? structuredClone(record.payload) : undefined;
    }

    async findByUid(uid) {
      const record = get(`SessionUid:${uid}`);
      return record ? this.find(record.payload) : undefined;
    }

    async findByUserCode(userCode) {
      const record = get(`UserCode:${userCode}`);
      return record ? this.find(record.payload) : undefined;
    }

    async consume(id) {
      const record = get(this.key(id));
      if (record) record.payload.consumed = Math.floor(now() / 1000);
    }

    async destroy(id) {
      records.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      const keys = grantIndex.get(grantId);
      if (!keys) return;
      for (const key of keys) records.delete(key);
      grantIndex.delete(grantId);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Pages: the login form, errors, logout. French, no JavaScript, a strict Content-Security-Policy.
// No form-action directive: after the form is posted the browser follows redirects to the
// client's redirect_uri on another origin, which form-action would block.

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1b1b1b; line-height: 1.5; }
header { background: #095797; color: #fff; padding: 0.75rem 1.5rem; font-weight: bold; }
main { max-width: 28rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border: 1px solid #c5cad2; }
h1 { font-size: 1.5rem; margin-top: 0; }
label { display: block; font-weight: bold; margin-top: 1rem; }
input { display: block; width: 100%; box-sizing: border-box; font-size: 1rem; padding: 0.5rem; border: 1px solid #6b778a; margin-top: 0.25rem; }
input:focus, button:focus, a:focus { outline: 3px solid #4a98d9; outline-offset: 2px; }
button { margin-top: 1.5rem; font-size: 1rem; padding: 0.6rem 1.2rem; background: #095797; color: #fff; border: 0; cursor: pointer; }
button.secondary { background: #fff; color: #095797; border: 2px solid #095797; margin-left: 0.5rem; }
.error { border-left: 4px solid #cb381f; background: #ffdbd6; padding: 0.5rem 1rem; }
.cancel { display: inline-block; margin-top: 1rem; color: #095797; }
`;

function html(text) {
  return String(text)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function setPageHeaders(ctx) {
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'text/html; charset=utf-8';
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)} – Service d'identification (essai)</title>
<link rel="stylesheet" href="/idp.css">
</head>
<body>
<header>Service d'identification (essai)</header>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage(uid, clientName, { error, login = '' } = {}) {
  const describedBy = error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  // The title says there is an error: it is the first thing a screen reader reads of the page.
  return page(error ? 'Erreur – Connexion' : 'Connexion', `<h1>Connexion</h1>
<p>Connectez-vous pour accéder à ${html(clientName)}.</p>
${error ? `<p class="error" id="login-error" role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}/login">
<label for="login">Identifiant</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${html(login)}"${describedBy}>
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}>
<button id="sign-in" type="submit">Se connecter</button>
</form>
<p><a class="cancel" id="cancel" href="/interaction/${html(uid)}/abort">Annuler et revenir au service</a></p>`);
}

function errorPage(title, message) {
  return page(title, `<h1>${html(title)}</h1>
<p>${html(message)}</p>`);
}

async function renderError(ctx, out) {
  setPageHeaders(ctx);
  const description = out.error_description ? ` (${out.error_description})` : '';
  ctx.body = errorPage('Erreur', `La demande n'a pas pu être traitée : ${out.error}${description}.`);
}

async function logoutSource(ctx, form) {
  setPageHeaders(ctx);
  ctx.body = page('Déconnexion', `<h1>Déconnexion</h1>
<p>Voulez-vous vous déconnecter du service d'identification?</p>
${form}
<button id="logout-yes" type="submit" form="op.logoutForm" name="logout" value="yes">Oui, me déconnecter</button>
<button id="logout-no" class="secondary" type="submit" form="op.logoutForm">Non, rester connecté</button>`);
}

async function postLogoutSuccessSource(ctx) {
  setPageHeaders(ctx);
  ctx.body = page('Déconnecté', `<h1>Vous êtes déconnecté</h1>
<p>Vous pouvez fermer cette page.</p>`);
}

// ---------------------------------------------------------------------------------------------
// Interactions: the login form and the automatic consent.

const MAX_FORM_BYTES = 8 * 1024;

async function readForm(ctx) {
  const type = (ctx.get('content-type') || '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    const err = new Error('the form must be sent as application/x-www-form-urlencoded');
    err.status = 415;
    throw err;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) {
      const err = new Error(`the form is larger than ${MAX_FORM_BYTES} bytes`);
      err.status = 413;
      throw err;
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function interactionRoutes(provider, accounts) {
  const UID = '([A-Za-z0-9_-]{1,64})';
  const showRoute = new RegExp(`^/interaction/${UID}$`);
  const loginRoute = new RegExp(`^/interaction/${UID}/login$`);
  const abortRoute = new RegExp(`^/interaction/${UID}/abort$`);

  function sendPage(ctx, status, body) {
    setPageHeaders(ctx);
    ctx.status = status;
    ctx.body = body;
  }

  // The interaction the browser's cookie names, checked against the one in the URL.
  async function interactionFor(ctx, uid) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) {
      throw new oidcErrors.SessionNotFound('the interaction in the URL is not the one of this browser');
    }
    return details;
  }

  async function clientName(clientId) {
    const client = await provider.Client.find(clientId);
    return client?.clientName || clientId;
  }

  async function grantConsent(ctx, details) {
    const { prompt, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (!grant) throw new oidcErrors.SessionNotFound('the grant of this interaction has expired');
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    log('info', 'consent granted', { client_id: params.client_id, sub: session.accountId, scope: grant.getOIDCScope() });
    const consent = details.grantId ? {} : { grantId };
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, { consent }, { mergeWithLastSubmission: true });
  }

  return async function routes(ctx, next) {
    if (ctx.path === '/idp.css' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'text/css; charset=utf-8';
      ctx.body = STYLESHEET;
      return;
    }
    const show = showRoute.exec(ctx.path);
    const login = loginRoute.exec(ctx.path);
    const abort = abortRoute.exec(ctx.path);
    if (!show && !login && !abort && !ctx.path.startsWith('/interaction/')) {
      await next();
      return;
    }
    try {
      if (show && ctx.method === 'GET') {
        const details = await interactionFor(ctx, show[1]);
        if (details.prompt.name === 'login') {
          sendPage(ctx, 200, loginPage(details.uid, await clientName(details.params.client_id)));
        } else if (details.prompt.name === 'consent') {
          // Every configured client is a first-party one: consent is implied.
          await grantConsent(ctx, details);
        } else {
          sendPage(ctx, 400, errorPage('Erreur', `Étape d'identification non prise en charge : ${details.prompt.name}.`));
        }
      } else if (login && ctx.method === 'POST') {
        const details = await interactionFor(ctx, login[1]);
        if (details.prompt.name !== 'login') {
          sendPage(ctx, 400, errorPage('Erreur', 'Cette demande de connexion est déjà traitée; recommencez depuis le service.'));
          return;
        }
        const form = await readForm(ctx);
        const name = form.get('login') ?? '';
        const password = form.get('password') ?? '';
        const client = await clientName(details.params.client_id);
        if (!name || !password || name.length > 256 || password.length > 1024) {
          sendPage(ctx, 400, loginPage(details.uid, client, {
            error: 'Entrez votre identifiant et votre mot de passe.', login: name.slice(0, 256),
          }));
          return;
        }
        const account = accounts.authenticate(name, password);
        if (!account) {
          log('info', 'sign-in refused', { client_id: details.params.client_id });
          sendPage(ctx, 401, loginPage(details.uid, client, {
            error: 'Identifiant ou mot de passe incorrect.', login: name,
          }));
          return;
        }
        log('info', 'signed in', { client_id: details.params.client_id, sub: account.subject });
        ctx.respond = false;
        await provider.interactionFinished(ctx.req, ctx.res, {
          login: { accountId: account.subject, amr: ['pwd'] },
        }, { mergeWithLastSubmission: false });
      } else if (abort && ctx.method === 'GET') {
        await interactionFor(ctx, abort[1]);
        ctx.respond = false;
        await provider.interactionFinished(ctx.req, ctx.res, {
          error: 'access_denied', error_description: 'the person cancelled the sign-in',
        }, { mergeWithLastSubmission: false });
      } else if (show || login || abort) {
        ctx.set('Allow', login ? 'POST' : 'GET');
        sendPage(ctx, 405, errorPage('Erreur', 'Méthode non permise.'));
      } else {
        sendPage(ctx, 404, errorPage('Page introuvable', "Cette page n'existe pas."));
      }
    } catch (err) {
      ctx.respond = true;
      if (err instanceof oidcErrors.SessionNotFound) {
        sendPage(ctx, 400, errorPage('Session expirée',
          'Votre demande de connexion a expiré ou a été ouverte dans un autre navigateur. Recommencez depuis le service.'));
      } else if (err.status === 413 || err.status === 415) {
        sendPage(ctx, err.status, errorPage('Erreur', `Formulaire refusé : ${err.message}.`));
      } else {
        log('error', 'interaction failed', { path: ctx.path, error: err.stack || String(err) });
        sendPage(ctx, 500, errorPage('Erreur', 'Une erreur interne est survenue.'));
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The provider

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // kid: the RFC 7638 thumbprint of the public key.
  const thumbprint = crypto.createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
  return { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' };
}

function issuerFor(host, port) {
  return host.includes(':') ? `https://[${host}]:${port}` : `https://${host}:${port}`;
}

function makeProvider(issuer, config, accounts) {
  const minute = 60;
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: config.clients.map((client) => ({
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      // auth_time in every ID token, so the portal can tell how fresh the sign-in is.
      require_auth_time: true,
    })),
    clientAuthMethods: ['client_secret_basic'],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    jwks: { keys: [signingKey()] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    scopes: ['openid', 'profile', 'email', 'pse'],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email'],
      pse: ['pse_subject'],
    },
    // Scope-released claims go in the ID token too, not only at the userinfo endpoint: the
    // portal reads who the person is from the ID token alone.
    conformIdTokenClaims: false,
    findAccount: accounts.findAccount,
    cookies: {
      // Cookies ignore ports: these names must not collide with the portal's own cookies when
      // both run on 127.0.0.1.
      names: { session: 'pse_idp_session', interaction: 'pse_idp_interaction', resume: 'pse_idp_resume' },
      keys: [crypto.randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      userinfo: { enabled: true },
      revocation: { enabled: false },
      introspection: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    // No browser-side client: nothing may read the provider's endpoints across origins.
    clientBasedCORS: () => false,
    renderError,
    ttl: {
      AccessToken: 10 * minute,
      AuthorizationCode: minute,
      IdToken: 10 * minute,
      Interaction: 10 * minute,
      Session: 60 * minute,
      Grant: 60 * minute,
    },
  });

  provider.use(interactionRoutes(provider, accounts));

  for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error',
    'discovery.error', 'jwks.error']) {
    provider.on(event, (ctx, err) => {
      log('warn', event, {
        error: err.error || err.name, description: err.error_description || err.message, detail: err.error_detail,
      });
    });
  }
  provider.on('server_error', (ctx, err) => log('error', 'server_error', { error: err.stack || String(err) }));
  provider.on('grant.success', (ctx) => log('info', 'tokens issued', { client_id: ctx.oidc.client?.clientId }));
  provider.on('end_session.success', (ctx) => log('info', 'signed out', { client_id: ctx.oidc.client?.clientId }));
  provider.app.on('error', (err) => log('error', 'request failed', { error: err.stack || String(err) }));
  return provider;
}

// ---------------------------------------------------------------------------------------------
// Start

async function main() {
  let config;
  let accounts;
  try {
    const args = parseArgs(process.argv.slice(2));
    config = loadConfig(args.config);
    accounts = makeAccounts(config.accounts);
  } catch (err) {
    if (err instanceof ConfigError) fail(EXIT_USAGE, err.message);
    throw err;
  }

  let handler = (req, res) => {
    res.statusCode = 503;
    res.end('starting\n');
  };
  let server;
  try {
    server = https.createServer({
      cert: config.certificate,
      key: config.key,
      minVersion: 'TLSv1.2',
    }, (req, res) => handler(req, res));
  } catch (err) {
    fail(EXIT_USAGE, `certificate/key: cannot use them for TLS: ${err.message}`);
  }
  server.on('tlsClientError', () => {}); // a client that fails the handshake is its own problem

  // With port 0 the port is known only once bound, and the issuer must name it: bind first.
  await new Promise((resolve) => {
    server.once('error', (err) => fail(EXIT_FAILURE, `cannot listen on ${config.host}:${config.port}: ${err.message}`));
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address();
  const issuer = issuerFor(config.host, port);

  let provider;
  try {
    provider = makeProvider(issuer, config, accounts);
    // Static clients are checked on first use: check them all now, so a bad one fails at start.
    for (const client of config.clients) await provider.Client.find(client.client_id);
  } catch (err) {
    server.close();
    const detail = err.error_description || err.message;
    fail(EXIT_USAGE, `the provider refused the configuration: ${detail}`);
  }
  handler = provider.callback();

  const stop = (signal) => {
    log('info', 'stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, issuer })}\n`);
}

main().catch((err) => fail(EXIT_FAILURE, `unexpected failure: ${err.stack || err}`));
