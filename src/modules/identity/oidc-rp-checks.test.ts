/**
 * The relying party's checks of the ID token, over real HTTP against an OpenID provider that this
 * test starts (node:http + jose) and that can be told to answer wrongly: another nonce, an expired
 * token, a token signed with a key not in its JWKS, another audience or issuer, an unknown acr.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { BrowserClient, type Page } from '../../../test/support/browser-client.ts';

type Mode = 'ok' | 'nonce' | 'expired' | 'forged' | 'audience' | 'issuer' | 'acr' | 'denied';

let app: TestApp;
let base: string;
let op: Server;
let issuer: string;
let mode: Mode = 'ok';
const CLIENT_ID = 'portal-test';
const CLIENT_SECRET = 'portal-test-secret-0123456789';
const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();

before(async () => {
  const good = await generateKeyPair('RS256');
  const evil = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(good.publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
  op = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'], token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('state', p.get('state')!);
      if (mode === 'denied') back.searchParams.set('error', 'access_denied');
      else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { nonce: p.get('nonce')!, challenge: p.get('code_challenge')!, redirectUri: p.get('redirect_uri')! });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      // RFC 6749 2.3.1: id and secret are form-urlencoded before Basic encoding.
      const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map((p) => decodeURIComponent(p)).join(':');
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifierOk = grant && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === grant.challenge;
      if (auth !== `${CLIENT_ID}:${CLIENT_SECRET}` || !grant || !verifierOk || form.get('redirect_uri') !== grant.redirectUri) {
        return json(400, { error: 'invalid_grant' });
      }
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        sub: 'person-1', bpk2: 'TESTBPK2-0001', given_name: 'Erika', family_name: 'Mustermann', birthdate: '1964-08-12',
        acr: mode === 'acr' ? 'urn:unknown' : 'STORK-QAA-Level-4', nonce: mode === 'nonce' ? 'another-nonce' : grant.nonce,
      };
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(mode === 'issuer' ? 'https://other-issuer.example' : issuer)
        .setAudience(mode === 'audience' ? 'another-client' : CLIENT_ID)
        .setIssuedAt(mode === 'expired' ? now - 3600 : now).setExpirationTime(mode === 'expired' ? now - 1800 : now + 300)
        .sign(mode === 'forged' ? evil.privateKey : good.privateKey);
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => op.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(op.address() as AddressInfo).port}`;
  app = await createTestApp({
    RATE_LIMIT_PER_MINUTE: '100000', OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, CITIZEN_LOGIN_METHODS: 'oidc',
  });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.dispose();
  op.close();
});
beforeEach(() => { mode = 'ok'; });

/** Runs the whole login against the test provider; returns the portal's answer to the callback. */
async function logIn(browser: BrowserClient): Promise<Page> {
  const login = await browser.get('/anmelden?niveau=hoch&weiter=/konto');
  assert.equal(login.doc.querySelector('form[action="/anmelden/bundid"]'), null, 'only OpenID Connect is offered');
  const toOp = await browser.submit(login, 'form[action="/anmelden/oidc"]');
  assert.equal(toOp.status, 303);
  const back = await browser.get(toOp.location!);
  assert.equal(back.status, 302);
  return browser.get(back.location!);
}

async function lastRefusal(): Promise<Record<string, unknown> | undefined> {
  const row = await app.database.db.selectFrom('audit_events').select('details').where('action', '=', 'citizen.login_failed')
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.details as Record<string, unknown> | undefined;
}

async function assertRefused(page: Page, browser: BrowserClient, status: number, code: string, reason: string, text: RegExp) {
  assert.equal(page.status, status, page.body.slice(0, 400));
  assert.equal(page.doc.querySelector('h1')?.text, 'Anmeldung nicht möglich');
  assert.match(page.doc.querySelector('main')!.text, text);
  assert.deepEqual(await lastRefusal(), { method: 'oidc', code, reason });
  assert.equal((await browser.get('/konto')).status, 303, 'not logged in');
}

const INVALID = /konnte nicht bestätigt werden/;

test('a correct answer logs in at level hoch', async () => {
  const browser = new BrowserClient(base);
  const done = await logIn(browser);
  assert.equal(done.status, 303, done.body.slice(0, 400));
  assert.equal(done.location, '/konto');
  const konto = await browser.get('/konto');
  assert.match(konto.doc.querySelector('main')!.text, /Erika Mustermann/);
  assert.match(konto.doc.querySelector('main')!.text, /„hoch“/);
});

test('an ID token with another nonce is refused', async () => {
  mode = 'nonce';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'nonce', INVALID);
});

test('an expired ID token is refused', async () => {
  mode = 'expired';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'expired', 'expired', /abgelaufen/);
});

test('an ID token signed with a key not in the provider\'s JWKS is refused', async () => {
  mode = 'forged';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'signature', INVALID);
});

test('an ID token for another audience is refused', async () => {
  mode = 'audience';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'audience', INVALID);
});

test('an ID token from another issuer is refused', async () => {
  mode = 'issuer';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'issuer', INVALID);
});

test('an unknown acr is refused', async () => {
  mode = 'acr';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'acr', INVALID);
});

test('an error answer from the provider (access denied) is refused as cancelled', async () => {
  mode = 'denied';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 401, 'cancelled', 'idp_error', /abgebrochen/);
});

test('the log has no personal data from refused or accepted logins', async () => {
  // The test app logs silently; the audit details are what the log line carries (method, code, reason).
  const rows = await app.database.db.selectFrom('audit_events').select('details').where('action', 'like', 'citizen.%').execute();
  assert.ok(rows.length > 0);
  assert.doesNotMatch(JSON.stringify(rows), /Erika|Mustermann|TESTBPK2|1964/);
});
