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
import { SAML } from '@node-saml/node-saml';
import { sql } from 'kysely';
import { buildSignedResponse, newSamlId, type ResponseInput } from './demo-idp/build-response.ts';
import { signSamlMessage } from './saml-signing.ts';
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
  assert.equal(out.status, 200, 'on to the identity provider for single logout');
  assert.equal((await browser.get('/konto')).status, 303, 'logged out');
  const audit = await app.database.db.selectFrom('audit_events').select('action').where('action', '=', 'citizen.logout').execute();
  assert.equal(audit.length, 1);
});

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** A LogoutResponse as the identity provider would send it (unsigned until signed with signSamlMessage). */
function logoutResponseXml(inResponseTo: string, changes: { status?: string; destination?: string } = {}): string {
  return `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newSamlId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${changes.destination ?? `${base}/saml/slo`}" InResponseTo="${inResponseTo}"><saml:Issuer>${DEMO_IDP_ENTITY_ID}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${changes.status ?? SUCCESS}"/></samlp:Status></samlp:LogoutResponse>`;
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const unb64 = (value: string) => Buffer.from(value, 'base64').toString('utf8');

/** Logs in and presses "Abmelden": returns the page that posts the LogoutRequest to the identity provider, and the request's id. */
async function logInAndLogOut(browser: Browser, person = 'U05') {
  assert.equal((await logIn(browser, person)).acs.status, 303);
  const konto = await browser.get('/konto');
  const toIdp = await browser.submit(konto, 'main form[action="/abmelden"]');
  assert.equal(toIdp.status, 200, toIdp.body.slice(0, 300));
  const request = unb64(toIdp.doc.querySelector('form[data-auto-submit] input[name="SAMLRequest"]')!.getAttribute('value')!);
  const requestId = /<samlp:LogoutRequest[^>]* ID="([^"]+)"/.exec(request)![1]!;
  return { toIdp, request, requestId };
}

/** The reason recorded for the latest refused logout message. */
async function lastLogoutRefusal(): Promise<{ reason?: string; initiator?: string } | undefined> {
  const row = await app.database.db.selectFrom('audit_events').select('details').where('action', '=', 'citizen.logout_failed')
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.details as { reason?: string; initiator?: string } | undefined;
}

async function sessionsOf(accountId: string): Promise<number> {
  const rows = await app.database.db.selectFrom('sessions').select('id').where(sql<string>`data ->> 'citizenId'`, '=', accountId).execute();
  return rows.length;
}

