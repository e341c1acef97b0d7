import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderPdf } from '../../platform/pdf/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { COBURG, procedureId } from '../../../test/support/dog-tax.ts';
import { html, multipartBody, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

const HOLDER = { familienname: 'Schmidt', vornamen: 'Manfred', geburtsdatum: '11.02.1969', anschrift: { street: 'Rankestr.', houseNumber: '13', postcode: '96450', city: 'Coburg', country: 'DE' } };
const DOGS = { hunde: [{ hund_name: 'App-Hund', rasse: 'Dackel', hund_geschlecht: 'ruede', wurfdatum: '01.03.2024', gehalten_seit: '01.06.2024', listenhund: false }] };

/** Logs in through the demo SAML IdP and creates an access token on the account page. */
async function tokenFor(person: string, level: 'niedrig' | 'substantiell' | 'hoch'): Promise<{ client: TestClient; token: string }> {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person, level });
  const created = await client.submit('/konto/app-zugang', { name: 'Telefon' }, '/konto/app-zugang');
  assert.equal(created.statusCode, 201);
  assert.equal(created.headers['cache-control'], 'no-store');
  const token = html(created).querySelector('code.secret')!.text.trim();
  assert.match(token, /^da_[A-Za-z0-9_-]{43}$/);
  return { client, token };
}

async function api(method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: unknown) {
  const res = await app.server.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
}

