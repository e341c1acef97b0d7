import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { createSealKeyStore, isSealValid, renderPdf, verifyPdfSeal } from '../../platform/pdf/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { submitDogTax } from '../../../test/support/dog-tax.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { verifyCaseTrail } from '../case-trail/index.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';

async function citizen(person = 'U02'): Promise<TestClient> {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person, level: 'substantiell' });
  return client;
}

async function caseworker(): Promise<TestClient> {
  return (await logInStaff(app, CASEWORKER)).client;
}

const mailsTo = async (subjectStart: string) => (await app.database.db.selectFrom('outbound_mails').selectAll().execute())
  .map((m) => ({ to: app.cipher.decrypt(m.recipient_enc), subject: app.cipher.decrypt(m.subject_enc), text: app.cipher.decrypt(m.text_enc) }))
  .filter((m) => m.subject.startsWith(subjectStart));

const caseStatus = async (id: string) => {
  const row = await app.database.db.selectFrom('cases').innerJoin('applications', 'applications.id', 'cases.id')
    .select(['cases.status as caseStatus', 'applications.status as applicationStatus', 'cases.answered_at']).where('cases.id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.caseStatus, row.applicationStatus, 'case and application agree');
  return row;
};

test('a submission becomes a case in the responsible tenant\'s inbox, found by number and by name, never by another tenant', async () => {
  const applicant = await citizen('U02');
  const { id, reference } = await submitDogTax(app, applicant, 'Rex');
  const staff = await caseworker();

  const inbox = html(await staff.get('/verwaltung/vorgaenge'));
  const row = inbox.querySelectorAll('table.inbox tbody tr').find((r) => r.text.includes(reference));
  assert.ok(row, 'the new case is in the open inbox');
  assert.match(row.text, /Eingegangen/);
  assert.match(row.text, /Niemandem zugewiesen/);

  const byNumber = html(await staff.get(`/verwaltung/vorgaenge?q=${reference.toLowerCase()}&status=all`));
  assert.deepEqual(byNumber.querySelectorAll('table.inbox tbody tr a').map((a) => a.text), [reference]);
  const stored = await app.database.db.selectFrom('cases').select(['applicant_name_enc', 'applicant_terms']).where('id', '=', id).executeTakeFirstOrThrow();
  const name = app.cipher.decrypt(stored.applicant_name_enc!);
  assert.ok(!JSON.stringify(stored).includes(name.split(' ').at(-1)!), 'the name is stored encrypted and only as keyed hashes');
  const familyName = name.split(' ').at(-1)!;
  const byName = html(await staff.get(`/verwaltung/vorgaenge?q=${encodeURIComponent(familyName.toUpperCase())}&status=all`));
  assert.ok(byName.querySelectorAll('table.inbox tbody tr a').some((a) => a.text === reference), `found by "${familyName}"`);
  const nobody = html(await staff.get('/verwaltung/vorgaenge?q=Niemandsname&status=all'));
  assert.equal(nobody.querySelectorAll('table.inbox tbody tr').length, 0);

  const bad = await staff.get('/verwaltung/vorgaenge?status=kaputt&zustaendig=jeder');
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(html(bad).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#status', '#zustaendig']);

  // The district office's staff neither list nor open the town's case.
  const other = (await logInStaff(app, 'verwaltung@landkreis-coburg.demo.digitales-amt.de')).client;
  const otherInbox = await other.get(`/verwaltung/vorgaenge?q=${reference}&status=all`);
  assert.equal(otherInbox.statusCode, 200);
  assert.equal(html(otherInbox).querySelectorAll('table.inbox tbody tr').length, 0);
  assert.equal((await other.get(`/verwaltung/vorgaenge/${id}`)).statusCode, 404);
});

test('the workflow allows only declared steps, with a clear message for an illegal one, and keeps the applicant\'s history in step', async () => {
  const applicant = await citizen('U03');
  const { id } = await submitDogTax(app, applicant);
  const staff = await caseworker();
  const page = `/verwaltung/vorgaenge/${id}`;

  const buttons = html(await staff.get(page)).querySelectorAll(`form[action="${page}/status"] button`).map((b) => b.getAttribute('value'));
  assert.deepEqual(buttons.sort(), ['in_progress', 'rejected']);

  const illegal = await staff.submit(page, { to: 'closed' }, `${page}/status`);
  assert.equal(illegal.statusCode, 409);
  assert.match(html(illegal).querySelector('.error-summary')!.text, /„Eingegangen“ ist der Schritt zu „Abgeschlossen“ nicht erlaubt/);
  assert.equal((await caseStatus(id)).caseStatus, 'submitted');

  const noReason = await staff.submit(page, { to: 'rejected', reason: '' }, `${page}/status`);
  assert.equal(noReason.statusCode, 400);
  assert.equal(html(noReason).querySelector('.error-summary a')!.getAttribute('href'), '#reason');

  const start = await staff.submit(page, { to: 'in_progress' }, `${page}/status`);
  assert.equal(start.statusCode, 303);
  assert.equal((await caseStatus(id)).caseStatus, 'in_progress');
  const history = html(await applicant.get(`/antraege/${id}`)).querySelector('.timeline')!.text;
  assert.match(history, /In Bearbeitung/);

  // Assigned to me, the case shows in "assigned to me"; an internal note never reaches the applicant.
  const me = await staff.submit(page, { assignee: html(await staff.get(page)).querySelector('#assignee option:last-child')!.getAttribute('value')! }, `${page}/zuweisung`);
  assert.equal(me.statusCode, 303);
  const secret = `Interner Vermerk ${Date.now()}`;
  assert.equal((await staff.submit(page, { text: secret }, `${page}/notizen`)).statusCode, 303);
  assert.match(html(await staff.get(page)).querySelector('.notes')!.text, new RegExp(secret));
  for (const url of [`/antraege/${id}`, '/postfach', '/konto/daten']) {
    const res = await applicant.get(url);
    assert.ok(!res.body.includes(secret), `${url} shows no internal note`);
  }
  const note = await app.database.db.selectFrom('case_notes').select('body_enc').where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.ok(!Buffer.from(note.body_enc).toString('latin1').includes('Interner'), 'notes are encrypted at rest');
  const emptyNote = await staff.submit(page, { text: '  ' }, `${page}/notizen`);
  assert.equal(emptyNote.statusCode, 400);
  assert.equal(html(emptyNote).querySelector('.error-summary a')!.getAttribute('href'), '#text');
});

test('request for information, reply in the mailbox, sealed decision, retrieval as notification: the whole case over HTTP', async () => {
  const applicant = await citizen('U04');
  const { id, reference } = await submitDogTax(app, applicant, 'Luna');
  const staff = await caseworker();
  const page = `/verwaltung/vorgaenge/${id}`;

  // The request: a date in the past is refused with the values kept.
  const past = await staff.submit(`${page}/nachforderung`, { text: 'Bitte den Impfpass hochladen.', dueDate: '01.01.2020' }, `${page}/nachforderung`);
  assert.equal(past.statusCode, 400);
  assert.equal(html(past).querySelector('textarea[name="text"]')!.text, 'Bitte den Impfpass hochladen.');
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10).split('-').reverse().join('.');
  const sent = await staff.submit(`${page}/nachforderung`, { text: 'Bitte den Impfpass hochladen.', dueDate: due }, `${page}/nachforderung`);
  assert.equal(sent.statusCode, 303, html(sent).querySelector('.error-summary')?.text);
  assert.equal((await caseStatus(id)).caseStatus, 'waiting');
  const notices = await mailsTo('Neue Nachricht');
  assert.ok(notices.length >= 1 && notices.every((m) => !m.text.includes('Impfpass')), 'the notice carries no content');

  // The applicant sees the unread message in the header, finds it in the mailbox and answers with a document.
  assert.match(html(await applicant.get('/konto')).querySelector('.site-nav')!.text, /Postfach\s*1\s*ungelesen/);
  const threads = html(await applicant.get('/postfach'));
  const threadLink = threads.querySelectorAll('a').map((a) => a.getAttribute('href') ?? '').find((h) => /^\/postfach\/[0-9a-f-]{36}$/.test(h));
  assert.ok(threadLink, 'a case thread in the mailbox');
  assert.match(html(await applicant.get(threadLink)).querySelector('main')!.text, /Impfpass/);
  assert.doesNotMatch(html(await applicant.get('/konto')).querySelector('.site-nav')!.text, /ungelesen/, 'read once opened');
  const pdfFile = Buffer.from(await renderPdf({ title: 'Impfpass', author: 'Tierarzt', blocks: [{ kind: 'paragraph', text: 'Tollwutimpfung 2026' }] }));
  const reply = await applicant.submitMultipart(threadLink, [{ field: 'anhaenge', name: 'impfpass.pdf', type: 'application/pdf', content: pdfFile }], { text: 'Anbei der Impfpass.' });
  assert.equal(reply.statusCode, 303, reply.body.slice(0, 400));
  const answered = await caseStatus(id);
  assert.equal(answered.caseStatus, 'in_progress');
  assert.ok(answered.answered_at, 'marked as answered');
  const request = await app.database.db.selectFrom('information_requests').selectAll().where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(request.status, 'answered');
  const inbox = html(await staff.get('/verwaltung/vorgaenge?beantwortet=1'));
  assert.ok(inbox.querySelectorAll('table.inbox tbody tr').some((r) => r.text.includes(reference) && /beantwortet/.test(r.text)));

  // The case page shows the reply; looking at it clears the marker.
  const casePage = html(await staff.get(page));
  assert.match(casePage.querySelector('.messages')!.text, /Anbei der Impfpass/);
  const replyFile = casePage.querySelectorAll('.messages a').find((a) => a.text.includes('impfpass.pdf'));
  assert.ok(replyFile, 'the document sent with the reply is on the case page');
  const download = await staff.get(replyFile.getAttribute('href')!);
  assert.equal(download.statusCode, 200);
  assert.match(String(download.headers['content-disposition']), /^attachment/);
  assert.equal((await caseStatus(id)).answered_at, null);

  // The decision: the outcome chosen, proposed from its template with the case data, edited, issued once.
  const form = html(await staff.get(`${page}/bescheid?ergebnis=granted`));
  const body = form.querySelector('textarea[name="body"]')!.text;
  assert.match(body, new RegExp(reference));
  assert.match(body, /Rechtsbehelfsbelehrung/);
  const edited = `${body}\n\nZusatz: Die Steuermarke wird zugesandt.`;
  const invalid = await staff.submit(`${page}/bescheid?ergebnis=granted`, { outcome: 'granted', title: 'Bescheid', body: 'kurz', fee: 'zwölf', action: 'issue' }, `${page}/bescheid`);
  assert.equal(invalid.statusCode, 400);
  assert.deepEqual(html(invalid).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#body', '#fee']);
  assert.equal((await caseStatus(id)).caseStatus, 'in_progress', 'nothing issued on bad input');
  const fields = { outcome: 'granted', title: 'Bescheid über die Hundesteuer', body: edited, fee: '0,00', action: 'issue' };
  const issued = await staff.submit(`${page}/bescheid?ergebnis=granted`, fields, `${page}/bescheid`);
  assert.equal(issued.statusCode, 303, html(issued).querySelector('.error-summary')?.text);
  const csrf = html(await staff.get(page)).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const again = await staff.post(`${page}/bescheid`, { _csrf: csrf, ...fields });
  assert.equal(again.statusCode, 303, 'a retried issue answers like the first');
  const decisions = await app.database.db.selectFrom('decisions').selectAll().where('case_id', '=', id).execute();
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0]!.status, 'issued');
  assert.equal((await caseStatus(id)).caseStatus, 'decided');
  assert.equal(decisions[0]!.notified_at, null);

  // The applicant retrieves it from the mailbox: that is the notification time, recorded once.
  const thread = html(await applicant.get(threadLink));
  const pdfLink = thread.querySelectorAll('a').map((a) => a.getAttribute('href') ?? '').find((h) => h.includes('/anhaenge/') && !h.endsWith(request.answer_message_id ?? 'x'));
  const decisionLink = thread.querySelectorAll('a').filter((a) => /Bescheid-/.test(a.text)).map((a) => a.getAttribute('href'))[0] ?? pdfLink;
  assert.ok(decisionLink, 'the decision is attached in the mailbox');
  const pdf = await applicant.get(decisionLink);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  const notified = await app.database.db.selectFrom('decisions').select('notified_at').where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.ok(notified.notified_at, 'Bekanntgabe recorded');
  await applicant.get(decisionLink);
  const still = await app.database.db.selectFrom('decisions').select('notified_at').where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(still.notified_at!.getTime(), notified.notified_at.getTime(), 'only the first retrieval counts');

  // The seal is the tenant's and verifies, here and with Debian's pdfsig.
  const anchors = await createSealKeyStore({ db: app.database.db, cipher: app.cipher, config: app.config.seal }).trustAnchors();
  const verification = await verifyPdfSeal(pdf.rawPayload, anchors);
  assert.ok(isSealValid(verification), JSON.stringify(verification));
  assert.match(JSON.stringify(verification), /Coburg/);
  const dir = await mkdtemp(path.join(tmpdir(), 'bescheid-'));
  const file = path.join(dir, 'bescheid.pdf');
  await writeFile(file, pdf.rawPayload);
  const { stdout } = await promisify(execFile)('pdfsig', [file]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  assert.match(stdout, /Signature is Valid/);
  assert.match(pdf.rawPayload.toString('latin1'), /pdfaid:part/);

  // The staff sees the time of notification, the history, and the trail verifies.
  const after = html(await staff.get(page)).querySelector('main')!.text;
  assert.match(after, /Abgerufen \(bekanntgegeben\)/);
  assert.match(after, /Nachforderung beantwortet/);
  assert.match(after, /Bescheid erlassen/);
  assert.deepEqual(await verifyCaseTrail(app.database.db), { ok: true, checked: (await verifyCaseTrail(app.database.db)).checked });
  const close = await staff.submit(page, { to: 'closed' }, `${page}/status`);
  assert.equal(close.statusCode, 303);
  assert.equal((await caseStatus(id)).caseStatus, 'closed');
});

test('the applicant withdraws an application in processing; afterwards the authority can only close it', async () => {
  const applicant = await citizen('U07');
  const { id } = await submitDogTax(app, applicant, 'Nala');
  assert.match(html(await applicant.get(`/antraege/${id}`)).querySelector('main')!.text, /Antrag zurückziehen/);
  const withdrawn = await applicant.submit(`/antraege/${id}/zurueckziehen`, {}, `/antraege/${id}/zurueckziehen`);
  assert.equal(withdrawn.statusCode, 303);
  assert.equal((await caseStatus(id)).caseStatus, 'withdrawn');
  const events = await app.database.db.selectFrom('application_events').select(['status', 'actor_type', 'trust_level']).where('application_id', '=', id).orderBy('id').execute();
  assert.deepEqual(events.at(-1), { status: 'withdrawn', actor_type: 'citizen', trust_level: 'substantiell' });
  const twice = await applicant.get(`/antraege/${id}/zurueckziehen`);
  assert.match(html(twice).querySelector('main')!.text, /kann der Antrag nicht mehr zurückgezogen werden/);

  const staff = await caseworker();
  const page = `/verwaltung/vorgaenge/${id}`;
  const buttons = html(await staff.get(page)).querySelectorAll(`form[action="${page}/status"] button`).map((b) => b.getAttribute('value'));
  assert.deepEqual(buttons, ['closed']);
  // Another person cannot withdraw (or even see) it.
  const stranger = await citizen('U05');
  assert.equal((await stranger.get(`/antraege/${id}/zurueckziehen`)).statusCode, 404);
});
