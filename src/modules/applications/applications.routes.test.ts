import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSealKeyStore, isSealValid, verifyPdfSeal } from '../../platform/pdf/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { COBURG, fillDogTax, HOLDER, procedureId as procedureIdOf, startDogTax as startDogTaxOf } from '../../../test/support/dog-tax.ts';

let app: TestApp;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
});
after(async () => app.dispose());

const MUENCHEN = '09162000';

const procedureId = (tenantSlug: string, name: string) => procedureIdOf(app, tenantSlug, name);

async function citizen(person = 'U02', level: 'niedrig' | 'substantiell' | 'hoch' = 'substantiell'): Promise<TestClient> {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person, level });
  return client;
}

const startDogTax = (client: TestClient, prefill = true) => startDogTaxOf(app, client, prefill);

test('a citizen applies from the start page to the receipt: prefilled, saved per step, validated, submitted once, sealed receipt', async () => {
  const client = await citizen();
  const applicationId = await startDogTax(client);

  // Resuming goes to the step where the person is; the identity's data is prefilled and marked.
  const resume = await client.get(`/antraege/${applicationId}`);
  assert.equal(resume.headers.location, `/antraege/${applicationId}/schritte/halter`);
  const first = html(await client.get(resume.headers.location));
  assert.equal(first.querySelector('input[name="f.familienname"]')?.getAttribute('value'), 'Schmidt');
  assert.equal(first.querySelector('input[name="f.anschrift.houseNumber"]')?.getAttribute('value'), '13');

  // An invalid step re-renders with the error summary and keeps what was typed; it is saved all the same.
  const base = `/antraege/${applicationId}/schritte`;
  const invalid = await client.submit(`${base}/halter`, { ...HOLDER, 'f.familienname': '', 'f.geburtsdatum': '31.02.1969', 'f.telefon': '0951 123' }, `${base}/halter`);
  assert.equal(invalid.statusCode, 400);
  const page = html(invalid);
  const links = page.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href'));
  assert.ok(links.includes('#f.familienname') && links.includes('#f.geburtsdatum'), links.join(' '));
  assert.equal(page.querySelector('input[name="f.geburtsdatum"]')?.getAttribute('value'), '31.02.1969');
  assert.equal(page.querySelector('input[name="f.telefon"]')?.getAttribute('value'), '0951 123');
  assert.match(page.querySelector('title')!.text, /^Fehler:/);

  await fillDogTax(client, applicationId);
  const check = html(await client.get(`/antraege/${applicationId}/pruefen`));
  assert.match(check.querySelector('main')!.text, /Bello/);
  assert.match(check.querySelector('main')!.text, /Dackel/);

  // Submitting twice (double click, replay) gives one application with one history entry.
  const [a, b] = await Promise.all([
    client.submit(`/antraege/${applicationId}/pruefen`, {}, `/antraege/${applicationId}/absenden`),
    client.submit(`/antraege/${applicationId}/pruefen`, {}, `/antraege/${applicationId}/absenden`),
  ]);
  assert.equal(a.statusCode, 303);
  assert.equal(b.statusCode, 303);
  const replay = await client.post(`/antraege/${applicationId}/absenden`, { _csrf: 'x' });
  assert.equal(replay.statusCode, 403, 'a replay without the session token is refused by CSRF');
  const row = await app.database.db.selectFrom('applications').selectAll().where('id', '=', applicationId).executeTakeFirstOrThrow();
  assert.equal(row.status, 'submitted');
  assert.match(row.reference ?? '', /^DA-\d{4}-\d{7}$/);
  assert.ok(!row.answers_enc.includes('Bello'), 'answers are encrypted at rest');
  const events = await app.database.db.selectFrom('application_events').selectAll().where('application_id', '=', applicationId).execute();
  assert.deepEqual(events.map((e) => [e.status, e.trust_level]), [['submitted', 'substantiell']]);
  const coburg = await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow();
  assert.equal(row.tenant_id, coburg.id, 'routed to the authority the finder names (Coburg for its dog tax)');

  const received = html(await client.get(`/antraege/${applicationId}?eingegangen=1`));
  assert.equal(received.querySelector('.reference')!.text, row.reference);
  assert.match(received.querySelector('.timeline')!.text, /Eingegangen/);

  // The notice e-mail says only that something arrived.
  const mails = (await app.database.db.selectFrom('outbound_mails').selectAll().execute())
    .map((m) => ({ to: app.cipher.decrypt(m.recipient_enc), subject: app.cipher.decrypt(m.subject_enc), text: app.cipher.decrypt(m.text_enc) }))
    .filter((m) => m.subject.startsWith('Ihr Antrag ist eingegangen'));
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.to, 'm-schmidt@example.com');
  assert.ok(mails[0]!.text.includes(row.reference!) && !mails[0]!.text.includes('Bello') && !mails[0]!.text.includes('Dackel'), 'no content in the notice');

  // The receipt is produced off the request path and verifies.
  await app.worker.drain();
  const pdf = await client.get(`/antraege/${applicationId}/eingangsbestaetigung.pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.match(String(pdf.headers['content-disposition']), /^attachment/);
  const anchors = await createSealKeyStore({ db: app.database.db, cipher: app.cipher, config: app.config.seal }).trustAnchors();
  const verification = await verifyPdfSeal(pdf.rawPayload, anchors);
  assert.ok(isSealValid(verification), JSON.stringify(verification));
  assert.match(verification.signer?.commonName ?? '', /^Digitales Amt/);

  // Another person sees none of it.
  const other = await citizen('U03');
  for (const url of [`/antraege/${applicationId}`, `/antraege/${applicationId}/pruefen`, `/antraege/${applicationId}/schritte/halter`, `/antraege/${applicationId}/eingangsbestaetigung.pdf`]) {
    assert.equal((await other.get(url)).statusCode, 404, url);
  }
  assert.doesNotMatch((await other.get('/antraege')).body, new RegExp(row.reference!));
  assert.match((await client.get('/antraege')).body, new RegExp(row.reference!));
});

test('the check page refuses to submit an incomplete application and links each error to its step', async () => {
  const client = await citizen('U04');
  const applicationId = await startDogTax(client, false);
  const submit = await client.submit(`/antraege/${applicationId}/pruefen`, {}, `/antraege/${applicationId}/absenden`);
  assert.equal(submit.statusCode, 400);
  const hrefs = html(submit).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href'));
  assert.ok(hrefs.includes(`/antraege/${applicationId}/schritte/halter#f.familienname`), hrefs.join(' '));
  const row = await app.database.db.selectFrom('applications').select('status').where('id', '=', applicationId).executeTakeFirstOrThrow();
  assert.equal(row.status, 'draft');
});

