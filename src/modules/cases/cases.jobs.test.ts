import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { submitDogTax } from '../../../test/support/dog-tax.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { listCaseTrail, verifyCaseTrail } from '../case-trail/index.ts';
import { deleteExpiredCases, sendDeadlineReminders, sendRequestReminders } from './cases.jobs.ts';
import { noMalwareScanner } from '../../platform/uploads/index.ts';
import { reencryptCaseData } from './reencrypt-case-data.ts';
import { createTenantKeys } from '../../platform/crypto/tenant-keys.ts';
import { addMembership, upsertStaffAccount } from '../staff/index.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

const DAY = 86_400_000;
const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const config = { reminderDays: 14, retentionDays: 365, publicUrl: 'http://localhost' };

/** The deadline reminders about the case, decrypted. */
async function remindersOf(reference: string) {
  return (await app.database.db.selectFrom('outbound_mails').selectAll().execute())
    .map((m) => ({ to: app.cipher.decrypt(m.recipient_enc), subject: app.cipher.decrypt(m.subject_enc), text: app.cipher.decrypt(m.text_enc) }))
    .filter((m) => m.subject.startsWith('Frist läuft ab') && m.subject.includes(reference));
}

async function submittedCase(person: string, dog: string): Promise<{ id: string; reference: string; tenantId: string }> {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person, level: 'substantiell' });
  const { id, reference } = await submitDogTax(app, client, dog);
  const row = await app.database.db.selectFrom('cases').select('tenant_id').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, reference, tenantId: row.tenant_id };
}

test('a case whose statutory time runs out soon reminds its caseworker once and shows as overdue when it has run out', async () => {
  const db = app.database.db;
  const { id, reference } = await submittedCase('U02', 'Frist');
  const staff = await logInStaff(app, CASEWORKER);
  const me = await db.selectFrom('staff_accounts').select('id').where('email', '=', CASEWORKER).executeTakeFirstOrThrow();
  await db.updateTable('cases').set({ assignee_id: me.id, due_at: new Date(Date.now() + 3 * DAY) }).where('id', '=', id).execute();

  assert.ok(await sendDeadlineReminders(db, app.mail, config) >= 1);
  assert.equal(await sendDeadlineReminders(db, app.mail, config), 0, 'one reminder per case');
  const mails = await remindersOf(reference);
  assert.deepEqual(mails.map((m) => m.to), [CASEWORKER]);
  // Content-free, German first, then English; no "nobody assigned" line for the assignee.
  const [mail] = mails;
  assert.match(mail!.subject, new RegExp(`^Frist läuft ab: Vorgang ${reference} / Deadline approaching: case ${reference}$`));
  const german = mail!.text.indexOf('Bearbeitungsfrist');
  const english = mail!.text.indexOf('processing deadline');
  assert.ok(german >= 0 && english > german, 'German first, then English');
  assert.match(mail!.text, new RegExp(`http://localhost/verwaltung/vorgaenge/${id}`));
  assert.ok(!/niemandem|not assigned/.test(mail!.text));
  const applicantName = app.cipher.decrypt((await db.selectFrom('cases').select('applicant_name_enc').where('id', '=', id).executeTakeFirstOrThrow()).applicant_name_enc!);
  assert.ok(!mail!.text.includes(applicantName.split(' ').at(-1)!), 'no applicant name');

  await db.updateTable('cases').set({ due_at: new Date(Date.now() - DAY) }).where('id', '=', id).execute();
  const overdue = html(await staff.client.get('/verwaltung/vorgaenge?ueberfaellig=1'));
  const row = overdue.querySelectorAll('table.inbox tbody tr').find((r) => r.text.includes(reference));
  assert.ok(row && /überfällig/.test(row.text), 'marked overdue in the inbox');
  const notOverdue = await submittedCase('U03', 'Puenktlich');
  assert.ok(!html(await staff.client.get('/verwaltung/vorgaenge?ueberfaellig=1')).text.includes(notOverdue.reference));
});

