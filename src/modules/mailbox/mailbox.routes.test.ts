/**
 * The mailbox over real HTTP: read and retrieval receipts, the hooks for the cases module, replies
 * with attachments checked by content and size, tenant isolation, shared organisation mailboxes,
 * content-free notices, unread counts, and key rotation with re-encryption.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, type TestClient } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { renderPdf } from '../../platform/pdf/index.ts';
import type { MailboxHooks } from './mailbox.types.ts';
import { insertCase, logInPerson, mailboxDepsOf, tenantIdOf } from './mailbox.test-support.ts';
import {
  caseThreadId, deleteCaseMailbox, ensureCaseThread, listThreadForStaff, postToApplicant, reencryptMailbox, unreadCountForApplicant,
} from './index.ts';

let app: TestApp;
let pdf: Uint8Array;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  pdf = await renderPdf({ title: 'Nachweis', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Ein Nachweis' }] });
});
after(async () => app.dispose());

const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const OTHER_TENANT_ADMIN = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

/** Records every hook call; replaces the app's hooks for one test. */
function recordHooks(): { applicant: Parameters<NonNullable<MailboxHooks['onApplicantMessage']>>[1][]; retrieval: Parameters<NonNullable<MailboxHooks['onFirstRetrieval']>>[1][] } {
  const calls = { applicant: [] as never[], retrieval: [] as never[] } as ReturnType<typeof recordHooks>;
  app.mailboxHooks.onApplicantMessage = async (tx, event) => {
    // Inside the mailbox's transaction: the message is already visible there.
    assert.ok(await tx.selectFrom('mailbox_messages').select('id').where('id', '=', event.messageId).executeTakeFirst());
    calls.applicant.push(event);
  };
  app.mailboxHooks.onFirstRetrieval = async (_tx, event) => { calls.retrieval.push(event); };
  return calls;
}

/** A case of Coburg with its thread and one message (with a PDF attachment) from the caseworker. */
async function caseWithMessage(owner: { accountId: string; organisationId: string | null }, body = 'Bitte reichen Sie den Impfpass nach.') {
  const deps = mailboxDepsOf(app);
  const { caseId, tenantId } = await insertCase(app, 'coburg', owner);
  const posted = await app.database.db.transaction().execute(async (tx) => {
    const threadId = await ensureCaseThread(tx, deps, { tenantId, caseId, ...owner, subject: 'Hundesteuer DA-TEST' });
    assert.equal(await ensureCaseThread(tx, deps, { tenantId, caseId, ...owner, subject: 'zweimal' }), threadId, 'one thread per case');
    const message = await postToApplicant(tx, deps, {
      tenantId, threadId, kind: 'information_request', senderStaffId: null, body,
      attachments: [{ fileName: 'Bescheid Entwurf.pdf', mediaType: 'application/pdf', bytes: pdf }],
    });
    return { threadId, ...message };
  });
  return { caseId, tenantId, ...posted };
}

async function replyForm(client: TestClient, url: string) {
  const page = html(await client.get(url));
  const form = page.querySelector(`form[action="${url}"][enctype="multipart/form-data"]`);
  assert.ok(form, `reply form on ${url}`);
  return form.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
}