test('SAML single logout: a signed LogoutRequest goes to the identity provider, which ends its session and answers; the portal confirms both', async () => {
  const browser = new Browser();
  const { toIdp, request } = await logInAndLogOut(browser);
  const form = toIdp.doc.querySelector('form[data-auto-submit]')!;
  assert.equal(form.getAttribute('action'), `${base}/demo-idp/slo`, 'the SingleLogoutService from the metadata (HTTP-POST)');
  assert.match(request, new RegExp(`<samlp:LogoutRequest[^>]*Destination="${base}/demo-idp/slo"`));
  assert.match(request, /<saml:Issuer[^>]*>urn:digitales-amt:demo-sp</);
  assert.match(request, /<saml:NameID Format="urn:oasis:names:tc:SAML:2\.0:nameid-format:transient">_[0-9a-f-]{36}</);
  assert.match(request, /<saml2p:SessionIndex[^>]*>_[0-9a-f-]{36}</);
  assert.match(request, /<ds:Signature /, 'the request is signed');
  assert.match(toIdp.doc.querySelector('main')!.text, /Im Portal sind Sie abgemeldet/);
  assert.equal((await browser.get('/konto')).status, 303, 'the local session ended already');
  // The session the identity provider knew of is listed there until the logout.
  const nameId = /<saml:NameID[^>]*>([^<]+)</.exec(request)![1]!;
  assert.doesNotMatch(JSON.stringify(await app.database.db.selectFrom('sessions').select('data').execute()), new RegExp(nameId), 'the NameID is kept encrypted');

  const back = await browser.submit(toIdp, 'form[data-auto-submit]');
  assert.equal(back.status, 200, back.body.slice(0, 300));
  const answerForm = back.doc.querySelector('form[data-auto-submit]')!;
  assert.equal(answerForm.getAttribute('action'), `${base}/saml/slo`);
  const response = answerForm.querySelector('input[name="SAMLResponse"]')!.getAttribute('value')!;
  assert.match(unb64(response), /<samlp:LogoutResponse[^>]*>.*<ds:Signature .*urn:oasis:names:tc:SAML:2\.0:status:Success/s);

  const done = await browser.submit(back, 'form[data-auto-submit]');
  assert.equal(done.status, 303, JSON.stringify(await lastLogoutRefusal()));
  assert.equal(done.location, '/abgemeldet/bundid');
  const page = await browser.get(done.location!);
  assert.equal(page.doc.querySelector('h1')!.text, 'Sie sind abgemeldet');
  assert.match(page.doc.querySelector('main')!.text, /Auch beim Anmeldedienst \(BundID\) sind Sie abgemeldet/);
  const idpSessions = await browser.get('/demo-idp/sitzungen');
  assert.match(idpSessions.doc.querySelector('main')!.text, /niemand beim Test-Anmeldedienst angemeldet/, 'the demo identity provider ended its session');

  // The same LogoutResponse again is refused: each request is answered once.
  const replay = await new Browser().post('/saml/slo', { SAMLResponse: response });
  assert.equal(replay.status, 400);
  assert.equal(replay.doc.querySelector('h1')!.text, 'Abmeldung beim Anmeldedienst nicht bestätigt');
  assert.match(replay.doc.querySelector('main')!.text, /abgelaufen oder wurde schon beantwortet.*Im Portal sind Sie abgemeldet/s);
  assert.equal((await lastLogoutRefusal())?.reason, 'unknown_request');
  const audit = await app.database.db.selectFrom('audit_events').select('details').where('action', 'like', 'citizen.logout%').execute();
  assert.doesNotMatch(JSON.stringify(audit), new RegExp(nameId));
});

test('a forged, unsigned, wrongly answered, misaddressed or refused LogoutResponse is not taken as the end of the login service session', async () => {
  const browser = new Browser();
  const { requestId } = await logInAndLogOut(browser);
  const keys = await idpKeys();
  const refused = async (samlResponse: string, reason: string, text: RegExp) => {
    const page = await new Browser().post('/saml/slo', { SAMLResponse: samlResponse });
    assert.equal(page.status, 400, page.body.slice(0, 300));
    assert.equal(page.location, null);
    assert.equal(page.doc.querySelector('h1')!.text, 'Abmeldung beim Anmeldedienst nicht bestätigt');
    assert.match(page.doc.querySelector('main')!.text, text);
    assert.equal((await lastLogoutRefusal())?.reason, reason);
  };
  const INVALID_LOGOUT = /konnte nicht bestätigt werden/;
  // Unsigned.
  await refused(b64(logoutResponseXml(requestId)), 'signature', INVALID_LOGOUT);
  // Signed with another key (the portal's own, not the identity provider's).
  const otherKey = { privateKeyPem: await readFile(path.join(dataDir, 'saml', 'sp-key.pem'), 'utf8'), certificatePem: await readFile(path.join(dataDir, 'saml', 'sp-cert.pem'), 'utf8') };
  await refused(b64(signSamlMessage(logoutResponseXml(requestId), otherKey)), 'signature', INVALID_LOGOUT);
  // Altered after signing.
  const signed = signSamlMessage(logoutResponseXml(requestId), keys);
  await refused(b64(signed.replace(SUCCESS, 'urn:oasis:names:tc:SAML:2.0:status:Requester')), 'signature', INVALID_LOGOUT);
  // Correctly signed, but answering no request we sent.
  await refused(b64(signSamlMessage(logoutResponseXml('_never-requested'), keys)), 'unknown_request', /abgelaufen oder wurde schon beantwortet/);
  // Correctly signed, but addressed elsewhere.
  await refused(b64(signSamlMessage(logoutResponseXml(requestId, { destination: 'https://other-portal.example/saml/slo' }), keys)), 'destination', INVALID_LOGOUT);
  // Correctly signed, but the identity provider reports a failure.
  await refused(b64(signSamlMessage(logoutResponseXml(requestId, { status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }), keys)), 'idp_status', /hat die Abmeldung abgelehnt/);
  // The refused answer used the request up.
  await refused(b64(signSamlMessage(logoutResponseXml(requestId), keys)), 'unknown_request', /abgelaufen oder wurde schon beantwortet/);
  const page = await new Browser().post('/saml/slo', { SAMLResponse: 'not base64 XML!' });
  assert.equal(page.status, 400);
});