test('the deadline reminder goes only to an assignee still in the tenant; otherwise, as for an applicant\'s message, to the small case team', async () => {
  const db = app.database.db;
  const coburg = await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow();
  const leaver = 'ausgeschieden@coburg.demo.digitales-amt.de';
  const leaverId = await upsertStaffAccount(db, { email: leaver, displayName: 'Ausgeschieden', passwordHash: 'not-used' });
  await addMembership(db, coburg.id, leaverId, 'caseworker');
  const left = await submittedCase('U02', 'Verlassen');
  const unassigned = await submittedCase('U03', 'Niemand');
  const soon = new Date(Date.now() + 3 * DAY);
  await db.updateTable('cases').set({ assignee_id: leaverId, due_at: soon }).where('id', '=', left.id).execute();
  await db.updateTable('cases').set({ assignee_id: null, due_at: soon }).where('id', '=', unassigned.id).execute();
  // The assignee is removed from the tenant, as the administration page does: no membership left.
  await db.deleteFrom('staff_memberships').where('tenant_id', '=', coburg.id).where('staff_account_id', '=', leaverId).execute();

  assert.ok(await sendDeadlineReminders(db, app.mail, config) >= 2);
  const team = (await db.selectFrom('staff_accounts as a').innerJoin('staff_memberships as m', 'm.staff_account_id', 'a.id')
    .select('a.email').distinct().where('m.tenant_id', '=', coburg.id).where('m.role', 'in', ['caseworker', 'tenant_admin']).execute()).map((r) => r.email).sort();
  assert.ok(team.includes(CASEWORKER) && !team.includes(leaver));
  for (const c of [left, unassigned]) {
    const mails = await remindersOf(c.reference);
    assert.deepEqual(mails.map((m) => m.to).sort(), team, `${c.reference}: the team, not the removed assignee`);
    assert.ok(mails.every((m) => /niemandem zugewiesen[\s\S]*not assigned to anyone/.test(m.text)), 'says why the team is told');
    const trail = await listCaseTrail(db, c.tenantId, c.id);
    const entry = trail.find((e) => e.action === 'case.deadline_reminder')!;
    assert.ok(!String(entry.details.staffIds).includes(leaverId), 'the trail names who was told (ids only)');
  }
});

test('closed cases are deleted after the retention period with everything that belongs to them; the deletion is logged and the trail still verifies', async () => {
  const db = app.database.db;
  const old = await submittedCase('U04', 'Alt');
  const recent = await submittedCase('U05', 'Neu');
  const staff = (await logInStaff(app, CASEWORKER)).client;
  for (const c of [old, recent]) {
    const page = `/verwaltung/vorgaenge/${c.id}`;
    assert.equal((await staff.submit(page, { to: 'rejected', reason: 'Unzulässig: keine Hundehaltung im Stadtgebiet.' }, `${page}/status`)).statusCode, 303);
    assert.equal((await staff.submit(page, { to: 'closed' }, `${page}/status`)).statusCode, 303);
  }
  await db.updateTable('cases').set({ closed_at: new Date(Date.now() - 400 * DAY) }).where('id', '=', old.id).execute();
  const messagesBefore = await db.selectFrom('mailbox_messages').innerJoin('mailbox_threads', 'mailbox_threads.id', 'mailbox_messages.thread_id').select('mailbox_messages.id').where('mailbox_threads.case_id', '=', old.id).execute();
  assert.ok(messagesBefore.length >= 1, 'the rejection reached the mailbox');

  assert.equal(await deleteExpiredCases(db, config), 1);
  for (const table of ['applications', 'cases'] as const) {
    assert.equal((await db.selectFrom(table).select('id').where('id', '=', old.id).execute()).length, 0, `${table} deleted`);
  }
  assert.equal((await db.selectFrom('mailbox_messages').select('id').where('id', 'in', messagesBefore.map((m) => m.id)).execute()).length, 0);
  assert.equal((await db.selectFrom('application_events').select('id').where('application_id', '=', old.id).execute()).length, 0);
  assert.equal((await db.selectFrom('cases').select('id').where('id', '=', recent.id).execute()).length, 1, 'a recently closed case stays');
  const trail = await listCaseTrail(db, old.tenantId, old.id);
  assert.equal(trail.at(-1)!.action, 'case.deleted_after_retention');
  assert.ok(!JSON.stringify(trail).includes('Unzulässig'), 'the trail holds no personal data');
  assert.equal((await db.selectFrom('audit_events').select('id').where('action', '=', 'case.deleted_after_retention').where('subject_id', '=', old.id).execute()).length, 1);
  assert.equal((await verifyCaseTrail(db)).ok, true);
  assert.equal(await deleteExpiredCases(db, config), 0);
});