test('the citizen opens a thread (read receipt), downloads the attachment (retrieval receipt, hook once) and the counts follow', async () => {
  const calls = recordHooks();
  const { client, owner } = await logInPerson(app, 'U04');
  const before = await unreadCountForApplicant(app.database.db, owner);
  const posted = await caseWithMessage(owner);
  assert.equal(await unreadCountForApplicant(app.database.db, owner), before + 1);

  const list = html(await client.get('/postfach'));
  const row = list.querySelector(`a[href="/postfach/${posted.threadId}"]`);
  assert.ok(row, 'the thread is listed');
  assert.match(list.querySelector('main')!.text, /1 ungelesene Nachricht/);
  let stored = await app.database.db.selectFrom('mailbox_messages').selectAll().where('id', '=', posted.messageId).executeTakeFirstOrThrow();
  assert.equal(stored.read_at, null);
  assert.ok(!Buffer.from(stored.body_enc).includes(Buffer.from('Impfpass')), 'the body is stored encrypted');

  const thread = await client.get(`/postfach/${posted.threadId}`);
  assert.equal(thread.statusCode, 200);
  assert.match(html(thread).querySelector('main')!.text, /Bitte reichen Sie den Impfpass nach\./);
  stored = await app.database.db.selectFrom('mailbox_messages').selectAll().where('id', '=', posted.messageId).executeTakeFirstOrThrow();
  assert.ok(stored.read_at instanceof Date, 'opening the thread is the read receipt');
  assert.equal(stored.retrieved_at, null);
  assert.equal(await unreadCountForApplicant(app.database.db, owner), before);

  const link = html(thread).querySelector(`a[href="/postfach/${posted.threadId}/anhaenge/${posted.attachmentIds[0]}"]`);
  assert.ok(link, 'the attachment is linked');
  const download = await client.get(link.getAttribute('href')!);
  assert.equal(download.statusCode, 200);
  assert.match(String(download.headers['content-disposition']), /^attachment; filename="Bescheid Entwurf\.pdf"/);
  assert.deepEqual(Buffer.from(download.rawPayload), Buffer.from(pdf));
  stored = await app.database.db.selectFrom('mailbox_messages').selectAll().where('id', '=', posted.messageId).executeTakeFirstOrThrow();
  const retrievedAt = stored.retrieved_at;
  assert.ok(retrievedAt instanceof Date, 'the first download is the retrieval receipt');
  assert.equal(calls.retrieval.length, 1);
  assert.deepEqual({ ...calls.retrieval[0], at: undefined }, { tenantId: posted.tenantId, caseId: posted.caseId, messageId: posted.messageId, kind: 'information_request', at: undefined });

  // A second download changes nothing and does not call the hook again.
  assert.equal((await client.get(link.getAttribute('href')!)).statusCode, 200);
  stored = await app.database.db.selectFrom('mailbox_messages').selectAll().where('id', '=', posted.messageId).executeTakeFirstOrThrow();
  assert.equal(stored.retrieved_at?.getTime(), retrievedAt.getTime());
  assert.equal(calls.retrieval.length, 1);
});

test('a reply with a forged or oversized file is refused with a field error and nothing is stored; a good one reaches the caseworker', async () => {
  const calls = recordHooks();
  const { client, owner } = await logInPerson(app, 'U05');
  const posted = await caseWithMessage(owner);
  const url = `/postfach/${posted.threadId}`;
  const count = async () => ({
    messages: (await app.database.db.selectFrom('mailbox_messages').select('id').where('thread_id', '=', posted.threadId).execute()).length,
    uploads: (await app.database.db.selectFrom('uploads').select('id').where('owner_kind', '=', 'mailbox-message').execute()).length,
  });
  const before = await count();

  const forged = await client.postMultipart(url, { _csrf: await replyForm(client, url), text: 'Hier der Nachweis' },
    [{ field: 'anhaenge', fileName: 'nachweis.pdf', type: 'application/pdf', bytes: Buffer.from('#!/bin/sh\nrm -rf /\n') }]);
  assert.equal(forged.statusCode, 400);
  const refused = html(forged);
  assert.equal(refused.querySelector('.error-summary a')!.getAttribute('href'), '#anhaenge');
  assert.match(refused.querySelector('.error-summary')!.text, /„nachweis\.pdf“ muss ein PDF oder ein Bild/);
  assert.equal(refused.querySelector('textarea[name="text"]')!.text, 'Hier der Nachweis', 'the text is kept');
  assert.equal(refused.querySelector('input#anhaenge')!.getAttribute('aria-invalid'), 'true');

  const big = await client.postMultipart(url, { _csrf: await replyForm(client, url), text: 'Groß' },
    [{ field: 'anhaenge', fileName: 'gross.pdf', type: 'application/pdf', bytes: Buffer.concat([Buffer.from(pdf), Buffer.alloc(11 * 1024 * 1024)]) }]);
  assert.equal(big.statusCode, 400);
  assert.match(html(big).querySelector('.error-summary')!.text, /zu groß \(höchstens 10 MB\)/);

  const empty = await client.postMultipart(url, { _csrf: await replyForm(client, url), text: '  ' });
  assert.equal(empty.statusCode, 400);
  assert.equal(html(empty).querySelector('.error-summary a')!.getAttribute('href'), '#text');
  assert.deepEqual(await count(), before, 'nothing refused is stored');
  assert.equal(calls.applicant.length, 0);

  const good = await client.postMultipart(url, { _csrf: await replyForm(client, url), text: 'Anbei der Impfpass.' },
    [{ field: 'anhaenge', fileName: 'Impfpass.pdf', type: 'application/octet-stream', bytes: pdf }]);
  assert.equal(good.statusCode, 303, html(good).querySelector('.error-summary')?.text);
  assert.equal(good.headers.location, `${url}?gesendet=1`);
  assert.deepEqual(await count(), { messages: before.messages + 1, uploads: before.uploads + 1 });
  const reply = await app.database.db.selectFrom('mailbox_messages').selectAll().where('thread_id', '=', posted.threadId).where('direction', '=', 'to_authority').executeTakeFirstOrThrow();
  assert.equal(reply.trust_level, 'substantiell', 'the trust level of the login is recorded');
  assert.equal(reply.sender_account_id, owner.accountId);
  assert.deepEqual(calls.applicant, [{ tenantId: posted.tenantId, caseId: posted.caseId, threadId: posted.threadId, messageId: reply.id, trustLevel: 'substantiell' }]);

  // The caseworker sees the reply as unread, opens it (read by the authority) and downloads the file.
  const { client: staff } = await logInStaff(app, CASEWORKER);
  const staffList = html(await staff.get('/verwaltung/postfach'));
  assert.ok(staffList.querySelector(`a[href="/verwaltung/postfach/${posted.threadId}"]`));
  const staffThread = await staff.get(`/verwaltung/postfach/${posted.threadId}`);
  assert.equal(staffThread.statusCode, 200);
  assert.match(html(staffThread).querySelector('main')!.text, /Anbei der Impfpass\..*Vertrauensniveau der Anmeldung: substantiell/s);
  assert.match(html(staffThread).querySelector('main')!.text, /Antragsteller\/in\s*Jochen Bittel/, 'whom the caseworker writes to');
  const readByAuthority = await app.database.db.selectFrom('mailbox_messages').select('read_at').where('id', '=', reply.id).executeTakeFirstOrThrow();
  assert.ok(readByAuthority.read_at instanceof Date);
  const upload = await app.database.db.selectFrom('uploads').select('id').where('owner_kind', '=', 'mailbox-message').where('owner_id', '=', reply.id).executeTakeFirstOrThrow();
  const staffDownload = await staff.get(`/verwaltung/postfach/${posted.threadId}/anhaenge/${upload.id}`);
  assert.equal(staffDownload.statusCode, 200);
  assert.match(String(staffDownload.headers['content-disposition']), /^attachment/);
  const preview = await staff.get(`/verwaltung/postfach/${posted.threadId}/anhaenge/${upload.id}?vorschau=1`);
  assert.match(String(preview.headers['content-disposition']), /^inline/);
  assert.match(String(preview.headers['content-security-policy']), /sandbox/);
  assert.equal(calls.retrieval.length, 0, 'the authority retrieving is no notification of the applicant');
});

