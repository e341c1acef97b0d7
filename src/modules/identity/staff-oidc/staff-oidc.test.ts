/**
 * Staff login through the authority's own OpenID provider, over real HTTP against a provider the
 * test starts: an existing member of the tenant gets in (with or without MFA asserted in `amr`),
 * unknown accounts and members of other tenants do not, and forged tokens are refused.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { forgetLastTotpStep, totpCodeFor } from '../../../../test/support/staff.ts';
import { BrowserClient, type Page } from '../../../../test/support/browser-client.ts';
import { startTestOpenIdProvider, type TestOpenIdProvider } from '../../../../test/support/test-openid-provider.ts';
import { saveTenantStaffOidc } from './staff-oidc.repository.ts';

let app: TestApp;
let base: string;
let op: TestOpenIdProvider;
const CLIENT = { id: 'portal-at-lk-coburg', secret: 'authority-client-secret-123456' };
const ADMIN = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

before(async () => {
  op = await startTestOpenIdProvider(CLIENT, {});
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  const tenant = await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'landkreis-coburg').executeTakeFirstOrThrow();
  await saveTenantStaffOidc(app.database.db, tenant.id, {
    issuer: op.issuer, clientId: CLIENT.id, clientSecretEnc: app.cipher.encrypt(CLIENT.secret), emailClaim: 'email', mfaAmrValues: 'mfa hwk', enabled: true,
  });
});
after(async () => {
  await app.dispose();
  await op.close();
});
beforeEach(() => { op.mode = 'ok'; });

async function logIn(browser: BrowserClient, claims: Record<string, unknown>, tenant = 'landkreis-coburg'): Promise<Page> {
  op.claims = { sub: 'x', ...claims };
  const login = await browser.get('/verwaltung/anmelden');
  const link = login.doc.querySelector('main a[href^="/verwaltung/anmelden/behoerde"]');
  assert.equal(link?.text, 'Mit Behörden-Login anmelden');
  const choose = await browser.get(link!.getAttribute('href')!);
  assert.equal(choose.status, 200);
  assert.ok(choose.doc.querySelector('input[name="tenant"][value="landkreis-coburg"]'));
  assert.equal(choose.doc.querySelector('input[name="tenant"][value="coburg"]'), null, 'only tenants with a provider');
  const toOp = await browser.submit(choose, 'main form', { tenant });
  if (toOp.status !== 303) return toOp;
  const back = await browser.get(toOp.location!);
  return browser.get(back.location!);
}

async function lastStaffAudit(action: string) {
  return app.database.db.selectFrom('audit_events').select(['details', 'actor_id', 'tenant_id']).where('action', '=', action).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

test('an existing member of the tenant logs in; MFA asserted in amr is recorded', async () => {
  const browser = new BrowserClient(base);
  const done = await logIn(browser, { email: ADMIN.toUpperCase(), amr: ['pwd', 'hwk'] });
  assert.equal(done.status, 303, done.body.slice(0, 400));
  assert.equal(done.location, '/verwaltung');
  const home = await browser.get('/verwaltung');
  assert.equal(home.status, 200);
  assert.match(home.doc.querySelector('main')!.text, /Landratsamt Coburg/);
  const audit = await lastStaffAudit('staff.login');
  assert.deepEqual(audit?.details, { method: 'oidc', mfaByIdp: true });
  // Without a second factor asserted by the authority, the portal's TOTP step follows.
  const single = new BrowserClient(base);
  const pwdOnly = await logIn(single, { email: ADMIN, amr: ['pwd'] });
  assert.equal(pwdOnly.status, 303);
  assert.equal(pwdOnly.location, '/verwaltung/anmelden/code');
  assert.equal((await single.get('/verwaltung')).status, 303, 'not logged in before the second factor');
  await forgetLastTotpStep(app, ADMIN);
  const codePage = await single.get('/verwaltung/anmelden/code');
  const done2 = await single.submit(codePage, 'main form[action="/verwaltung/anmelden/code"]', { code: await totpCodeFor(app, ADMIN) });
  assert.equal(done2.status, 303);
  assert.equal((await single.get('/verwaltung')).status, 200);
});

test('no self-registration: an unknown e-mail and a member of another tenant are refused', async () => {
  for (const email of ['neu@landkreis-coburg.example', 'sachbearbeitung@coburg.demo.digitales-amt.de']) {
    const browser = new BrowserClient(base);
    const page = await logIn(browser, { email });
    assert.equal(page.status, 403, page.body.slice(0, 300));
    assert.match(page.doc.querySelector('main')!.text, /kein Zugang zum Portal eingerichtet/);
    assert.equal((await browser.get('/verwaltung')).status, 303, 'not logged in');
    const audit = await lastStaffAudit('staff.login_failed');
    assert.deepEqual(audit?.details, { method: 'oidc', code: 'unknown_account', reason: 'unknown_account' });
    assert.doesNotMatch(JSON.stringify(audit), /@/, 'no e-mail address in the audit log');
  }
  const count = await app.database.db.selectFrom('staff_accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 5, 'no account was created');
});

test('forged, expired or wrongly addressed ID tokens and a wrong state are refused', async () => {
  for (const mode of ['forged', 'expired', 'audience', 'nonce'] as const) {
    op.mode = mode;
    const browser = new BrowserClient(base);
    const page = await logIn(browser, { email: ADMIN });
    assert.ok(page.status === 400, `${mode}: ${page.status}`);
    assert.equal((await browser.get('/verwaltung')).status, 303);
  }
  const browser = new BrowserClient(base);
  const wrongState = await browser.get('/verwaltung/anmelden/behoerde/rueckkehr?code=abc&state=nothing-we-sent');
  assert.equal(wrongState.status, 400);
});

test('an unknown tenant is a form error, and the return path stays inside the staff area', async () => {
  const browser = new BrowserClient(base);
  const choose = await browser.get('/verwaltung/anmelden/behoerde?weiter=//evil.example');
  assert.equal(choose.doc.querySelector('input[name="weiter"]')!.getAttribute('value'), '/verwaltung');
  const bad = await browser.submit(choose, 'main form', { tenant: 'coburg' });
  assert.equal(bad.status, 400);
  assert.match(bad.doc.querySelector('.error-summary')!.text, /Wählen Sie Ihre Behörde/);
});

async function staffPasswordLogin(email: string): Promise<BrowserClient> {
  const browser = new BrowserClient(base);
  const page = await browser.get('/verwaltung/anmelden');
  const password = await browser.submit(page, 'main form[action="/verwaltung/anmelden"]', { email, password: 'Demo-Amt-2026!' });
  assert.equal(password.location, '/verwaltung/anmelden/code', password.body.slice(0, 300));
  // The second factor: the demo account's TOTP code.
  await forgetLastTotpStep(app, email);
  const codePage = await browser.get('/verwaltung/anmelden/code');
  const done = await browser.submit(codePage, 'main form[action="/verwaltung/anmelden/code"]', { code: await totpCodeFor(app, email) });
  assert.equal(done.status, 303, done.body.slice(0, 300));
  return browser;
}

test('the tenant administrator keeps the settings; the secret is never shown; others get "not found"', async () => {
  const admin = await staffPasswordLogin(ADMIN);
  const page = await admin.get('/verwaltung/behoerden-login/landkreis-coburg');
  assert.equal(page.status, 200);
  assert.equal(page.doc.querySelector('#issuer')!.getAttribute('value'), op.issuer);
  assert.equal(page.doc.querySelector('#clientSecret')!.getAttribute('value'), '');
  assert.doesNotMatch(page.body, new RegExp(CLIENT.secret));
  const bad = await admin.submit(page, 'main form', { issuer: 'ftp://x', clientId: '', emailClaim: 'email', mfaAmrValues: 'mfa', enabled: 'ja' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.doc.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#issuer', '#clientId']);
  // An empty secret keeps the stored one; the login still works with it.
  const saved = await admin.submit(page, 'main form', { issuer: op.issuer, clientId: CLIENT.id, clientSecret: '', emailClaim: 'email', mfaAmrValues: 'mfa otp', enabled: 'ja' });
  assert.equal(saved.location, '/verwaltung/behoerden-login/landkreis-coburg?gespeichert=1');
  assert.equal((await logIn(new BrowserClient(base), { email: ADMIN, amr: ['otp'] })).status, 303);
  assert.deepEqual((await lastStaffAudit('staff.login'))?.details, { method: 'oidc', mfaByIdp: true });
  // Switched off: no longer offered.
  await admin.submit(page, 'main form', { issuer: op.issuer, clientId: CLIENT.id, emailClaim: 'email', mfaAmrValues: 'mfa otp', enabled: 'nein' });
  const choose = await new BrowserClient(base).get('/verwaltung/anmelden/behoerde');
  assert.equal(choose.doc.querySelector('input[name="tenant"]'), null);
  await admin.submit(page, 'main form', { issuer: op.issuer, clientId: CLIENT.id, emailClaim: 'email', mfaAmrValues: 'mfa hwk', enabled: 'ja' });

  const caseworker = await staffPasswordLogin('sachbearbeitung@coburg.demo.digitales-amt.de');
  assert.equal((await caseworker.get('/verwaltung/behoerden-login/landkreis-coburg')).status, 404, 'another tenant');
  assert.equal((await caseworker.get('/verwaltung/behoerden-login/coburg')).status, 404, 'not a tenant administrator');
  assert.equal((await new BrowserClient(base).get('/verwaltung/behoerden-login/landkreis-coburg')).status, 303, 'login first');
});
