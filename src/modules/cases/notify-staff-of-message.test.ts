/**
 * The caseworkers' e-mail notice of an applicant's message, over HTTP: who gets it (the assignee;
 * for an unassigned case a small team, or only the administrators of a larger one; never another
 * tenant's, removed or not yet activated staff), what it says (the reference and the link, nothing
 * of the message or the applicant), and that several messages in a row give one e-mail.
 * The tests run in order: each adds staff to Coburg for the next.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { submitDogTax } from '../../../test/support/dog-tax.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { listCaseTrail, verifyCaseTrail } from '../case-trail/index.ts';
import { caseThreadId } from '../mailbox/index.ts';
import { addMembership, upsertStaffAccount } from '../staff/index.ts';
import { findCase } from './cases.repository.ts';
import { NOTICE_WINDOW_MS, queueStaffNotices, STAFF_NOTIFIED } from './notify-staff-of-message.ts';

let app: TestApp;
let publicUrl: string;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  publicUrl = app.config.publicUrl ?? `http://localhost:${app.config.port}`;
});
after(async () => app.dispose());

const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const OTHER_TENANT_ADMIN = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const db = () => app.database.db;

async function citizen(person: string): Promise<TestClient> {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person, level: 'substantiell' });
  return client;
}

const tenantId = async (slug: string) => (await db().selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
const staffId = async (email: string) => (await db().selectFrom('staff_accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

/** A staff member of the tenant with the role (active: no pending invitation). */
async function addStaff(slug: string, email: string, role: 'caseworker' | 'tenant_admin' | 'editor'): Promise<string> {
  const id = await upsertStaffAccount(db(), { email, displayName: email.split('@')[0]!, passwordHash: 'not-used' });
  await addMembership(db(), await tenantId(slug), id, role);
  return id;
}

/** Removing a member from the tenant, as the administration page does: no membership left. */
async function removeStaff(slug: string, id: string): Promise<void> {
  await db().deleteFrom('staff_memberships').where('tenant_id', '=', await tenantId(slug)).where('staff_account_id', '=', id).execute();
}

/** Every notice e-mail about the case, decrypted. */
async function noticesOf(reference: string) {
  return (await db().selectFrom('outbound_mails').selectAll().orderBy('created_at').execute())
    .map((m) => ({ to: app.cipher.decrypt(m.recipient_enc), subject: app.cipher.decrypt(m.subject_enc), text: app.cipher.decrypt(m.text_enc) }))
    .filter((m) => m.subject.startsWith('Neue Nachricht zum Vorgang') && m.subject.includes(reference));
}

/** A submitted Coburg case with a request for information the applicant can answer in the mailbox. */
async function caseAwaitingReply(person: string): Promise<{ id: string; reference: string; applicant: TestClient; staff: TestClient; threadUrl: string }> {
  const applicant = await citizen(person);
  const { id, reference } = await submitDogTax(app, applicant, 'Rex');
  const staff = (await logInStaff(app, CASEWORKER)).client;
  const page = `/verwaltung/vorgaenge/${id}`;
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10).split('-').reverse().join('.');
  const sent = await staff.submit(`${page}/nachforderung`, { text: 'Bitte den Impfpass hochladen.', dueDate: due }, `${page}/nachforderung`);
  assert.equal(sent.statusCode, 303, html(sent).querySelector('.error-summary')?.text);
  const threadId = await caseThreadId(db(), await tenantId('coburg'), id);
  assert.ok(threadId, 'the request opened the case thread');
  return { id, reference, applicant, staff, threadUrl: `/postfach/${threadId}` };
}

async function reply(applicant: TestClient, threadUrl: string, text: string): Promise<void> {
  const res = await applicant.submitMultipart(threadUrl, [], { text });
  assert.equal(res.statusCode, 303, html(res).querySelector('.error-summary')?.text ?? res.body.slice(0, 300));
}