test('staff answer with an attachment; the notice e-mail carries no content and respects the preference', async () => {
  recordHooks();
  const { client, owner } = await logInPerson(app, 'U06');
  const posted = await caseWithMessage(owner, 'Erste Nachricht');
  const db = app.database.db;
  const mailsBefore = await db.selectFrom('outbound_mails').select('id').execute();
  const { client: staff } = await logInStaff(app, CASEWORKER);
  const url = `/verwaltung/postfach/${posted.threadId}`;
  const bad = await staff.postMultipart(url, { _csrf: await replyForm(staff, url), text: '' });
  assert.equal(bad.statusCode, 400);
  const sent = await staff.postMultipart(url, { _csrf: await replyForm(staff, url), text: 'GEHEIMER INHALT: Ihr Hund ist angemeldet.' },
    [{ field: 'anhaenge', fileName: 'Steuermarke.pdf', bytes: pdf }]);
  assert.equal(sent.statusCode, 303, html(sent).querySelector('.error-summary')?.text);

  const mails = (await db.selectFrom('outbound_mails').selectAll().execute()).filter((m) => !mailsBefore.some((b) => b.id === m.id));
  assert.equal(mails.length, 1, 'one notice for the person');
  const text = app.cipher.decrypt(mails[0]!.text_enc);
  const subject = app.cipher.decrypt(mails[0]!.subject_enc);
  assert.equal(app.cipher.decrypt(mails[0]!.recipient_enc), 'm.humpenoeder@example.com');
  assert.match(text, /\/postfach/);
  for (const secret of [/GEHEIM/, /Hund/, /Steuermarke/, /Coburg/, /DA-TEST/]) {
    assert.doesNotMatch(text, secret, 'no content in the notice');
    assert.doesNotMatch(subject, secret, 'no content in the subject');
  }
  const inbox = html(await client.get(`/postfach/${posted.threadId}`));
  assert.match(inbox.querySelector('main')!.text, /GEHEIMER INHALT/);
  assert.ok(inbox.querySelectorAll('a[download]').some((a) => a.text === 'Steuermarke.pdf'), 'the attachment is listed');

  // Notices turned off: no mail.
  await db.updateTable('citizen_accounts').set({ notify_mailbox_email: false }).where('id', '=', owner.accountId).execute();
  const count = (await db.selectFrom('outbound_mails').select('id').execute()).length;
  await db.transaction().execute((tx) => postToApplicant(tx, mailboxDepsOf(app), { tenantId: posted.tenantId, threadId: posted.threadId, kind: 'notice', senderStaffId: null, body: 'Noch etwas' }));
  assert.equal((await db.selectFrom('outbound_mails').select('id').execute()).length, count);
});