test('a start is idempotent, goes only to the responsible authority, and asks for a higher trust level where needed', async () => {
  const client = await citizen('U05');
  const id = await procedureId('coburg', 'Hund zur Hundesteuer anmelden');
  const page = html(await client.get(`/antraege/neu/${id}?ags=${COBURG}`));
  const startKey = page.querySelector('input[name="startKey"]')!.getAttribute('value')!;
  const csrf = page.querySelector(`form[action="/antraege/neu/${id}"] input[name="_csrf"]`)!.getAttribute('value')!;
  const one = await client.post(`/antraege/neu/${id}`, { _csrf: csrf, ags: COBURG, startKey });
  const two = await client.post(`/antraege/neu/${id}`, { _csrf: csrf, ags: COBURG, startKey });
  assert.equal(one.headers.location, two.headers.location, 'a double click finds the same draft');

  // München's citizens are not Coburg's to serve: no start button, and a forged start creates nothing.
  const elsewhere = html(await client.get(`/antraege/neu/${id}?ags=${MUENCHEN}`));
  assert.match(elsewhere.querySelector('main')!.text, /Landeshauptstadt München/);
  assert.equal(elsewhere.querySelector(`form[action="/antraege/neu/${id}"]`), null);
  const before = await app.database.db.selectFrom('applications').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const forged = await client.post(`/antraege/neu/${id}`, { _csrf: csrf, ags: MUENCHEN, startKey: crypto.randomUUID() });
  assert.equal(forged.statusCode, 303);
  const afterCount = await app.database.db.selectFrom('applications').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(afterCount.n), Number(before.n));

  // The Führungszeugnis needs level hoch: a substantiell login is sent to log in again, and back.
  const fz = await procedureId('coburg', 'Führungszeugnis beantragen');
  const fzPage = html(await client.get(`/antraege/neu/${fz}?ags=${COBURG}`));
  const login = fzPage.querySelector('a.button[href^="/anmelden"]')!.getAttribute('href')!;
  assert.equal(login, `/anmelden?niveau=hoch&weiter=${encodeURIComponent(`/antraege/neu/${fz}?ags=${COBURG}`)}`);
  const forcedStart = await client.post(`/antraege/neu/${fz}`, { _csrf: csrf, ags: COBURG, startKey: crypto.randomUUID() });
  assert.match(String(forcedStart.headers.location), /^\/anmelden\?niveau=hoch&weiter=/);
  const stepUp = await logInCitizen(client, { person: 'U05', level: 'hoch', returnTo: `/antraege/neu/${fz}?ags=${COBURG}` });
  assert.equal(stepUp.headers.location, `/antraege/neu/${fz}?ags=${COBURG}`);
  assert.ok(html(await client.get(stepUp.headers.location)).querySelector(`form[action="/antraege/neu/${fz}"]`), 'now the start form is offered');
});