test('logout started at the identity provider ends every portal session of the person and is confirmed with a signed LogoutResponse', async () => {
  const first = new Browser();
  const second = new Browser();
  await logIn(first, 'U06');
  await logIn(second, 'U06');
  const bystander = new Browser();
  await logIn(bystander, 'U07');
  const account = (await first.get('/konto')).status;
  assert.equal(account, 200);
  const accountId = (await app.database.db.selectFrom('sessions').select(sql<string>`data ->> 'citizenId'`.as('id'))
    .where('id', '=', decodeURIComponent(first.cookies.get('session')!).replace(/^s:/, '').split('.')[0]!).executeTakeFirstOrThrow()).id;
  assert.equal(await sessionsOf(accountId), 2);

  const sessions = await first.get('/demo-idp/sitzungen');
  assert.equal(sessions.status, 200);
  const toPortal = await first.submit(sessions, 'form[action="/demo-idp/abmelden"]');
  assert.equal(toPortal.status, 200, toPortal.body.slice(0, 300));
  const request = toPortal.doc.querySelector('form[data-auto-submit] input[name="SAMLRequest"]')!.getAttribute('value')!;
  assert.match(unb64(request), /<samlp:LogoutRequest[^>]*>.*<ds:Signature /s);

  // Cross-site POST from the identity provider: no session cookie comes along.
  const portal = await new Browser().post('/saml/slo', { SAMLRequest: request });
  assert.equal(portal.status, 200, portal.body.slice(0, 400));
  assert.equal(await sessionsOf(accountId), 0, 'every session of the person ended');
  assert.equal((await first.get('/konto')).status, 303);
  assert.equal((await second.get('/konto')).status, 303);
  assert.equal((await bystander.get('/konto')).status, 200, 'another person stays logged in');
  const answer = portal.doc.querySelector('form[data-auto-submit]')!;
  assert.equal(answer.getAttribute('action'), `${base}/demo-idp/slo`);
  const response = unb64(answer.querySelector('input[name="SAMLResponse"]')!.getAttribute('value')!);
  assert.match(response, /<samlp:LogoutResponse[^>]*>.*<ds:Signature .*urn:oasis:names:tc:SAML:2\.0:status:Success/s);
  const idRe = /<samlp:LogoutRequest[^>]* ID="([^"]+)"/;
  assert.match(response, new RegExp(`InResponseTo="${idRe.exec(unb64(request))![1]}"`));
  const confirmed = await first.submit(portal, 'form[data-auto-submit]');
  assert.equal(confirmed.status, 200, confirmed.body.slice(0, 300));
  assert.match(confirmed.doc.querySelector('main')!.text, /Das Portal hat sie bestätigt/);
  const audit = await app.database.db.selectFrom('audit_events').select(['details', 'subject_id']).where('action', '=', 'citizen.logout').where('subject_id', '=', accountId).execute();
  assert.equal(audit.length, 1);

  // The same LogoutRequest again is refused (used once).
  const replay = await new Browser().post('/saml/slo', { SAMLRequest: request });
  assert.equal(replay.status, 400);
  assert.equal(replay.doc.querySelector('h1')!.text, 'Abmeldung nicht möglich');
  assert.deepEqual(await lastLogoutRefusal(), { method: 'saml', initiator: 'idp', code: 'invalid', reason: 'replayed' });
});

test('a forged or unsigned LogoutRequest ends no session', async () => {
  const browser = new Browser();
  await logIn(browser, 'U12');
  const sessions = await browser.get('/demo-idp/sitzungen');
  const toPortal = await browser.submit(sessions, 'form[action="/demo-idp/abmelden"]');
  const signed = unb64(toPortal.doc.querySelector('form[data-auto-submit] input[name="SAMLRequest"]')!.getAttribute('value')!);
  const unsigned = signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
  assert.notEqual(unsigned, signed);
  for (const forged of [unsigned, signed.replace(/(<saml:NameID[^>]*>)[^<]+/, '$1_someone-else')]) {
    const page = await new Browser().post('/saml/slo', { SAMLRequest: b64(forged) });
    assert.equal(page.status, 400, page.body.slice(0, 300));
    assert.match(page.doc.querySelector('main')!.text, /Abmeldeanfrage des Anmeldedienstes konnte nicht bestätigt werden/);
    assert.equal((await lastLogoutRefusal())?.reason, 'signature');
  }
  assert.equal((await browser.get('/konto')).status, 200, 'still logged in');
});