test('another tenant\'s staff get "not found" for the thread, its attachment and the reply, and see nothing of it', async () => {
  recordHooks();
  const { owner } = await logInPerson(app, 'U07');
  const posted = await caseWithMessage(owner, 'Nur für Coburg bestimmt');
  const { client: other } = await logInStaff(app, OTHER_TENANT_ADMIN);
  const before = await app.database.db.selectFrom('mailbox_messages').select('id').where('thread_id', '=', posted.threadId).execute();
  assert.equal((await other.get(`/verwaltung/postfach/${posted.threadId}`)).statusCode, 404);
  assert.equal((await other.get(`/verwaltung/postfach/${posted.threadId}/anhaenge/${posted.attachmentIds[0]}`)).statusCode, 404);
  const csrf = html(await other.get('/verwaltung')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const reply = await other.postMultipart(`/verwaltung/postfach/${posted.threadId}`, { _csrf: csrf, text: 'Fremd' });
  assert.equal(reply.statusCode, 404);
  const list = await other.get('/verwaltung/postfach');
  assert.equal(list.statusCode, 200);
  assert.doesNotMatch(list.body, new RegExp(posted.threadId));
  assert.equal((await app.database.db.selectFrom('mailbox_messages').select('id').where('thread_id', '=', posted.threadId).execute()).length, before.length);
  assert.equal(await listThreadForStaff(app.database.db, mailboxDepsOf(app), await tenantIdOf(app, 'landkreis-coburg'), posted.threadId), null);
  assert.equal(await caseThreadId(app.database.db, await tenantIdOf(app, 'landkreis-coburg'), posted.caseId), null);
  assert.equal(await caseThreadId(app.database.db, posted.tenantId, posted.caseId), posted.threadId);
  // An attachment id of another thread of the same tenant opens nothing either.
  const second = await caseWithMessage(owner, 'Zweiter Fall');
  const { client: own } = await logInStaff(app, CASEWORKER);
  assert.equal((await own.get(`/verwaltung/postfach/${posted.threadId}/anhaenge/${second.attachmentIds[0]}`)).statusCode, 404);
  assert.equal((await own.get(`/verwaltung/postfach/${posted.threadId}/anhaenge/${posted.attachmentIds[0]}`)).statusCode, 200);
});

test('an organisation\'s members share its mailbox; a non-member and the member\'s own mailbox do not show it', async () => {
  recordHooks();
  const maria = await logInPerson(app, 'U01', 'ORG-DEMO-0002');
  const manfred = await logInPerson(app, 'U02', 'ORG-DEMO-0002');
  assert.ok(maria.owner.organisationId && maria.owner.organisationId === manfred.owner.organisationId);
  const db = app.database.db;
  const mailsBefore = (await db.selectFrom('outbound_mails').select('id').execute()).map((m) => m.id);
  const posted = await caseWithMessage(maria.owner, 'An die Firma');
  const notices = (await db.selectFrom('outbound_mails').selectAll().execute()).filter((m) => !mailsBefore.includes(m.id));
  assert.deepEqual(notices.map((m) => app.cipher.decrypt(m.recipient_enc)).sort(), ['m-schmidt@example.com', 'maria.neumenn@example.com'], 'each member is notified');

  assert.match(html(await manfred.client.get('/postfach')).querySelector('main')!.text, /Hundesteuer DA-TEST/);
  const thread = await manfred.client.get(`/postfach/${posted.threadId}`);
  assert.equal(thread.statusCode, 200);
  assert.match(html(thread).querySelector('main')!.text, /An die Firma/);
  assert.equal(await unreadCountForApplicant(db, maria.owner), 0, 'read by one member: read for the organisation');

  const stranger = await logInPerson(app, 'U03');
  assert.equal((await stranger.client.get(`/postfach/${posted.threadId}`)).statusCode, 404);
  assert.equal((await stranger.client.get(`/postfach/${posted.threadId}/anhaenge/${posted.attachmentIds[0]}`)).statusCode, 404);
  assert.doesNotMatch((await stranger.client.get('/postfach')).body, new RegExp(posted.threadId));
  const csrf = html(await stranger.client.get('/postfach')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  assert.equal((await stranger.client.postMultipart(`/postfach/${posted.threadId}`, { _csrf: csrf, text: 'Hallo' })).statusCode, 404);

  // Maria acting as herself: her own mailbox, without the organisation's thread.
  const personal = await logInPerson(app, 'U01');
  assert.equal(personal.owner.accountId, maria.owner.accountId);
  assert.equal((await personal.client.get(`/postfach/${posted.threadId}`)).statusCode, 404);
});

test('a citizen writes to an authority: a general thread the authority sees as unread; a missing authority is a form error', async () => {
  recordHooks();
  const { client, owner } = await logInPerson(app, 'U11');
  const coburg = await tenantIdOf(app, 'coburg');
  const form = html(await client.get('/postfach/neu'));
  assert.ok(form.querySelector(`select[name="tenantId"] option[value="${coburg}"]`), 'connected authorities to choose from');
  const csrf = form.querySelector('form[action="/postfach/neu"] input[name="_csrf"]')!.getAttribute('value')!;
  const bad = await client.postMultipart('/postfach/neu', { _csrf: csrf, tenantId: '', subject: 'Frage zur Hundesteuer', text: 'Wie hoch ist sie?' });
  assert.equal(bad.statusCode, 400);
  assert.equal(html(bad).querySelector('.error-summary a')!.getAttribute('href'), '#tenantId');
  assert.equal(html(bad).querySelector('input[name="subject"]')!.getAttribute('value'), 'Frage zur Hundesteuer');
  const good = await client.postMultipart('/postfach/neu', { _csrf: csrf, tenantId: coburg, subject: 'Frage zur Hundesteuer', text: 'Wie hoch ist sie?' });
  assert.equal(good.statusCode, 303);
  const threadId = String(good.headers.location).split('/')[2]!.split('?')[0]!;
  const row = await app.database.db.selectFrom('mailbox_threads').selectAll().where('id', '=', threadId).executeTakeFirstOrThrow();
  assert.deepEqual([row.tenant_id, row.case_id, row.account_id, row.organisation_id], [coburg, null, owner.accountId, null]);
  assert.match(html(await client.get(String(good.headers.location))).querySelector('main')!.text, /Ihre Nachricht wurde gesendet/);

  const { client: staff } = await logInStaff(app, CASEWORKER);
  const list = html(await staff.get('/verwaltung/postfach'));
  const line = list.querySelector(`a[href="/verwaltung/postfach/${threadId}"]`);
  assert.ok(line);
  assert.equal(line.closest('tr')!.querySelectorAll('td')[2]!.text.trim(), '1', 'one unread message from the applicant');
  await staff.get(`/verwaltung/postfach/${threadId}`);
  const after = html(await staff.get('/verwaltung/postfach'));
  assert.equal(after.querySelector(`a[href="/verwaltung/postfach/${threadId}"]`)!.closest('tr')!.querySelectorAll('td')[2]!.text.trim(), '0');
});

test('after a key rotation, re-encryption moves subjects, bodies and attachments to the new key and all stays readable; the case mailbox is deleted', async () => {
  recordHooks();
  const { client, owner } = await logInPerson(app, 'U12');
  const deps = mailboxDepsOf(app);
  const posted = await caseWithMessage(owner, 'Vor der Rotation');
  const db = app.database.db;
  const version = await deps.tenantKeys.currentVersion(db, posted.tenantId);
  const rotated = await deps.tenantKeys.rotate(db, posted.tenantId);
  assert.equal(rotated, version + 1);
  await db.transaction().execute((tx) => postToApplicant(tx, deps, { tenantId: posted.tenantId, threadId: posted.threadId, kind: 'message', senderStaffId: null, body: 'Nach der Rotation' }));

  const moved = await reencryptMailbox(db, deps, posted.tenantId);
  assert.ok(moved >= 3, `moved ${moved}`);
  const stale = [
    ...(await db.selectFrom('mailbox_threads').select('key_version').where('tenant_id', '=', posted.tenantId).where('key_version', '<', rotated).execute()),
    ...(await db.selectFrom('mailbox_messages').select('key_version').where('tenant_id', '=', posted.tenantId).where('key_version', '<', rotated).execute()),
    ...(await db.selectFrom('uploads').select('key_version').where('tenant_id', '=', posted.tenantId).where('key_version', '<', rotated).execute()),
  ];
  assert.equal(stale.length, 0, 'nothing left on the old key');
  assert.equal(await reencryptMailbox(db, deps, posted.tenantId), 0, 'a second run has nothing to do');
  const stored = await db.selectFrom('mailbox_messages').select('body_enc').where('id', '=', posted.messageId).executeTakeFirstOrThrow();
  assert.equal(deps.tenantKeys.versionOf(stored.body_enc), rotated);

  const page = html(await client.get(`/postfach/${posted.threadId}`));
  assert.match(page.querySelector('main')!.text, /Vor der Rotation.*Nach der Rotation/s);
  assert.match(page.querySelector('h1')!.text, /Hundesteuer DA-TEST/);
  const download = await client.get(`/postfach/${posted.threadId}/anhaenge/${posted.attachmentIds[0]}`);
  assert.deepEqual(Buffer.from(download.rawPayload), Buffer.from(pdf));

  // Retention: the case's mailbox goes, with its attachments.
  const deleted = await db.transaction().execute((tx) => deleteCaseMailbox(tx, posted.tenantId, posted.caseId));
  assert.deepEqual(deleted, { messages: 2, attachments: 1 });
  assert.equal((await db.selectFrom('mailbox_threads').select('id').where('id', '=', posted.threadId).execute()).length, 0);
  assert.equal((await db.selectFrom('uploads').select('id').where('id', '=', posted.attachmentIds[0]!).execute()).length, 0);
  assert.equal((await client.get(`/postfach/${posted.threadId}`)).statusCode, 404);
  assert.deepEqual(await db.transaction().execute((tx) => deleteCaseMailbox(tx, posted.tenantId, posted.caseId)), { messages: 0, attachments: 0 });
});

test('the data export holds the person\'s mailbox; deleting the account removes general threads and keeps the case file', async () => {
  recordHooks();
  const { client, owner } = await logInPerson(app, 'U03');
  const posted = await caseWithMessage(owner, 'Zum Fall');
  const coburg = await tenantIdOf(app, 'coburg');
  const csrf = html(await client.get('/postfach/neu')).querySelector('form[action="/postfach/neu"] input[name="_csrf"]')!.getAttribute('value')!;
  const general = await client.postMultipart('/postfach/neu', { _csrf: csrf, tenantId: coburg, subject: 'Allgemeine Frage', text: 'Wann haben Sie geöffnet?' },
    [{ field: 'anhaenge', fileName: 'Foto.pdf', bytes: pdf }]);
  assert.equal(general.statusCode, 303);
  const generalId = String(general.headers.location).split('/')[2]!.split('?')[0]!;

  const data = JSON.parse((await client.get('/konto/daten.json')).body) as { sections: { mailbox: { subject: string; messages: { text: string; attachments: string[] }[] }[] } };
  const subjects = data.sections.mailbox.map((t) => t.subject).sort();
  assert.deepEqual(subjects, ['Allgemeine Frage', 'Hundesteuer DA-TEST']);
  assert.deepEqual(data.sections.mailbox.find((t) => t.subject === 'Allgemeine Frage')!.messages.map((m) => [m.text, m.attachments]), [['Wann haben Sie geöffnet?', ['Foto.pdf']]]);

  const page = html(await client.get('/konto/loeschen'));
  const token = page.querySelector('main form input[name="_csrf"]')!.getAttribute('value')!;
  const deleted = await client.post(page.querySelector('main form')!.getAttribute('action')!, { _csrf: token, confirm: 'ja' });
  assert.equal(deleted.statusCode, 303);
  const db = app.database.db;
  assert.equal((await db.selectFrom('mailbox_threads').select('id').where('id', '=', generalId).execute()).length, 0, 'the general thread is gone');
  assert.equal((await db.selectFrom('uploads').select('id').where('owner_kind', '=', 'mailbox-message').where('owner_id', 'in',
    db.selectFrom('mailbox_messages').select('id').where('thread_id', '=', generalId)).execute()).length, 0);
  const kept = await db.selectFrom('mailbox_threads').selectAll().where('id', '=', posted.threadId).executeTakeFirstOrThrow();
  assert.equal(kept.account_id, null, 'the case thread stays with the authority, without the link to the account');
});
