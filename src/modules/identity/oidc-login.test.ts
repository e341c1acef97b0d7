/**
 * Citizen login through OpenID Connect over real HTTP against the demo OpenID provider
 * (oidc-provider) that the app under test serves: the portal redirects, the provider shows the
 * person picker, the portal redeems the code and checks the ID token.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { BrowserClient, type Page } from '../../../test/support/browser-client.ts';

let app: TestApp;
let base: string;

before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.dispose();
});

/** From /anmelden up to the provider's person picker. */
async function toPicker(browser: BrowserClient, query = '?niveau=substantiell&weiter=/konto') {
  const login = await browser.get(`/anmelden${query}`);
  assert.equal(login.status, 200);
  const redirect = await browser.submit(login, 'form[action="/anmelden/oidc"]');
  assert.equal(redirect.status, 303, redirect.body.slice(0, 300));
  const authorize = new URL(redirect.location!);
  const picker = await browser.follow(redirect);
  assert.equal(picker.status, 200, picker.body.slice(0, 500));
  return { authorize, picker };
}

/** Picks a person and level; returns the provider's redirect to the callback (not yet followed). */
async function pick(browser: BrowserClient, picker: Page, person: string, level: string): Promise<Page> {
  let page = await browser.submit(picker, 'main form', { person, level });
  // Through the provider's resume endpoint up to the redirect to our callback.
  while (page.status === 303 && page.location && !new URL(page.location, page.url).pathname.startsWith('/oidc/callback')) {
    page = await browser.get(new URL(page.location, page.url).href);
  }
  assert.equal(page.status, 303, page.body.slice(0, 400));
  return page;
}

async function lastRefusalReason(): Promise<string | undefined> {
  const row = await app.database.db.selectFrom('audit_events').select('details').where('action', '=', 'citizen.login_failed')
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
  return (row?.details as { reason?: string } | undefined)?.reason;
}

function assertRefused(page: Page, status: number, text: RegExp) {
  assert.equal(page.status, status, page.body.slice(0, 400));
  assert.equal(page.doc.querySelector('h1')?.text, 'Anmeldung nicht möglich');
  assert.match(page.doc.querySelector('main')!.text, text);
}

test('Maria Neumann logs in through OpenID Connect at level substantiell (PKCE, state, nonce, acr)', async () => {
  const browser = new BrowserClient(base);
  const { authorize, picker } = await toPicker(browser);
  assert.equal(authorize.pathname, '/demo-idp/oidc/auth');
  const q = authorize.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((q.get('state') ?? '').length >= 32);
  assert.ok((q.get('nonce') ?? '').length >= 32);
  assert.equal(q.get('acr_values'), 'STORK-QAA-Level-3 STORK-QAA-Level-4');
  assert.equal(q.get('redirect_uri'), `${base}/oidc/callback`);
  assert.match(picker.doc.querySelector('.demo-idp-banner')!.text, /Testdienst/);
  assert.equal(picker.doc.querySelector('input[name="level"][checked]')!.getAttribute('value'), 'substantiell');

  const sessionBefore = browser.cookies.get('session');
  const callback = await pick(browser, picker, 'U01', 'substantiell');
  const done = await browser.get(callback.location!);
  assert.equal(done.status, 303, done.body.slice(0, 400));
  assert.equal(done.location, '/konto');
  assert.notEqual(browser.cookies.get('session'), sessionBefore, 'new session id at login');
  const konto = await browser.get('/konto');
  assert.equal(konto.status, 200);
  assert.match(konto.doc.querySelector('main')!.text, /Maria Neumann/);
  assert.match(konto.doc.querySelector('main')!.text, /Vertrauensniveau „substantiell“/);
  const audit = await app.database.db.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'citizen.login').execute();
  assert.ok(audit.some((a) => (a.details as { method?: string }).method === 'oidc'));
  assert.doesNotMatch(JSON.stringify(audit), /Neumann|Maria|BUNDIDSIM/);
});

test('a callback with a state this browser was not given is refused', async () => {
  const browser = new BrowserClient(base);
  const { picker } = await toPicker(browser);
  const callback = new URL((await pick(browser, picker, 'U01', 'substantiell')).location!);
  callback.searchParams.set('state', 'forged-state-value-forged-state-value');
  assertRefused(await browser.get(callback.href), 400, /konnte nicht bestätigt werden/);
  assert.equal(await lastRefusalReason(), 'state');
  assert.equal((await browser.get('/konto')).status, 303, 'not logged in');
  // Another browser cannot use the real callback either (login CSRF).
  const other = new BrowserClient(base);
  const real = await (async () => { const b = new BrowserClient(base); const { picker: p } = await toPicker(b); return (await pick(b, p, 'U02', 'substantiell')).location!; })();
  assertRefused(await other.get(real), 400, /konnte nicht bestätigt werden/);
});

test('a replayed callback and a replayed code are refused', async () => {
  const browser = new BrowserClient(base);
  const { picker } = await toPicker(browser);
  const callback = (await pick(browser, picker, 'U01', 'substantiell')).location!;
  assert.equal((await browser.get(callback)).status, 303);
  // The same callback again: its state was used.
  assertRefused(await browser.get(callback), 400, /konnte nicht bestätigt werden/);
  // The old code with a fresh state of this browser: the provider refuses the used code.
  const fresh = await toPicker(browser);
  const code = new URL(callback).searchParams.get('code')!;
  const replay = new URL(`${base}/oidc/callback`);
  replay.searchParams.set('code', code);
  replay.searchParams.set('state', fresh.authorize.searchParams.get('state')!);
  replay.searchParams.set('iss', `${base}/demo-idp/oidc`);
  assertRefused(await browser.get(replay.href), 400, /abgelaufen oder wurde schon verwendet/);
  assert.equal(await lastRefusalReason(), 'code_rejected');
});

test('a lower level than requested is refused with 401', async () => {
  const browser = new BrowserClient(base);
  const { picker } = await toPicker(browser, '?niveau=hoch&weiter=/konto');
  const callback = await pick(browser, picker, 'U02', 'niedrig');
  assertRefused(await browser.get(callback.location!), 401, /niedrigeren Vertrauensniveau/);
  assert.equal(await lastRefusalReason(), 'level_too_low');
});

test('the demo provider publishes discovery and keys', async () => {
  const res = await fetch(`${base}/demo-idp/oidc/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  const meta = await res.json() as Record<string, unknown>;
  assert.equal(meta.issuer, `${base}/demo-idp/oidc`);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(meta.acr_values_supported, ['STORK-QAA-Level-1', 'STORK-QAA-Level-3', 'STORK-QAA-Level-4']);
  const jwks = await (await fetch(String(meta.jwks_uri))).json() as { keys: { kty: string; d?: string }[] };
  assert.equal(jwks.keys[0]!.kty, 'RSA');
  assert.equal(jwks.keys[0]!.d, undefined, 'no private part');
});
