import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { expireDrafts } from './expire-drafts.ts';
import { createTenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Tx } from '../../platform/db/database.ts';
import { sendNotice } from '../mailbox/index.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

async function startDraft(person: string): Promise<string> {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person, level: 'substantiell' });
  const procedure = await app.database.db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select('p.id').where('t.slug', '=', 'coburg').where('p.name', '=', 'Hund zur Hundesteuer anmelden').executeTakeFirstOrThrow();
  const started = await client.submit(`/antraege/neu/${procedure.id}?ags=09463000`, {}, `/antraege/neu/${procedure.id}`);
  return (started.headers.location as string).split('/')[2]!;
}

test('a draft near its expiry gets one content-free notice; an expired draft is deleted with an audit entry', async () => {
  const soon = await startDraft('U02');
  const gone = await startDraft('U03');
  const db = app.database.db;
  const now = new Date();
  await db.updateTable('applications').set({ draft_expires_at: new Date(now.getTime() + 3 * 24 * 3600 * 1000) }).where('id', '=', soon).execute();
  await db.updateTable('applications').set({ draft_expires_at: new Date(now.getTime() - 1000) }).where('id', '=', gone).execute();
  const deps = { cipher: app.cipher, mail: app.mail, noticeDays: 7, publicUrl: 'https://portal.example.de' };

  const first = await expireDrafts(db, deps, now);
  assert.deepEqual(first, { noticed: 2, deleted: 1 }, 'the expired one was due for a notice too, then deleted');
  assert.equal((await expireDrafts(db, deps, now)).noticed, 0, 'one notice per draft');
  assert.ok(await db.selectFrom('applications').select('id').where('id', '=', soon).executeTakeFirst());
  assert.equal(await db.selectFrom('applications').select('id').where('id', '=', gone).executeTakeFirst(), undefined);
  const mails = (await db.selectFrom('outbound_mails').selectAll().execute()).map((m) => ({ to: app.cipher.decrypt(m.recipient_enc), text: app.cipher.decrypt(m.text_enc) }))
    .filter((m) => m.text.includes('gelöscht'));
  assert.ok(mails.some((m) => m.to === 'm-schmidt@example.com'));
  assert.ok(mails.every((m) => !m.text.includes('Hund')), 'the notice names no content');
  const audit = await db.selectFrom('audit_events').select('details').where('action', '=', 'application.drafts_expired').executeTakeFirstOrThrow();
  assert.deepEqual(typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details, { count: 1 });

  const row = await db.selectFrom('applications').select('expiry_notice_sent_at').where('id', '=', soon).executeTakeFirstOrThrow();
  assert.ok(row.expiry_notice_sent_at, 'the notice is remembered');
});

test('with the mailbox wired, the notice is a message from the authority in the mailbox, announced by a content-free e-mail', async () => {
  const soon = await startDraft('U04');
  const db = app.database.db;
  const now = new Date();
  await db.updateTable('applications').set({ draft_expires_at: new Date(now.getTime() + 2 * 24 * 3600 * 1000) }).where('id', '=', soon).execute();
  const tenantKeys = createTenantKeys(app.cipher);
  const mailbox = { tenantKeys, cipher: app.cipher, mail: app.mail, publicUrl: 'https://portal.example.de' };
  const deps = { cipher: app.cipher, mail: app.mail, noticeDays: 7, publicUrl: 'https://portal.example.de', mailboxNotice: (tx: Tx, n: Parameters<typeof sendNotice>[2]) => sendNotice(tx, mailbox, n) };
  assert.equal((await expireDrafts(db, deps, now)).noticed, 1);
  const draft = await db.selectFrom('applications').select(['account_id', 'tenant_id']).where('id', '=', soon).executeTakeFirstOrThrow();
  const threads = await db.selectFrom('mailbox_threads').select(['id', 'case_id', 'tenant_id']).where('account_id', '=', draft.account_id).execute();
  assert.equal(threads.length, 1);
  assert.deepEqual([threads[0]!.case_id, threads[0]!.tenant_id], [null, draft.tenant_id]);
  const message = await db.selectFrom('mailbox_messages').select(['id', 'kind', 'direction', 'body_enc']).where('thread_id', '=', threads[0]!.id).executeTakeFirstOrThrow();
  assert.deepEqual([message.kind, message.direction], ['notice', 'to_applicant']);
  assert.match(await tenantKeys.decryptText(db, draft.tenant_id, message.body_enc, `mailbox_messages.body:${message.id}`), /Hund zur Hundesteuer anmelden.*gelöscht/s);
});
