/**
 * Citizen isolation over every citizen route: the counterpart of tenant-isolation.test.ts. The test
 * walks all routes registered in Fastify that are not staff pages, static files, identity-protocol
 * endpoints or the payment providers' side, and requests each (every registered method) as another
 * citizen: once with the attacker's browser session (POST with a CSRF token of the attacker's own
 * page), and for /api/ routes also with the attacker's own access token. Route parameters are
 * filled with the victim's ids, and form fields name the victim's resources. No answer may carry
 * the victim's data, a route naming a victim's resource must answer 401/403/404 (or send to the
 * login), and the victim's data must be unchanged afterwards. A new route is walked automatically;
 * one with a new kind of parameter fails until the parameter is added to PARAMS below.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './support/app.ts';
import { COBURG, fillDogTax, procedureId, startDogTax, submitDogTax } from './support/dog-tax.ts';
import { html, multipartBody, TestClient } from './support/http.ts';
import { submitFormOf } from './support/saml-citizen-login.ts';
import { isStaffRoute } from '../src/modules/staff/index.ts';
import { postToApplicant } from '../src/modules/mailbox/index.ts';
import { createTenantKeys } from '../src/platform/crypto/tenant-keys.ts';
import { renderPdf } from '../src/platform/pdf/index.ts';

// The payment simulator is called over HTTP when a payment starts, so the app listens on a real port.
let app: TestApp;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => { await app.dispose(); });

const MARK = `GEHEIM-${randomBytes(4).toString('hex')}`;
const VICTIM = { person: 'U03', name: 'Wilhelm Weber', organisation: 'ORG-DEMO-0002', organisationName: 'Schreinerei Holzwurm' };
const ATTACKER = 'U01';

/**
 * Routes that are not a citizen's: the identity protocols (SAML, OIDC, the demo IdP: the login
 * itself), static files and probes, the payment providers' side (the demo provider stands in for
 * an external platform; notifications are server to server) and the specialist-procedure API (an
 * authority's integration client; tenant isolation covers the authorities). Everything else,
 * public pages included, is walked.
 */
const NOT_CITIZEN = [
  /^\/(saml|demo-idp|oidc|anmelden|abmelden|abgemeldet)(\/|$)/, /^\/static\//, /^\/(health|ready)$/,
  /^\/demo-zahlung(\/|$)/, /^\/api\/demo-zahlung\//, /^\/api\/zahlungen\//, /^\/api\/v1\/fachverfahren\//,
];

const RETURN_PATH_SHOWN = /^GET \/zahlung\/[^/]+\/zurueck\//;

interface Victim {
  accountId: string;
  organisationId: string;
  draftId: string;
  submittedId: string;
  reference: string;
  paidDraftId: string;
  paymentId: string;
  uploadId: string;
  threadId: string;
  attachmentId: string;
  tokenId: string;
}

/** Logs a test person in through the demo IdP at level hoch, optionally for an organisation. */
async function logIn(client: TestClient, person: string, organisation = ''): Promise<void> {
  const login = await client.get('/anmelden?niveau=hoch&weiter=%2Fkonto');
  const toIdp = await submitFormOf(client, login, 'form[action="/anmelden/bundid"]');
  const choose = await submitFormOf(client, toIdp, 'form[data-auto-submit]');
  const answer = await submitFormOf(client, choose, 'form[action="/demo-idp/antwort"]', { person, level: 'hoch', organisation });
  const acs = await submitFormOf(client, answer, 'form[data-auto-submit]');
  assert.equal(acs.statusCode, 303, acs.body.slice(0, 300));
}

const csrfOf = async (client: TestClient, page = '/konto') => html(await client.get(page)).querySelector('input[name="_csrf"]')!.getAttribute('value')!;