test('anonymous visitors see the procedure and are asked to log in; the applicant pages need a login', async () => {
  const client = new TestClient(app.server);
  const id = await procedureId('coburg', 'Bauantrag online');
  const page = await client.get(`/antraege/neu/${id}?ags=${COBURG}`);
  assert.equal(page.statusCode, 200);
  assert.match(html(page).querySelector('main')!.text, /90 Tage/);
  assert.match((await client.get('/antraege')).headers.location as string, /^\/anmelden\?weiter=/);
  assert.equal((await client.get('/antraege/neu/not-a-uuid')).statusCode, 404);
});

test('a draft can be deleted by its owner only', async () => {
  const client = await citizen('U06');
  const applicationId = await startDogTax(client);
  const other = await citizen('U07');
  const list = await other.get('/antraege');
  const token = html(list).querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
  assert.equal((await other.post(`/antraege/${applicationId}/loeschen`, { _csrf: token })).statusCode, 404);
  const deleted = await client.submit('/antraege', {}, `/antraege/${applicationId}/loeschen`);
  assert.equal(deleted.statusCode, 303);
  assert.equal((await client.get(`/antraege/${applicationId}`)).statusCode, 404);
});

test('a malformed or hidden step is not found, never an error', async () => {
  const client = await citizen('U07');
  const applicationId = await startDogTax(client, false);
  assert.equal((await client.get(`/antraege/${applicationId}/schritte/${'x'.repeat(90)}`)).statusCode, 404);
  assert.equal((await client.get(`/antraege/${applicationId}/schritte/gibt-es-nicht`)).statusCode, 404);
});