test('a mobile app fills in and submits an application through the API with the same validation as the pages', async () => {
  const { client, token } = await tokenFor('U02', 'substantiell');
  const stored = await app.database.db.selectFrom('citizen_api_tokens').select('token_hash').execute();
  assert.ok(stored.every((t) => !t.token_hash.includes(token.slice(3))), 'only a hash is stored');

  assert.equal((await api('GET', '/api/v1/applications', null)).status, 401);
  const forged = await api('GET', '/api/v1/applications', `da_${'A'.repeat(43)}`);
  assert.equal(forged.status, 401);
  assert.match(forged.type, /application\/problem\+json/);

  const procedure = await procedureId(app, 'coburg', 'Hund zur Hundesteuer anmelden');
  const bad = await api('POST', '/api/v1/applications', token, { procedureId: 'x', ags: '123', startKey: 'k' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.invalidParams.map((p: { name: string }) => p.name).sort(), ['ags', 'procedureId', 'startKey']);
  const started = await api('POST', '/api/v1/applications', token, { procedureId: procedure, ags: COBURG, startKey: 'app-start-0001' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  assert.equal(started.headers['cache-control'], 'no-store');
  const id = started.body.id as string;
  assert.deepEqual(started.body.steps.map((s: { id: string }) => s.id), ['halter', 'hundeangaben', 'ermaessigung', 'zahlung']);
  const retried = await api('POST', '/api/v1/applications', token, { procedureId: procedure, ags: COBURG, startKey: 'app-start-0001' });
  assert.deepEqual([retried.status, retried.body.id], [200, id], 'a retried start finds the same draft');

  // Invalid answers: 422 naming each field by its path; what was sent is saved all the same.
  const invalid = await api('PUT', `/api/v1/applications/${id}/steps/halter`, token, { values: { ...HOLDER, familienname: '', geburtsdatum: '31.02.1969' } });
  assert.equal(invalid.status, 422);
  assert.equal(invalid.body.code, 'INVALID_ANSWERS');
  assert.deepEqual(invalid.body.invalidParams.map((p: { name: string }) => p.name).sort(), ['familienname', 'geburtsdatum']);
  assert.ok(invalid.body.invalidParams.every((p: { reason: string }) => p.reason.length > 5));
  assert.equal((await api('GET', `/api/v1/applications/${id}`, token)).body.answers.vornamen, 'Manfred');
  const shape = await api('PUT', `/api/v1/applications/${id}/steps/halter`, token, { values: { familienname: { a: [1, { b: 2 }] } } });
  assert.equal(shape.status, 400);

  // Evidence: a reduction asks for a document; a script named .pdf is refused, a real PDF is kept.
  await api('PUT', `/api/v1/applications/${id}/steps/ermaessigung`, token, { values: { ermaessigung_beantragt: true } });
  const upload = async (fileName: string, bytes: Buffer) => {
    const { body, contentType } = multipartBody({}, [{ field: 'ermaessigung_nachweis', fileName, type: 'application/pdf', bytes }]);
    const res = await app.server.inject({ method: 'POST', url: `/api/v1/applications/${id}/steps/ermaessigung/files`, payload: body, headers: { 'content-type': contentType, authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  const forgedFile = await upload('bescheid.pdf', Buffer.from('#!/bin/sh\nrm -rf /\n'));
  assert.equal(forgedFile.status, 422);
  assert.deepEqual(forgedFile.body.invalidParams.map((p: { name: string; code: string }) => [p.name, p.code]), [['ermaessigung_nachweis', 'type-not-allowed']]);
  const pdf = Buffer.from(await renderPdf({ title: 'Nachweis', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Bescheinigung' }] }));
  const kept = await upload('nachweis.pdf', pdf);
  assert.equal(kept.status, 201, JSON.stringify(kept.body));
  assert.deepEqual(kept.body.files.map((f: { path: string; fileName: string; mediaType: string }) => [f.path, f.fileName, f.mediaType]), [['ermaessigung_nachweis', 'nachweis.pdf', 'application/pdf']]);

  for (const [step, values, next] of [['halter', HOLDER, 'hundeangaben'], ['hundeangaben', DOGS, 'ermaessigung'], ['ermaessigung', { ermaessigung_beantragt: false }, 'zahlung'], ['zahlung', { lastschrift: false }, null]] as const) {
    const saved = await api('PUT', `/api/v1/applications/${id}/steps/${step}`, token, { values });
    assert.equal(saved.status, 200, `${step}: ${JSON.stringify(saved.body)}`);
    assert.equal(saved.body.nextStep, next);
  }
  assert.equal((await api('PUT', `/api/v1/applications/${id}/steps/gibt-es-nicht`, token, { values: {} })).status, 404);

  const [first, second] = await Promise.all([
    api('POST', `/api/v1/applications/${id}/submission`, token),
    api('POST', `/api/v1/applications/${id}/submission`, token),
  ]);
  assert.deepEqual([first.status, second.status], [200, 200]);
  assert.equal(first.body.reference, second.body.reference);
  assert.equal([first.body.alreadySubmitted, second.body.alreadySubmitted].filter(Boolean).length, 1, 'one submission');
  assert.equal(first.body.application.status, 'submitted');
  assert.deepEqual(first.body.application.history.map((h: { status: string; trustLevel: string }) => [h.status, h.trustLevel]), [['submitted', 'substantiell']]);
  assert.equal((await app.database.db.selectFrom('cases').select('id').where('id', '=', id).execute()).length, 1, 'a case was opened');
  const afterwards = await api('PUT', `/api/v1/applications/${id}/steps/halter`, token, { values: HOLDER });
  assert.equal(afterwards.status, 409);
  // The person sees the same application on the pages.
  assert.match(html(await client.get(`/antraege/${id}`)).querySelector('main')!.text, new RegExp(first.body.reference));

  // Another person's token finds nothing; a revoked token opens nothing.
  const other = await tokenFor('U03', 'substantiell');
  assert.equal((await api('GET', `/api/v1/applications/${id}`, other.token)).status, 404);
  assert.equal((await api('POST', `/api/v1/applications/${id}/submission`, other.token)).status, 404);
  const listed = html(await client.get('/konto/app-zugang'));
  const revoke = listed.querySelector('form[action$="/widerrufen"]')!.getAttribute('action')!;
  assert.equal((await client.submit('/konto/app-zugang', {}, revoke)).statusCode, 303);
  assert.equal((await api('GET', `/api/v1/applications/${id}`, token)).status, 401);
});

test('a token carries the level of the login that made it: a Führungszeugnis (hoch) needs a token from a login at hoch', async () => {
  const { token } = await tokenFor('U01', 'substantiell');
  const procedure = await procedureId(app, 'coburg', 'Führungszeugnis beantragen');
  const refused = await api('POST', '/api/v1/applications', token, { procedureId: procedure, ags: COBURG, startKey: 'app-fz-00001' });
  assert.equal(refused.status, 403);
  assert.deepEqual([refused.body.code, refused.body.neededLevel], ['LEVEL_TOO_LOW', 'hoch']);
  const high = await tokenFor('U01', 'hoch');
  const started = await api('POST', '/api/v1/applications', high.token, { procedureId: procedure, ags: COBURG, startKey: 'app-fz-00002' });
  assert.equal(started.status, 201);
  // The fee is paid before submission: the API says how much and where.
  const submit = await api('POST', `/api/v1/applications/${started.body.id}/submission`, high.token);
  assert.equal(submit.status, 422, 'first the answers are incomplete');
  assert.ok(submit.body.invalidParams.length > 0);
});

test('every applications API route is in the OpenAPI document with the citizen token as its security', async () => {
  const doc = (await app.server.inject('/api/openapi.json')).json() as { paths: Record<string, Record<string, { security?: unknown[] }>>; components: { securitySchemes: Record<string, { scheme: string }> } };
  const served = app.routes.filter((r) => r.url.startsWith('/api/v1/applications')).map((r) => `${r.method} ${r.url}`).filter((r) => !r.startsWith('HEAD')).sort();
  const documented = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/applications'))
    .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => {
      assert.deepEqual(op.security, [{ citizenToken: [] }], `${method} ${path}`);
      return `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
    })).sort();
  assert.deepEqual(documented, served);
  assert.equal(doc.components.securitySchemes.citizenToken!.scheme, 'bearer');
});

test('a token is marked used at most once a minute, and a submission answers with the application as a later read shows it', async () => {
  const { token } = await tokenFor('U03', 'substantiell');
  const lastUsed = async () => (await app.database.db.selectFrom('citizen_api_tokens').select('last_used_at').orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow()).last_used_at;
  assert.equal(await lastUsed(), null, 'not used yet');
  assert.equal((await api('GET', '/api/v1/applications', token)).status, 200);
  const first = await lastUsed();
  assert.ok(first instanceof Date);
  assert.equal((await api('GET', '/api/v1/applications', token)).status, 200);
  assert.equal((await lastUsed())?.getTime(), first.getTime(), 'a second use within the minute writes nothing');
  await app.database.db.updateTable('citizen_api_tokens').set({ last_used_at: new Date(Date.now() - 120_000) }).where('last_used_at', '=', first).execute();
  assert.equal((await api('GET', '/api/v1/applications', token)).status, 200);
  assert.ok((await lastUsed())!.getTime() > first.getTime() - 1000, 'after a minute the use is written again');

  const procedure = await procedureId(app, 'coburg', 'Hund zur Hundesteuer anmelden');
  const started = await api('POST', '/api/v1/applications', token, { procedureId: procedure, ags: COBURG, startKey: 'app-start-0002' });
  const id = started.body.id as string;
  for (const [step, values] of [['halter', HOLDER], ['hundeangaben', DOGS], ['ermaessigung', { ermaessigung_beantragt: false }], ['zahlung', { lastschrift: false }]] as const) {
    assert.equal((await api('PUT', `/api/v1/applications/${id}/steps/${step}`, token, { values })).status, 200);
  }
  const submitted = await api('POST', `/api/v1/applications/${id}/submission`, token);
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
  // Built from what the submission wrote, without reading it again: the same as a later read.
  const read = await api('GET', `/api/v1/applications/${id}`, token);
  assert.deepEqual(submitted.body.application, read.body);
});