test('after a key rotation, notes and decision texts move to the new key version and stay readable', async () => {
  const db = app.database.db;
  const { id, tenantId } = await submittedCase('U06', 'Schluessel');
  const staff = (await logInStaff(app, CASEWORKER)).client;
  const page = `/verwaltung/vorgaenge/${id}`;
  assert.equal((await staff.submit(page, { to: 'in_progress' }, `${page}/status`)).statusCode, 303);
  assert.equal((await staff.submit(page, { text: 'Vermerk vor der Rotation' }, `${page}/notizen`)).statusCode, 303);
  const body = html(await staff.get(`${page}/bescheid?ergebnis=granted`)).querySelector('textarea[name="body"]')!.text;
  assert.equal((await staff.submit(`${page}/bescheid?ergebnis=granted`, { outcome: 'granted', title: 'Bescheid', body, fee: '0,00', action: 'save' }, `${page}/bescheid`)).statusCode, 303);

  const tenantKeys = createTenantKeys(app.cipher);
  const before = await tenantKeys.currentVersion(db, tenantId);
  const version = await tenantKeys.rotate(db, tenantId);
  assert.equal(version, before + 1);
  assert.ok(await reencryptCaseData(db, tenantKeys, tenantId) >= 2);
  const note = await db.selectFrom('case_notes').select('key_version').where('case_id', '=', id).executeTakeFirstOrThrow();
  const decision = await db.selectFrom('decisions').select('key_version').where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual([note.key_version, decision.key_version], [version, version]);
  assert.equal(await reencryptCaseData(db, tenantKeys, tenantId), 0, 'nothing left on the old version');
  const after = html(await staff.get(page)).querySelector('main')!.text;
  assert.match(after, /Vermerk vor der Rotation/);
  assert.match(html(await staff.get(`${page}/bescheid`)).querySelector('textarea[name="body"]')!.text, /Rechtsbehelfsbelehrung/);
});

test('an open request for information reminds the applicant once in the mailbox before it falls due', async () => {
  const db = app.database.db;
  const { id } = await submittedCase('U07', 'Erinnerung');
  const staff = (await logInStaff(app, CASEWORKER)).client;
  const page = `/verwaltung/vorgaenge/${id}`;
  const due = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10).split('-').reverse().join('.');
  assert.equal((await staff.submit(`${page}/nachforderung`, { text: 'Bitte Nachweis der Haftpflichtversicherung.', dueDate: due }, `${page}/nachforderung`)).statusCode, 303);
  const mailbox = { db, cipher: app.cipher, tenantKeys: createTenantKeys(app.cipher), mail: app.mail, publicUrl: 'http://localhost', malwareScanner: noMalwareScanner, hooks: app.mailboxHooks };
  assert.ok(await sendRequestReminders(db, mailbox) >= 1);
  assert.equal(await sendRequestReminders(db, mailbox), 0, 'once');
  const notices = await db.selectFrom('mailbox_messages').innerJoin('mailbox_threads', 'mailbox_threads.id', 'mailbox_messages.thread_id')
    .select(['mailbox_messages.kind']).where('mailbox_threads.case_id', '=', id).execute();
  assert.deepEqual(notices.map((n) => n.kind), ['information_request', 'notice']);
  assert.equal((await listCaseTrail(db, (await db.selectFrom('cases').select('tenant_id').where('id', '=', id).executeTakeFirstOrThrow()).tenant_id, id)).at(-1)!.action, 'case.request_reminder');
});