test('questions revealed by an answer are asked on the same step, not reported as missing; once shown, they are required', async () => {
  const client = await citizen('U06');
  const id = await startDogTax(client);
  const base = `/antraege/${id}/schritte`;
  for (const [step, fields] of [['halter', HOLDER], ['hundeangaben', { 'f.hunde.count': '1', 'f.hunde.0.hund_name': 'Bello', 'f.hunde.0.rasse': 'Dackel', 'f.hunde.0.hund_geschlecht': 'ruede', 'f.hunde.0.wurfdatum': '01.03.2024', 'f.hunde.0.gehalten_seit': '01.06.2024', 'f.hunde.0.listenhund': 'no' }], ['ermaessigung', { 'f.ermaessigung_beantragt': 'no' }]] as const) {
    assert.equal((await client.submit(`${base}/${step}`, { ...fields, _action: 'continue' }, `${base}/${step}`)).statusCode, 303, step);
  }

  // Direct debit chosen: the account holder and the IBAN appear, listed as new questions, without errors.
  const revealed = await client.submit(`${base}/zahlung`, { 'f.lastschrift': 'yes', _action: 'continue' }, `${base}/zahlung`);
  assert.equal(revealed.statusCode, 200);
  const page = html(revealed);
  assert.equal(page.querySelector('.error-summary'), null);
  assert.deepEqual(page.querySelectorAll('[role="status"] a').map((a) => a.getAttribute('href')), ['#f.kontoinhaber', '#f.iban']);
  assert.ok(page.querySelector('input[name="f.iban"]'));
  assert.equal(page.querySelector('[aria-invalid="true"]'), null);
  assert.doesNotMatch(page.querySelector('title')!.text, /^Fehler:/);

  // Continued without answering them: now they are missing.
  const missing = await client.submit(`${base}/zahlung`, { 'f.lastschrift': 'yes', _action: 'continue' }, `${base}/zahlung`);
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(html(missing).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#f.kontoinhaber', '#f.iban']);
  assert.equal(html(missing).querySelector('[role="status"] a'), null);

  // Answered together with the choice (as a client that knows the form would): no stop, validated as usual.
  const back = await client.submit(`${base}/zahlung`, { 'f.lastschrift': 'no', _action: 'continue' }, `${base}/zahlung`);
  assert.equal(back.statusCode, 303);
  const together = await client.submit(`${base}/zahlung`, { 'f.lastschrift': 'yes', 'f.kontoinhaber': 'Manfred Schmidt', 'f.iban': 'DE00', _action: 'continue' }, `${base}/zahlung`);
  assert.equal(together.statusCode, 400);
  assert.deepEqual(html(together).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#f.iban']);
});

test('a change link of the check page returns there after the step, unless the change leaves a question to answer', async () => {
  const client = await citizen('U07');
  const id = await startDogTax(client);
  await fillDogTax(client, id);
  const check = html(await client.get(`/antraege/${id}/pruefen`));
  const change = check.querySelectorAll('.summary-list__action a').map((a) => a.getAttribute('href')!);
  assert.ok(change.includes(`/antraege/${id}/schritte/zahlung?pruefen=1#f.lastschrift`), change.join(' '));

  const step = `/antraege/${id}/schritte/zahlung?pruefen=1`;
  const page = html(await client.get(step));
  assert.equal(page.querySelector('form[method="post"][action$="?pruefen=1"]')?.getAttribute('action'), step);
  assert.equal(page.querySelector('a.back-link')?.getAttribute('href'), `/antraege/${id}/pruefen`);

  // Direct debit now: its questions are asked on the step first, then back to the check page.
  const revealed = await client.submit(step, { 'f.lastschrift': 'yes', _action: 'continue' }, step);
  assert.equal(revealed.statusCode, 200);
  assert.equal(html(revealed).querySelector('form[method="post"][action$="?pruefen=1"]')?.getAttribute('action'), step);
  const done = await client.submit(step, { 'f.lastschrift': 'yes', 'f.kontoinhaber': 'Manfred Schmidt', 'f.iban': 'DE89 3704 0044 0532 0130 00', _action: 'continue' }, step);
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `/antraege/${id}/pruefen`);
  assert.match(html(await client.get(`/antraege/${id}/pruefen`)).querySelector('main')!.text, /DE89 3704 0044 0532 0130 00/);

  // Without the parameter, the next step follows as before.
  const plain = await client.submit(`/antraege/${id}/schritte/ermaessigung`, { 'f.ermaessigung_beantragt': 'no', _action: 'continue' }, `/antraege/${id}/schritte/ermaessigung`);
  assert.equal(plain.headers.location, `/antraege/${id}/schritte/zahlung`);
});