test('a LogoutRequest in the HTTP-Redirect binding is taken only with a valid query signature', async () => {
  const browser = new Browser();
  const { samlResponse } = await logIn(browser, 'U11');
  const assertion = unb64(samlResponse);
  const nameId = /<saml:NameID[^>]*>([^<]+)</.exec(assertion)![1]!;
  const sessionIndex = /SessionIndex="([^"]+)"/.exec(assertion)![1]!;
  const keys = await idpKeys();
  // The identity provider's side, built with node-saml (for logout messages the roles are symmetric).
  const idpSide = new SAML({
    issuer: DEMO_IDP_ENTITY_ID, callbackUrl: `${base}/demo-idp/slo`, entryPoint: `${base}/saml/slo`, logoutUrl: `${base}/saml/slo`,
    idpCert: keys.certificatePem, privateKey: keys.privateKeyPem, signatureAlgorithm: 'sha256',
  });
  const url = new URL(await idpSide.getLogoutUrlAsync({ issuer: DEMO_IDP_ENTITY_ID, nameID: nameId, nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient', sessionIndex }, '', {}));
  assert.ok(url.searchParams.get('Signature'));
  const unsigned = new URL(url);
  unsigned.searchParams.delete('Signature');
  assert.equal((await browser.get(unsigned.toString())).status, 400);
  assert.equal((await lastLogoutRefusal())?.reason, 'signature');
  const tampered = new URL(url);
  tampered.searchParams.set('RelayState', 'x');
  assert.equal((await browser.get(tampered.toString())).status, 400);
  assert.equal((await browser.get('/konto')).status, 200, 'still logged in');

  const answered = await browser.get(url.toString());
  assert.equal(answered.status, 200, answered.body.slice(0, 300));
  assert.equal(answered.doc.querySelector('form[data-auto-submit]')!.getAttribute('action'), `${base}/demo-idp/slo`, 'answered in the binding the identity provider offers');
  assert.equal((await browser.get('/konto')).status, 303, 'logged out');
});

test('the service provider publishes its metadata with the assertion consumer and its certificate', async () => {
  const res = await fetch(`${base}/saml/metadata`);
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.match(xml, /entityID="urn:digitales-amt:demo-sp"/);
  assert.match(xml, new RegExp(`AssertionConsumerService[^>]*Location="${base}/saml/acs"`));
  assert.match(xml, /AuthnRequestsSigned="true"/);
  assert.match(xml, /<ds:X509Certificate>[A-Za-z0-9+/=\n]{200,}<\/ds:X509Certificate>/);
  assert.match(xml, new RegExp(`SingleLogoutService Binding="urn:oasis:names:tc:SAML:2\\.0:bindings:HTTP-POST" Location="${base}/saml/slo"`));
});

test('the demo identity provider publishes metadata with its signing certificate, and answers only this portal', async () => {
  const browser = new Browser();
  const res = await fetch(`${base}/demo-idp/metadata`);
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.match(xml, /entityID="urn:digitales-amt:demo-idp"/);
  assert.match(xml, /<ds:X509Certificate>[A-Za-z0-9+/=]{200,}<\/ds:X509Certificate>/);
  assert.match(xml, new RegExp(`Location="${base}/demo-idp/sso"`));
  assert.match(xml, new RegExp(`SingleLogoutService Binding="urn:oasis:names:tc:SAML:2\\.0:bindings:HTTP-POST" Location="${base}/demo-idp/slo"`));
  const foreign = Buffer.from('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" AssertionConsumerServiceURL="https://evil.example/acs"><saml:Issuer>urn:evil</saml:Issuer></samlp:AuthnRequest>').toString('base64');
  assert.equal((await browser.post('/demo-idp/sso', { SAMLRequest: foreign })).status, 400);
});