test('an answer on an assigned case: one content-free e-mail to the assignee, and one only for several messages in a row', async () => {
  const { id, reference, applicant, staff, threadUrl } = await caseAwaitingReply('U02');
  const sabine = await staffId(CASEWORKER);
  const page = `/verwaltung/vorgaenge/${id}`;
  assert.equal((await staff.submit(page, { assignee: sabine }, `${page}/zuweisung`)).statusCode, 303);
  // A second caseworker of the tenant: the case is not theirs, so they are not told.
  await addStaff('coburg', 'zweite.kraft@coburg.test', 'caseworker');
  assert.equal((await noticesOf(reference)).length, 0, 'nothing before the applicant writes');

  const secret = 'Anbei der Impfpass, Chip-Nummer 276098106543210';
  await reply(applicant, threadUrl, secret);
  const notices = await noticesOf(reference);
  assert.equal(notices.length, 1, 'exactly one e-mail');
  const [notice] = notices;
  assert.equal(notice!.to, CASEWORKER);
  assert.ok(notice!.text.includes(`${publicUrl}/verwaltung/vorgaenge/${id}`), 'the link to the case page');
  assert.match(notice!.text, new RegExp(reference));
  const stored = await db().selectFrom('cases').select('applicant_name_enc').where('id', '=', id).executeTakeFirstOrThrow();
  const name = app.cipher.decrypt(stored.applicant_name_enc!);
  for (const forbidden of [...name.split(/\s+/).filter((w) => w.length > 2), 'Impfpass', '276098106543210', 'Rex', 'Hund', 'Hundesteuer']) {
    assert.ok(!notice!.text.includes(forbidden), `the text does not contain "${forbidden}"`);
    assert.ok(!notice!.subject.includes(forbidden), `the subject does not contain "${forbidden}"`);
  }

  // More messages within the window: no second e-mail.
  await reply(applicant, threadUrl, 'Und noch ein Foto vom Hund.');
  await reply(applicant, threadUrl, 'Entschuldigung, das dritte Mal.');
  assert.equal((await noticesOf(reference)).length, 1, 'still one e-mail');

  // The trail records the one notice with the staff id (no address); the history names it.
  const trail = await listCaseTrail(db(), await tenantId('coburg'), id);
  const recorded = trail.filter((e) => e.action === STAFF_NOTIFIED);
  assert.deepEqual(recorded.map((e) => e.details.staffIds), [sabine]);
  assert.ok(!JSON.stringify(trail).includes('@'), 'no e-mail address in the trail');
  assert.match(html(await staff.get(page)).querySelector('main')!.text, /Verwaltung per E-Mail auf die Nachricht hingewiesen/);
  assert.equal((await verifyCaseTrail(db())).ok, true);

  // Once the window has passed, the next message is worth an e-mail again.
  const kase = (await findCase(db(), await tenantId('coburg'), id))!;
  const inWindow = await db().transaction().execute((tx) => queueStaffNotices(tx, { mail: app.mail, publicUrl }, kase, new Date(Date.now() + NOTICE_WINDOW_MS - 60_000)));
  assert.deepEqual(inWindow, [], 'within the window: nobody');
  const later = await db().transaction().execute((tx) => queueStaffNotices(tx, { mail: app.mail, publicUrl }, kase, new Date(Date.now() + NOTICE_WINDOW_MS + 60_000)));
  assert.deepEqual(later, [sabine]);
  assert.equal((await noticesOf(reference)).length, 2);
});

test('an unassigned case in a small team: every active caseworker of the tenant, nobody else', async () => {
  const { reference, applicant, threadUrl } = await caseAwaitingReply('U03');
  await addStaff('coburg', 'redaktion@coburg.test', 'editor');
  await removeStaff('coburg', await addStaff('coburg', 'ehemals@coburg.test', 'caseworker'));
  const invited = await addStaff('coburg', 'eingeladen@coburg.test', 'caseworker');
  await db().insertInto('staff_invitations').values({ token_hash: 'a'.repeat(64), staff_account_id: invited, tenant_id: await tenantId('coburg'), expires_at: new Date(Date.now() + 86_400_000) }).execute();
  await addStaff('landkreis-coburg', 'sachbearbeitung@landkreis.test', 'caseworker');

  await reply(applicant, threadUrl, 'Hier die Antwort.');
  const notices = await noticesOf(reference);
  assert.deepEqual(notices.map((m) => m.to).sort(), [CASEWORKER, 'zweite.kraft@coburg.test'], 'the two active caseworkers of Coburg, one e-mail each');
  await reply(applicant, threadUrl, 'Noch etwas.');
  assert.equal((await noticesOf(reference)).length, 2, 'no second round');
  const everyRecipient = (await db().selectFrom('outbound_mails').select('recipient_enc').execute()).map((m) => app.cipher.decrypt(m.recipient_enc));
  for (const never of ['redaktion@coburg.test', 'ehemals@coburg.test', 'eingeladen@coburg.test', 'sachbearbeitung@landkreis.test', OTHER_TENANT_ADMIN]) {
    assert.ok(!everyRecipient.includes(never), `${never} is never told`);
  }
});

test('an unassigned case in a larger team: only the tenant administrators; an assignee who left counts as unassigned', async () => {
  for (const n of [1, 2, 3, 4]) await addStaff('coburg', `team${n}@coburg.test`, 'caseworker');
  await addStaff('coburg', 'leitung@coburg.test', 'tenant_admin');
  await addStaff('landkreis-coburg', 'leitung@landkreis.test', 'tenant_admin');

  const first = await caseAwaitingReply('U04');
  await reply(first.applicant, first.threadUrl, 'Antwort eins.');
  assert.deepEqual((await noticesOf(first.reference)).map((m) => m.to), ['leitung@coburg.test'], 'seven case staff: the administrator alone');

  // Assigned to somebody who then leaves the tenant's staff: the administrator is told instead.
  const second = await caseAwaitingReply('U05');
  const page = `/verwaltung/vorgaenge/${second.id}`;
  const leaving = await staffId('team1@coburg.test');
  assert.equal((await second.staff.submit(page, { assignee: leaving }, `${page}/zuweisung`)).statusCode, 303);
  await removeStaff('coburg', leaving);
  await reply(second.applicant, second.threadUrl, 'Antwort zwei.');
  assert.deepEqual((await noticesOf(second.reference)).map((m) => m.to), ['leitung@coburg.test']);

  // More administrators than MAX_UNASSIGNED_RECIPIENTS: nobody is e-mailed, the inbox shows the answer.
  for (const n of [1, 2, 3, 4, 5]) await addStaff('coburg', `leitung${n}@coburg.test`, 'tenant_admin');
  const third = await caseAwaitingReply('U06');
  await reply(third.applicant, third.threadUrl, 'Antwort drei.');
  assert.equal((await noticesOf(third.reference)).length, 0);
  const inbox = html(await third.staff.get('/verwaltung/vorgaenge?beantwortet=1'));
  assert.ok(inbox.querySelectorAll('table.inbox tbody tr').some((r) => r.text.includes(third.reference)), 'marked answered in the inbox');
});
