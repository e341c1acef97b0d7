/**
 * Citizen login over real HTTP: the app listens on a port, a cookie-keeping fetch client follows the
 * forms (portal -> demo identity provider -> assertion consumer) by parsing the HTML. Altered
 * responses are built with the demo identity provider's own signing code and key.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse, type HTMLElement } from 'node-html-parser';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { buildSignedResponse, type ResponseInput } from './demo-idp/build-response.ts';
import { DEMO_IDP_ENTITY_ID } from './demo-idp/demo-idp.ts';
import { findTestPerson } from './demo-idp/test-persons.ts';
import type { KeyMaterial } from './key-material.ts';

let app: TestApp;
let base: string;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'da-identity-test-'));
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', DATA_DIR: dataDir });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

interface Page { status: number; location: string | null; body: string; doc: HTMLElement }

/** A browser-like client over fetch: keeps cookies, does not follow redirects by itself. */
class Browser {
  readonly cookies = new Map<string, string>();

  private async request(url: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(url, base), { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const [name = '', ...value] = pair.split('=');
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    const body = await res.text();
    return { status: res.status, location: res.headers.get('location'), body, doc: parse(body) };
  }

  get(url: string): Promise<Page> {
    return this.request(url);
  }

  post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.request(url, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Submits a form of the page with its hidden fields (and the given ones). */
  submit(page: Page, selector: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = page.doc.querySelector(selector);
    assert.ok(form, `form ${selector} on the page:\n${page.body.slice(0, 500)}`);
    const hidden: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
    return this.post(form.getAttribute('action') ?? '', { ...hidden, ...fields });
  }
}

/** Runs the login up to the demo identity provider's choice page. */
async function startLogin(browser: Browser, query = '?niveau=substantiell&weiter=/konto') {
  const login = await browser.get(`/anmelden${query}`);
  assert.equal(login.status, 200);
  const toIdp = await browser.submit(login, 'form[action="/anmelden/bundid"]');
  assert.equal(toIdp.status, 200);
  const choose = await browser.submit(toIdp, 'form[data-auto-submit]');
  assert.equal(choose.status, 200, choose.body.slice(0, 300));
  const requestId = choose.doc.querySelector('input[name="requestId"]')!.getAttribute('value')!;
  return { toIdp, choose, requestId };
}

/** Runs the whole login; returns the page the identity provider posts back (not yet posted) and the ACS answer. */
async function logIn(browser: Browser, person = 'U01', level = 'substantiell', query?: string) {
  const { choose, requestId } = await startLogin(browser, query);
  const answer = await browser.submit(choose, 'form[action="/demo-idp/antwort"]', { person, level });
  assert.equal(answer.status, 200);
  const samlResponse = answer.doc.querySelector('input[name="SAMLResponse"]')!.getAttribute('value')!;
  const sessionBefore = browser.cookies.get('session');
  const acs = await browser.submit(answer, 'form[data-auto-submit]');
  return { acs, samlResponse, requestId, sessionBefore };
}

async function idpKeys(): Promise<KeyMaterial> {
  const dir = path.join(dataDir, 'saml');
  return { privateKeyPem: await readFile(path.join(dir, 'demo-idp-key.pem'), 'utf8'), certificatePem: await readFile(path.join(dir, 'demo-idp-cert.pem'), 'utf8') };
}

/** A response signed by the demo identity provider, with some fields altered. */
async function craftedResponse(requestId: string, changes: Partial<ResponseInput>): Promise<string> {
  const xml = buildSignedResponse({
    idpEntityId: DEMO_IDP_ENTITY_ID, audience: 'urn:digitales-amt:demo-sp', acsUrl: `${base}/saml/acs`,
    inResponseTo: requestId, person: findTestPerson('U01')!, level: 'substantiell', ...changes,
  }, await idpKeys());
  return Buffer.from(xml).toString('base64');
}

function assertRefused(page: Page, status: number, text: RegExp) {
  assert.equal(page.status, status, page.body.slice(0, 400));
  assert.equal(page.doc.querySelector('h1')?.text, 'Anmeldung nicht möglich');
  assert.match(page.doc.querySelector('main')!.text, text);
  assert.equal(page.location, null, 'no redirect into the portal');
}

/** The reason recorded for the latest refused login (audit details hold codes only). */
async function lastRefusalReason(): Promise<string | undefined> {
  const row = await app.database.db.selectFrom('audit_events').select('details').where('action', '=', 'citizen.login_failed')
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
  return (row?.details as { reason?: string } | undefined)?.reason;
}

const INVALID = /konnte nicht bestätigt werden/;
const EXPIRED = /abgelaufen oder wurde schon verwendet/;

test('Maria Neumann logs in at level substantiell: new session id, her data on /konto, stored encrypted, audited without personal data', async () => {
  const browser = new Browser();
  const { toIdp, choose } = await startLogin(browser);
  // The AuthnRequest in the BundID profile.
  const request = Buffer.from(toIdp.doc.querySelector('input[name="SAMLRequest"]')!.getAttribute('value')!, 'base64').toString('utf8');
  assert.match(request, /<samlp:RequestedAuthnContext[^>]*Comparison="minimum"[^>]*><saml:AuthnContextClassRef[^>]*>STORK-QAA-Level-3</);
  assert.match(request, /<akdb:AuthenticationRequest xmlns:akdb="https:\/\/www\.akdb\.de\/request\/2018\/09" Version="2">/);
  assert.match(request, /<akdb:RequestedAttribute Name="urn:oid:1\.3\.6\.1\.4\.1\.25484\.494450\.3" RequiredAttribute="true"\/>/);
  assert.match(request, /ProtocolBinding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST"/);
  assert.match(request, /<(ds:)?Signature /, 'the request is signed');
  // The demo identity provider: marked as a test service, requested level preselected.
  assert.match(choose.doc.querySelector('.demo-idp-banner')!.text, /Testdienst/);
  assert.equal(choose.doc.querySelector('input[name="level"][checked]')!.getAttribute('value'), 'substantiell');

  const { acs, sessionBefore } = await logIn(browser);
  assert.equal(acs.status, 303, acs.body.slice(0, 300));
  assert.equal(acs.location, '/konto');
  assert.ok(browser.cookies.get('session'));
  assert.notEqual(browser.cookies.get('session'), sessionBefore, 'session fixation is prevented');

  const konto = await browser.get('/konto');
  assert.equal(konto.status, 200);
  const main = konto.doc.querySelector('main')!.text;
  assert.match(main, /Maria Neumann/);
  assert.match(main, /Thomas-Mann-Straße 3/);
  assert.match(main, /1964-08-12/);
  assert.match(main, /Vertrauensniveau „substantiell“/);
  const nav = konto.doc.querySelector('.site-nav')!;
  assert.ok(nav.querySelector('a[href="/konto"]'));
  assert.equal(nav.querySelector('form[action="/abmelden"] button')!.text, 'Abmelden');

  const rows = await app.database.db.selectFrom('citizen_accounts').selectAll().execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.last_trust_level, 'substantiell');
  assert.match(rows[0]!.bpk2_hash, /^[0-9a-f]{64}$/);
  assert.doesNotMatch(JSON.stringify(rows), /Neumann|BUNDIDSIM|Thomas-Mann|1964/);
  const audit = await app.database.db.selectFrom('audit_events').selectAll().where('action', 'like', 'citizen.%').execute();
  assert.ok(audit.some((a) => a.action === 'citizen.login'));
  assert.doesNotMatch(JSON.stringify(audit), /Neumann|BUNDIDSIM|Maria/);

  // A second login of the same person updates the same account.
  const again = new Browser();
  assert.equal((await logIn(again)).acs.status, 303);
  assert.equal((await app.database.db.selectFrom('citizen_accounts').select('id').execute()).length, 1);
});

test('a replayed response is refused', async () => {
  const { acs, samlResponse } = await logIn(new Browser());
  assert.equal(acs.status, 303);
  const attacker = new Browser();
  assertRefused(await attacker.post('/saml/acs', { SAMLResponse: samlResponse }), 400, EXPIRED);
  assert.equal(await lastRefusalReason(), 'unknown_request');
  assert.equal((await attacker.get('/konto')).status, 303);
});

test('a response altered after signing (another name) is refused', async () => {
  const browser = new Browser();
  const { choose } = await startLogin(browser);
  const answer = await browser.submit(choose, 'form[action="/demo-idp/antwort"]', { person: 'U01', level: 'substantiell' });
  const xml = Buffer.from(answer.doc.querySelector('input[name="SAMLResponse"]')!.getAttribute('value')!, 'base64').toString('utf8');
  assert.match(xml, />Maria</);
  const tampered = Buffer.from(xml.replace('>Maria<', '>Mallory<')).toString('base64');
  assertRefused(await browser.post('/saml/acs', { SAMLResponse: tampered }), 400, INVALID);
  assert.equal(await lastRefusalReason(), 'signature');
  assert.equal((await browser.get('/konto')).status, 303, 'not logged in');
});

test('a correctly signed response for another audience is refused', async () => {
  const browser = new Browser();
  const { requestId } = await startLogin(browser);
  assertRefused(await browser.post('/saml/acs', { SAMLResponse: await craftedResponse(requestId, { audience: 'https://other-portal.example/saml' }) }), 400, INVALID);
  assert.equal(await lastRefusalReason(), 'audience');
});

test('a correctly signed response for another destination and recipient is refused', async () => {
  const browser = new Browser();
  const { requestId } = await startLogin(browser);
  assertRefused(await browser.post('/saml/acs', { SAMLResponse: await craftedResponse(requestId, { acsUrl: 'https://other-portal.example/saml/acs' }) }), 400, INVALID);
  assert.equal(await lastRefusalReason(), 'destination');
});

test('an expired response is refused', async () => {
  const browser = new Browser();
  const { requestId } = await startLogin(browser);
  const expired = await craftedResponse(requestId, { now: new Date(Date.now() - 20 * 60_000) });
  assertRefused(await browser.post('/saml/acs', { SAMLResponse: expired }), 400, EXPIRED);
  assert.equal(await lastRefusalReason(), 'expired');
});

test('an unsolicited response (InResponseTo of no request we sent) is refused', async () => {
  const browser = new Browser();
  await startLogin(browser);
  assertRefused(await browser.post('/saml/acs', { SAMLResponse: await craftedResponse('_never-requested', {}) }), 400, EXPIRED);
  const refused = await app.database.db.selectFrom('audit_events').select('details').where('action', '=', 'citizen.login_failed').execute();
  assert.ok(refused.some((r) => (r.details as { reason?: string }).reason === 'unknown_request'));
});

test('a lower level than requested is refused with 401', async () => {
  const { acs } = await logIn(new Browser(), 'U02', 'niedrig', '?niveau=hoch&weiter=/konto');
  assertRefused(acs, 401, /niedrigeren Vertrauensniveau/);
  assert.equal(await lastRefusalReason(), 'level_too_low');
});

test('a return path off this site is ignored', async () => {
  const browser = new Browser();
  const login = await browser.get('/anmelden?weiter=//evil.example/x');
  assert.equal(login.doc.querySelector('input[name="weiter"]')!.getAttribute('value'), '/konto');
  const { acs } = await logIn(browser, 'U03', 'niedrig', '?weiter=//evil.example/x');
  assert.equal(acs.status, 303);
  assert.equal(acs.location, '/konto');
});

test('/konto sends anonymous visitors to the login; logout ends the session; other POSTs still need the CSRF token', async () => {
  const browser = new Browser();
  const anonymous = await browser.get('/konto');
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.location, '/anmelden?weiter=%2Fkonto');
  await logIn(browser, 'U04', 'substantiell');
  assert.equal((await browser.post('/abmelden', {})).status, 403, 'logout without token refused');
  const konto = await browser.get('/konto');
  assert.equal(konto.status, 200);
  const out = await browser.submit(konto, 'main form[action="/abmelden"]');
  assert.equal(out.status, 303);
  assert.equal((await browser.get('/konto')).status, 303, 'logged out');
  const audit = await app.database.db.selectFrom('audit_events').select('action').where('action', '=', 'citizen.logout').execute();
  assert.equal(audit.length, 1);
});

test('the service provider publishes its metadata with the assertion consumer and its certificate', async () => {
  const res = await fetch(`${base}/saml/metadata`);
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.match(xml, /entityID="urn:digitales-amt:demo-sp"/);
  assert.match(xml, new RegExp(`AssertionConsumerService[^>]*Location="${base}/saml/acs"`));
  assert.match(xml, /AuthnRequestsSigned="true"/);
  assert.match(xml, /<ds:X509Certificate>[A-Za-z0-9+/=\n]{200,}<\/ds:X509Certificate>/);
});

test('the demo identity provider publishes metadata with its signing certificate, and answers only this portal', async () => {
  const browser = new Browser();
  const res = await fetch(`${base}/demo-idp/metadata`);
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.match(xml, /entityID="urn:digitales-amt:demo-idp"/);
  assert.match(xml, /<ds:X509Certificate>[A-Za-z0-9+/=]{200,}<\/ds:X509Certificate>/);
  assert.match(xml, new RegExp(`Location="${base}/demo-idp/sso"`));
  const foreign = Buffer.from('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" AssertionConsumerServiceURL="https://evil.example/acs"><saml:Issuer>urn:evil</saml:Issuer></samlp:AuthnRequest>').toString('base64');
  assert.equal((await browser.post('/demo-idp/sso', { SAMLRequest: foreign })).status, 400);
});
