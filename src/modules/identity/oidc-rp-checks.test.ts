/**
 * The relying party's checks of the ID token, over real HTTP against an OpenID provider that this
 * test starts (node:http + jose) and that can be told to answer wrongly: another nonce, an expired
 * token, a token signed with a key not in its JWKS, another audience or issuer, an unknown acr.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { BrowserClient, type Page } from '../../../test/support/browser-client.ts';
import { startTestOpenIdProvider, type TestOpenIdProvider } from '../../../test/support/test-openid-provider.ts';

let app: TestApp;
let base: string;
let op: TestOpenIdProvider;
const CLIENT_ID = 'portal-test';
const CLIENT_SECRET = 'portal-test-secret-0123456789';

before(async () => {
  op = await startTestOpenIdProvider({ id: CLIENT_ID, secret: CLIENT_SECRET }, {
    sub: 'person-1', bpk2: 'TESTBPK2-0001', given_name: 'Erika', family_name: 'Mustermann', birthdate: '1964-08-12', acr: 'STORK-QAA-Level-4',
  });
  app = await createTestApp({
    RATE_LIMIT_PER_MINUTE: '100000', OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, CITIZEN_LOGIN_METHODS: 'oidc',
  });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.dispose();
  await op.close();
});
beforeEach(() => { op.mode = 'ok'; });

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
  op.mode = 'nonce';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'nonce', INVALID);
});

test('an expired ID token is refused', async () => {
  op.mode = 'expired';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'expired', 'expired', /abgelaufen/);
});

test('an ID token signed with a key not in the provider\'s JWKS is refused', async () => {
  op.mode = 'forged';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'signature', INVALID);
});

test('an ID token for another audience is refused', async () => {
  op.mode = 'audience';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'audience', INVALID);
});

test('an ID token from another issuer is refused', async () => {
  op.mode = 'issuer';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'issuer', INVALID);
});

test('an unknown acr is refused', async () => {
  op.mode = 'acr';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 400, 'invalid', 'acr', INVALID);
});

test('an error answer from the provider (access denied) is refused as cancelled', async () => {
  op.mode = 'denied';
  const browser = new BrowserClient(base);
  await assertRefused(await logIn(browser), browser, 401, 'cancelled', 'idp_error', /abgebrochen/);
});

test('the log has no personal data from refused or accepted logins', async () => {
  // The test app logs silently; the audit details are what the log line carries (method, code, reason).
  const rows = await app.database.db.selectFrom('audit_events').select('details').where('action', 'like', 'citizen.%').execute();
  assert.ok(rows.length > 0);
  assert.doesNotMatch(JSON.stringify(rows), /Erika|Mustermann|TESTBPK2|1964/);
});
