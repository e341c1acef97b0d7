import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSealKeyStore, isSealValid, verifyPdfSeal } from '../../platform/pdf/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { COBURG, DOG, fillDogTax, HOLDER, procedureId as procedureIdOf, startDogTax as startDogTaxOf } from '../../../test/support/dog-tax.ts';

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

/** A Hundesteuer draft answered up to the payment step (direct debit not yet chosen). */
async function draftAtPayment(client: TestClient): Promise<string> {
  const id = await startDogTax(client);
  const base = `/antraege/${id}/schritte`;
  for (const [step, fields] of [['halter', HOLDER], ['hundeangaben', DOG], ['ermaessigung', { 'f.ermaessigung_beantragt': 'no' }]] as const) {
    assert.equal((await client.submit(`${base}/${step}`, { ...fields, _action: 'continue' }, `${base}/${step}`)).statusCode, 303, step);
  }
  return id;
}

const storedRow = (id: string) => app.database.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const storedAnswers = async (id: string) => JSON.parse(app.cipher.decrypt((await storedRow(id)).answers_enc)) as Record<string, unknown>;

test('a step holds its conditional questions hidden in place; a value posted for a hidden question is neither stored nor an error', async () => {
  const client = await citizen('U11');
  const id = await draftAtPayment(client);
  const step = `/antraege/${id}/schritte/zahlung`;
  const page = html(await client.get(step));
  for (const name of ['f.kontoinhaber', 'f.iban']) {
    const item = page.querySelector(`[data-condition="${name}"]`);
    assert.ok(item, `${name} is on the page`);
    assert.ok(item.hasAttribute('hidden'), `${name} is hidden`);
    assert.ok(item.querySelector(`input[name="${name}"]`)!.hasAttribute('disabled'), `${name} is not sent without JavaScript`);
    assert.equal(item.getAttribute('data-required-if'), name);
  }
  assert.equal(page.querySelector('form[data-conditions]')?.getAttribute('data-conditions'), `${step}/bedingungen`);
  assert.match(page.querySelector('[data-conditions-status]')?.getAttribute('data-shown-text') ?? '', /weitere Fragen/);
  assert.equal(page.querySelector('[data-conditions-status]')?.getAttribute('aria-live'), 'polite');

  // Posted anyway (a tampered form, or a field the page still had): dropped, and not checked (the IBAN is invalid).
  const posted = await client.submit(step, { 'f.lastschrift': 'no', 'f.kontoinhaber': 'Heimlich', 'f.iban': 'DE00', _action: 'continue' }, step);
  assert.equal(posted.statusCode, 303, html(posted).querySelector('.error-summary')?.text);
  assert.equal(posted.headers.location, `/antraege/${id}/pruefen`);
  const answers = await storedAnswers(id);
  assert.equal(answers.lastschrift, false);
  assert.ok(!('kontoinhaber' in answers) && !('iban' in answers), JSON.stringify(Object.keys(answers)));
  assert.doesNotMatch(html(await client.get(`/antraege/${id}/pruefen`)).querySelector('main')!.text, /Heimlich/);
});

test('the conditions endpoint answers what the step shows for the answers on the page, stores nothing, and only for the owner', async () => {
  const client = await citizen('U12');
  const id = await draftAtPayment(client);
  const step = `/antraege/${id}/schritte/zahlung`;
  const url = `${step}/bedingungen`;
  const csrf = html(await client.get(step)).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const json = { accept: 'application/json' };
  const before = JSON.stringify(await storedRow(id));

  const yes = await client.post(url, { _csrf: csrf, 'f.lastschrift': 'yes', 'f.kontoinhaber': 'Manfred Schmidt' }, json);
  assert.equal(yes.statusCode, 200, yes.body);
  assert.match(String(yes.headers['content-type']), /^application\/json/);
  assert.deepEqual(yes.json(), { visible: ['f.kontoinhaber', 'f.iban'], required: ['f.kontoinhaber', 'f.iban'] });
  assert.deepEqual((await client.post(url, { _csrf: csrf, 'f.lastschrift': 'no' }, json)).json(), { visible: [], required: [] });
  assert.deepEqual((await client.post(url, { _csrf: csrf }, json)).json(), { visible: [], required: [] }, 'nothing answered on the page: nothing shown');
  // Read over the saved draft: the dog, saved on its own step, decides the questions of its step.
  const dogs = await client.post(`/antraege/${id}/schritte/hundeangaben/bedingungen`, { _csrf: csrf, ...DOG, 'f.hunde.0.listenhund': 'yes' }, json);
  assert.deepEqual(dogs.json(), { visible: ['f.hunde.0.kategorie', 'f.hunde.0.erlaubnis'], required: ['f.hunde.0.kategorie', 'f.hunde.0.erlaubnis'] });
  assert.equal(JSON.stringify(await storedRow(id)), before, 'nothing is stored');

  // Refused as problem+json: without the session's CSRF token, with input that is not a step's fields,
  // for an unknown step, and for another person's draft (not found, as the step itself).
  const problem = (res: Awaited<ReturnType<TestClient['post']>>, status: number, code: string) => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, code);
  };
  problem(await client.post(url, { _csrf: 'falsch', 'f.lastschrift': 'yes' }, json), 403, 'CSRF_INVALID');
  problem(await client.post(url, { _csrf: csrf, [`f.${'x'.repeat(400)}`]: 'yes' }, json), 400, 'BAD_REQUEST');
  problem(await client.postMultipart(url, { _csrf: csrf, 'f.lastschrift': 'yes' }, [], json), 400, 'BAD_REQUEST');
  problem(await client.post(`/antraege/${id}/schritte/gibt-es-nicht/bedingungen`, { _csrf: csrf }, json), 404, 'NOT_FOUND');
  const other = await citizen('U03');
  const otherCsrf = html(await other.get(`/antraege/${await startDogTax(other)}/schritte/halter`)).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  problem(await other.post(url, { _csrf: otherCsrf, 'f.lastschrift': 'yes' }, json), 404, 'NOT_FOUND');
  problem(await new TestClient(app.server).post(url, { 'f.lastschrift': 'yes' }, json), 403, 'CSRF_INVALID');
  assert.equal(JSON.stringify(await storedRow(id)), before, 'still nothing stored');

  // Once submitted there is no draft step to ask about.
  await client.submit(step, { 'f.lastschrift': 'no', _action: 'continue' }, step);
  assert.equal((await client.submit(`/antraege/${id}/pruefen`, {}, `/antraege/${id}/absenden`)).statusCode, 303);
  problem(await client.post(url, { _csrf: csrf, 'f.lastschrift': 'yes' }, json), 404, 'NOT_FOUND');
});

test('with questions shown as the answers changed (JavaScript), continuing reports them as missing instead of listing them as new', async () => {
  const client = await citizen('U04');
  const id = await draftAtPayment(client);
  const step = `/antraege/${id}/schritte/zahlung`;
  const live = await client.submit(step, { 'f.lastschrift': 'yes', _live: '1', _action: 'continue' }, step);
  assert.equal(live.statusCode, 400);
  assert.deepEqual(html(live).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#f.kontoinhaber', '#f.iban']);
  assert.equal(html(live).querySelector('[role="status"] a'), null);
  // The page shown again follows the posted answers: the questions are visible, required, enabled.
  const item = html(live).querySelector('[data-condition="f.kontoinhaber"]')!;
  assert.ok(!item.hasAttribute('hidden'));
  assert.ok(!item.querySelector('input')!.hasAttribute('disabled'));
  assert.equal(item.querySelector('input')!.getAttribute('aria-required'), 'true');
});