/** Creates an access token on the account page; returns it (shown once). */
async function createToken(client: TestClient, name: string): Promise<string> {
  const res = await client.post('/konto/app-zugang', { _csrf: await csrfOf(client, '/konto/app-zugang'), name });
  assert.equal(res.statusCode, 201, res.body.slice(0, 300));
  const token = html(res).querySelector('code.secret')?.text.trim();
  assert.ok(token, 'the new token is shown');
  return token;
}

/** The victim's data, each piece with the marker where it has text. */
async function seedVictim(): Promise<Victim> {
  const db = app.database.db;
  const client = new TestClient(app.server);
  // A login for an organisation makes the person its administrator; then they act as themselves.
  await logIn(client, VICTIM.person, VICTIM.organisation);
  const member = await db.selectFrom('organisation_members').select(['organisation_id', 'account_id']).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  assert.equal((await client.post('/konto/handeln-als', { _csrf: await csrfOf(client), organisation: '' })).statusCode, 303);

  // A submitted dog-tax application (its dog carries the marker) and a draft with evidence.
  const submitted = await submitDogTax(app, client, MARK);
  const draftId = await startDogTax(app, client);
  await fillDogTax(client, draftId, MARK);
  const step = `/antraege/${draftId}/schritte/ermaessigung`;
  const pdf = await renderPdf({ title: MARK, author: MARK, blocks: [{ kind: 'paragraph', text: MARK }] });
  const evidence = await client.postMultipart(step, { _csrf: await csrfOf(client, step), _action: 'continue', 'f.ermaessigung_beantragt': 'yes', 'f.ermaessigungsgrund': 'blinde' },
    [{ field: 'f.ermaessigung_nachweis', fileName: `${MARK}.pdf`, type: 'application/pdf', bytes: pdf }]);
  assert.equal(evidence.statusCode, 303, evidence.body.slice(0, 300));
  const upload = await db.selectFrom('uploads').select('id').where('owner_id', '=', draftId).executeTakeFirstOrThrow();

  // A Führungszeugnis draft whose fee payment was started (an open payment).
  const certificate = await procedureId(app, 'coburg', 'Führungszeugnis beantragen');
  const started = await client.submit(`/antraege/neu/${certificate}?ags=${COBURG}`, { prefill: 'ja' }, `/antraege/neu/${certificate}`);
  const paidDraftId = String(started.headers.location).split('/')[2]!;
  const base = `/antraege/${paidDraftId}/schritte`;
  for (const [stepId, fields] of [
    ['person', { 'f.geburtsort': 'Regensburg', 'f.staatsangehoerigkeit': 'DE' }], ['zeugnis', { 'f.art': 'normal', 'f.verwendungszweck': MARK, 'f.ehrenamt': 'no', 'f.anzahl': '2' }],
    ['versand', { 'f.empfang': 'privat' }], ['erklaerung', { 'f.bestaetigung': 'yes' }],
  ] as const) {
    const page = html(await client.get(`${base}/${stepId}`));
    const shown: Record<string, string> = {};
    for (const input of page.querySelectorAll('form input[name^="f."]')) {
      const type = input.getAttribute('type');
      if (type !== 'radio' && type !== 'checkbox' && input.getAttribute('value')) shown[input.getAttribute('name')!] = input.getAttribute('value')!;
    }
    assert.equal((await client.submit(`${base}/${stepId}`, { ...shown, ...fields }, `${base}/${stepId}`)).statusCode, 303, stepId);
  }
  const pay = await client.submit(`/antraege/${paidDraftId}/pruefen`, {}, `/antraege/${paidDraftId}/bezahlen`);
  assert.equal(pay.statusCode, 303, pay.body.slice(0, 300));
  const payment = await db.selectFrom('payments').select('id').where('payable_id', '=', paidDraftId).executeTakeFirstOrThrow();

  // A mailbox thread the victim started, with the authority's answer carrying an attachment.
  const coburg = (await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  const thread = await client.postMultipart('/postfach/neu', { _csrf: await csrfOf(client, '/postfach/neu'), tenantId: coburg, subject: `${MARK} Betreff`, text: `${MARK} Frage` });
  assert.equal(thread.statusCode, 303, thread.body.slice(0, 300));
  const threadId = String(thread.headers.location).split('/')[2]!.split('?')[0]!;
  const { attachmentIds } = await db.transaction().execute((tx) => postToApplicant(tx, { tenantKeys: createTenantKeys(app.cipher), cipher: app.cipher, mail: app.mail, publicUrl: 'http://localhost' }, {
    tenantId: coburg, threadId, kind: 'message', senderStaffId: null, body: `${MARK} Antwort`,
    attachments: [{ fileName: `${MARK}.png`, mediaType: 'image/png', bytes: Buffer.from('89504e470d0a1a0a', 'hex') }],
  }));

  await createToken(client, `${MARK} App`);
  const token = await db.selectFrom('citizen_api_tokens').select('id').where('account_id', '=', member.account_id).executeTakeFirstOrThrow();
  return {
    accountId: member.account_id, organisationId: member.organisation_id, draftId, submittedId: submitted.id, reference: submitted.reference,
    paidDraftId, paymentId: payment.id, uploadId: upload.id, threadId, attachmentId: attachmentIds[0]!, tokenId: token.id,
  };
}

/** Everything of the victim, to compare before and after the walk. */
async function snapshot(victim: Victim): Promise<string> {
  const db = app.database.db;
  const applicationIds = [victim.draftId, victim.submittedId, victim.paidDraftId];
  return JSON.stringify({
    account: await db.selectFrom('citizen_accounts').selectAll().where('id', '=', victim.accountId).execute(),
    applications: await db.selectFrom('applications').selectAll().where('account_id', '=', victim.accountId).orderBy('id').execute(),
    events: await db.selectFrom('application_events').selectAll().where('application_id', 'in', applicationIds).orderBy('id').execute(),
    uploads: await db.selectFrom('uploads').select(['id', 'owner_kind', 'owner_id', 'sha256']).where('owner_id', 'in', applicationIds).orderBy('id').execute(),
    cases: await db.selectFrom('cases').selectAll().where('account_id', '=', victim.accountId).orderBy('id').execute(),
    // checked_at/updated_at move when the status is read back from the platform (the payer's return
    // needs no login, by design); what is booked must not change.
    payments: await db.selectFrom('payments').select(['id', 'payable_id', 'amount_cents', 'status', 'return_path', 'paid_at', 'refunded_cents']).where('payable_id', 'in', applicationIds).orderBy('id').execute(),
    threads: await db.selectFrom('mailbox_threads').selectAll().where('account_id', '=', victim.accountId).orderBy('id').execute(),
    messages: await db.selectFrom('mailbox_messages').selectAll().where('thread_id', '=', victim.threadId).orderBy('id').execute(),
    tokens: await db.selectFrom('citizen_api_tokens').selectAll().where('account_id', '=', victim.accountId).orderBy('id').execute(),
    organisations: await db.selectFrom('organisations').selectAll().where('id', '=', victim.organisationId).execute(),
    members: await db.selectFrom('organisation_members').selectAll().where('organisation_id', '=', victim.organisationId).orderBy('account_id').execute(),
    invitations: await db.selectFrom('organisation_invitations').selectAll().where('organisation_id', '=', victim.organisationId).orderBy('id').execute(),
  });
}

/**
 * What each route parameter is filled with (several values: each is walked). `owned`: the value
 * names a resource of the victim, so the route must refuse it. `id` depends on the route. A new
 * parameter name fails the test until added here.
 */
function params(victim: Victim): Record<string, (url: string) => { values: string[]; owned: boolean }> {
  const fixed = (values: string[], owned: boolean) => () => ({ values, owned });
  return {
    id: (url) => url.startsWith('/konto/organisation/') ? { values: [victim.organisationId], owned: true }
      : url.startsWith('/zahlung/') ? { values: [victim.paymentId], owned: false } // the payer's return: see RETURN_PATH_SHOWN
        : { values: [victim.draftId, victim.submittedId, victim.paidDraftId], owned: true },
    stepId: fixed(['halter', 'ermaessigung'], false),
    uploadId: fixed([victim.uploadId], true),
    threadId: fixed([victim.threadId], true),
    attachmentId: fixed([victim.attachmentId], true),
    tokenId: fixed([victim.tokenId], true),
    accountId: fixed([victim.accountId], true),
    result: fixed(['erfolg'], false),
    procedureId: fixed([''], false), // filled in the test: the public dog-tax procedure
    leikaKey: fixed(['99102013000000'], false),
    ags: fixed([COBURG], false),
    key: fixed(['09473'], false),
    slug: fixed(['familie'], false),
  };
}

/** Every combination of the parameter values of a route. */
function fill(url: string, values: Record<string, string[]>): string[] {
  const names = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  let paths = [url];
  for (const name of names) paths = paths.flatMap((p) => values[name]!.map((v) => p.replace(`:${name}`, encodeURIComponent(v))));
  return paths;
}

test('one citizen reaches none of another citizen\'s data on any citizen route', { timeout: 300_000 }, async () => {
  const victim = await seedVictim();
  const db = app.database.db;
  const dogTax = await procedureId(app, 'coburg', 'Hund zur Hundesteuer anmelden');
  const before = await snapshot(victim);
  assert.match(before, new RegExp(MARK), 'the victim data is in place');

  let client = new TestClient(app.server);
  let token = '';
  const freshLogin = async () => {
    client = new TestClient(app.server);
    await logIn(client, ATTACKER);
    token = await createToken(client, 'Angreifer');
  };
  await freshLogin();

  const known = params(victim);
  const routes = app.routes.filter((r) => r.method !== 'HEAD' && !isStaffRoute(r.url) && !NOT_CITIZEN.some((p) => p.test(r.url)));
  for (const r of routes) {
    for (const m of r.url.matchAll(/:(\w+)/g)) assert.ok(known[m[1]!], `${r.method} ${r.url}: add the parameter :${m[1]} to PARAMS in this test`);
  }
  for (const prefix of ['/antraege/:id', '/postfach/:threadId', '/konto/app-zugang', '/api/v1/applications/:id', '/zahlung/:id', '/konto/organisation/:id']) {
    assert.ok(routes.some((r) => r.url.startsWith(prefix)), `routes under ${prefix} are walked`);
  }

  // The victim's ids the attacker did not send: none may show in an answer (an echo of the
  // request, e.g. problem+json's `instance`, shows nothing the attacker did not know).
  const victimIds = [victim.accountId, victim.organisationId, victim.draftId, victim.submittedId, victim.paidDraftId, victim.paymentId, victim.uploadId, victim.threadId, victim.attachmentId, victim.tokenId];
  const form = {
    organisation: victim.organisationId, threadId: victim.threadId, tokenId: victim.tokenId, accountId: victim.accountId, applicationId: victim.submittedId,
    uploadId: victim.uploadId, id: victim.submittedId, tenantId: '', subject: 'Angriff', text: 'Angriff', name: 'Angriff', email: 'angreifer@example.org',
    role: 'administrator', _action: `remove-file:${victim.uploadId}`, reason: 'Angriff', choice: 'pay', code: '000000', procedureId: dogTax, ags: COBURG, prefill: 'ja', confirm: 'ja',
  };
  const walked: string[] = [];
  // `owned`: the route names a victim's resource, so it must refuse; 'either' (a form sent both
  // urlencoded and multipart): the encoding the route does not read may be a 400/415 instead.
  const check = (label: string, request: string, res: LightMyRequestResponse, owned: boolean | 'either', api: boolean): boolean => {
    walked.push(`${label} -> ${res.statusCode}`);
    assert.ok(res.statusCode < 500, `${label} -> ${res.statusCode}`);
    const answer = `${JSON.stringify(res.headers)}\n${res.body}`;
    // The payer's return from the payment platform needs no login (the session may have ended
    // while paying) and sends on to the payment's return path: the application's URL, which only
    // its owner can open. Knowing the payment id (a random UUID given only to the platform and
    // the payer) thus tells its holder that application's id, and nothing more.
    const shown = RETURN_PATH_SHOWN.test(label) ? [victim.paidDraftId] : [];
    for (const secret of [MARK, victim.reference, VICTIM.name, VICTIM.organisationName, ...victimIds.filter((v) => !request.includes(v) && !shown.includes(v))]) {
      assert.ok(!answer.toLowerCase().includes(secret.toLowerCase()), `${label} -> ${res.statusCode}: the answer shows the other citizen's data (${secret})`);
    }
    const toLogin = res.statusCode === 303 && /^\/anmelden\b/.test(String(res.headers.location));
    const refused = [403, 404].includes(res.statusCode) || (!api && (res.statusCode === 401 || toLogin));
    if (owned) assert.ok(refused || (owned === 'either' && [400, 415].includes(res.statusCode)), `${label} -> ${res.statusCode}: a resource of another citizen must be "not found"`);
    return refused;
  };

  for (const route of routes) {
    const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const values = Object.fromEntries(names.map((n) => [n, n === 'procedureId' ? [dogTax] : known[n]!(route.url).values]));
    const owned = names.some((n) => known[n]!(route.url).owned);
    for (const path of fill(route.url, values)) {
      // A fresh login whenever a route (deleting the account) ended the session.
      if ((await client.get('/konto')).statusCode !== 200) await freshLogin();
      const label = `${route.method} ${path}`;
      if (route.method === 'GET') {
        check(label, path, await client.get(path), owned, false);
      } else {
        const csrf = await csrfOf(client);
        const posted = { ...form, _csrf: csrf };
        const request = `${path}\n${JSON.stringify(posted)}`;
        const asForm = check(`${label} (form)`, request, await client.server.inject({
          method: route.method as 'POST', url: path, remoteAddress: client.remoteAddress, payload: new URLSearchParams(posted).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        }), owned && 'either', false);
        // Forms with file fields are multipart: the same fields once more, with a file.
        const { body, contentType } = multipartBody(posted, [{ field: 'attachments', fileName: 'a.png', type: 'image/png', bytes: Buffer.from('89504e470d0a1a0a', 'hex') }]);
        const asMultipart = check(`${label} (multipart)`, request, await client.server.inject({
          method: route.method as 'POST', url: path, remoteAddress: client.remoteAddress, payload: body,
          headers: { 'content-type': contentType, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        }), owned && 'either', false);
        if (owned) assert.ok(asForm || asMultipart, `${label}: neither encoding was refused as "not found"`);
      }
      if (path.startsWith('/api/')) {
        const json = { procedureId: dogTax, ags: COBURG, startKey: randomBytes(8).toString('hex'), values: { familienname: 'Angriff' } };
        const res = await client.server.inject({
          method: route.method as 'GET', url: path, headers: { authorization: `Bearer ${token}`, ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
          ...(route.method === 'GET' ? {} : { payload: JSON.stringify(json) }),
        });
        check(`${label} (token)`, path, res, owned, true);
      }
    }
  }

  assert.equal(await snapshot(victim), before, `the other citizen's data is unchanged after:\n${walked.join('\n')}`);
  // The walk really ran as a logged-in citizen and with a valid token (not as an anonymous visitor).
  assert.ok(walked.some((w) => w === 'GET /konto -> 200'), walked.join('\n'));
  assert.ok(walked.some((w) => w === 'GET /api/v1/applications (token) -> 200'), walked.join('\n'));
  assert.ok(routes.length >= 40, `citizen routes walked: ${routes.length}`);
});
