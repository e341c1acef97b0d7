/**
 * The mailbox's SQL: threads and messages (`mailbox_threads`, `mailbox_messages`). Tenant-owned
 * rows are read with the tenant id first; the applicant's side reads by owner (the person, or the
 * organisation acted for), across tenants. Subjects and bodies stay encrypted here.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { MailboxDirection, MailboxMessageKind, TrustLevel } from '../../platform/db/schema.ts';
import { ATTACHMENT_OWNER_KIND } from './mailbox-content.ts';
import type { MailboxOwner } from './mailbox.types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed uuid (anything else is simply not found, never a database error). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export interface ThreadRow {
  id: string;
  tenant_id: string;
  case_id: string | null;
  account_id: string | null;
  organisation_id: string | null;
  subject_enc: Uint8Array;
  key_version: number;
  last_message_at: Date;
  created_at: Date;
}

export interface MessageRow {
  id: string;
  tenant_id: string;
  thread_id: string;
  direction: MailboxDirection;
  kind: MailboxMessageKind;
  sender_staff_id: string | null;
  sender_staff_name: string | null;
  sender_account_id: string | null;
  trust_level: TrustLevel | null;
  body_enc: Uint8Array;
  read_at: Date | null;
  retrieved_at: Date | null;
  created_at: Date;
}

/** The rows of one owner's mailbox: the person's own (no organisation), or the organisation's. */
function ownedBy<T extends 'mailbox_threads' | 'mailbox_messages'>(owner: MailboxOwner, table: T) {
  return owner.organisationId
    ? sql<boolean>`${sql.ref(`${table}.organisation_id`)} = ${owner.organisationId}`
    : sql<boolean>`${sql.ref(`${table}.account_id`)} = ${owner.accountId} AND ${sql.ref(`${table}.organisation_id`)} IS NULL`;
}

export async function insertThread(tx: Db | Tx, tenantId: string, row: { id: string; caseId: string | null; accountId: string | null; organisationId: string | null; subjectEnc: Uint8Array; keyVersion: number }): Promise<void> {
  await tx.insertInto('mailbox_threads').values({
    id: row.id, tenant_id: tenantId, case_id: row.caseId, account_id: row.accountId, organisation_id: row.organisationId,
    subject_enc: row.subjectEnc, key_version: row.keyVersion,
  }).execute();
}

/** The thread of a case; the row is locked when `forUpdate` (a transaction that may create it). */
export async function findThreadIdOfCase(db: Db | Tx, tenantId: string, caseId: string): Promise<string | null> {
  if (!isUuid(caseId)) return null;
  const row = await db.selectFrom('mailbox_threads').select('id').where('tenant_id', '=', tenantId).where('case_id', '=', caseId).executeTakeFirst();
  return row?.id ?? null;
}

/** Inserts the case's thread unless there is one; returns the thread id either way (safe under concurrency). */
export async function insertCaseThreadOnce(tx: Tx, tenantId: string, row: { id: string; caseId: string; accountId: string | null; organisationId: string | null; subjectEnc: Uint8Array; keyVersion: number }): Promise<string> {
  const inserted = await tx.insertInto('mailbox_threads').values({
    id: row.id, tenant_id: tenantId, case_id: row.caseId, account_id: row.accountId, organisation_id: row.organisationId,
    subject_enc: row.subjectEnc, key_version: row.keyVersion,
  }).onConflict((oc) => oc.column('case_id').doNothing()).returning('id').executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await findThreadIdOfCase(tx, tenantId, row.caseId);
  // The case belongs to another tenant: its thread is not this tenant's to use.
  if (!existing) throw new Error('The case has a mailbox thread of another tenant');
  return existing;
}

/** A thread of this tenant; undefined for an unknown id or another tenant's. */
export async function findTenantThread(db: Db | Tx, tenantId: string, threadId: string): Promise<ThreadRow | undefined> {
  if (!isUuid(threadId)) return undefined;
  return db.selectFrom('mailbox_threads').selectAll().where('tenant_id', '=', tenantId).where('id', '=', threadId).executeTakeFirst();
}

/** A thread of the applicant's mailbox, with the authority's name; undefined when it is not theirs. */
export async function findOwnedThread(db: Db | Tx, owner: MailboxOwner, threadId: string): Promise<(ThreadRow & { tenant_name: string }) | undefined> {
  if (!isUuid(threadId)) return undefined;
  return db.selectFrom('mailbox_threads').innerJoin('tenants', 'tenants.id', 'mailbox_threads.tenant_id')
    .selectAll('mailbox_threads').select('tenants.name as tenant_name')
    .where('mailbox_threads.id', '=', threadId).where(ownedBy(owner, 'mailbox_threads')).executeTakeFirst();
}

/** A page of the applicant's threads, newest activity first, with the authority's name and the unread count. */
export async function listOwnedThreads(db: Db, owner: MailboxOwner, page: { limit: number; offset: number }) {
  return db.selectFrom('mailbox_threads').innerJoin('tenants', 'tenants.id', 'mailbox_threads.tenant_id')
    .select(['mailbox_threads.id', 'mailbox_threads.tenant_id', 'mailbox_threads.case_id', 'mailbox_threads.subject_enc', 'mailbox_threads.last_message_at', 'tenants.name as tenant_name'])
    .select((eb) => eb.selectFrom('mailbox_messages').select(sql<number>`count(*)::int`.as('n'))
      .whereRef('mailbox_messages.thread_id', '=', 'mailbox_threads.id')
      .where('mailbox_messages.direction', '=', 'to_applicant').where('mailbox_messages.read_at', 'is', null).as('unread'))
    .where(ownedBy(owner, 'mailbox_threads'))
    .orderBy('mailbox_threads.last_message_at', 'desc').orderBy('mailbox_threads.id', 'desc')
    .limit(page.limit).offset(page.offset).execute();
}

/** A page of the tenant's threads, newest activity first, with the count of the applicant's unread messages. */
export async function listTenantThreads(db: Db, tenantId: string, page: { limit: number; offset: number }) {
  return db.selectFrom('mailbox_threads').innerJoin('tenants', 'tenants.id', 'mailbox_threads.tenant_id')
    .select(['mailbox_threads.id', 'mailbox_threads.tenant_id', 'mailbox_threads.case_id', 'mailbox_threads.subject_enc', 'mailbox_threads.last_message_at', 'tenants.name as tenant_name'])
    .select((eb) => eb.selectFrom('mailbox_messages').select(sql<number>`count(*)::int`.as('n'))
      .whereRef('mailbox_messages.thread_id', '=', 'mailbox_threads.id')
      .where('mailbox_messages.tenant_id', '=', tenantId)
      .where('mailbox_messages.direction', '=', 'to_authority').where('mailbox_messages.read_at', 'is', null).as('unread'))
    .where('mailbox_threads.tenant_id', '=', tenantId)
    .orderBy('mailbox_threads.last_message_at', 'desc').orderBy('mailbox_threads.id', 'desc')
    .limit(page.limit).offset(page.offset).execute();
}

/** Messages to the applicant not yet opened, over the whole mailbox (one index lookup). */
export async function countUnreadForOwner(db: Db | Tx, owner: MailboxOwner): Promise<number> {
  const row = await db.selectFrom('mailbox_messages').select(sql<number>`count(*)::int`.as('n'))
    .where('direction', '=', 'to_applicant').where('read_at', 'is', null).where(ownedBy(owner, 'mailbox_messages'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The applicant's messages the tenant has not read yet. */
export async function countUnreadForTenant(db: Db | Tx, tenantId: string): Promise<number> {
  const row = await db.selectFrom('mailbox_messages').select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId).where('direction', '=', 'to_authority').where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertMessage(tx: Tx, tenantId: string, row: {
  id: string; threadId: string; accountId: string | null; organisationId: string | null; direction: MailboxDirection; kind: MailboxMessageKind;
  senderStaffId: string | null; senderAccountId: string | null; trustLevel: TrustLevel | null; bodyEnc: Uint8Array; keyVersion: number; createdAt: Date;
}): Promise<void> {
  await tx.insertInto('mailbox_messages').values({
    id: row.id, tenant_id: tenantId, thread_id: row.threadId, account_id: row.accountId, organisation_id: row.organisationId,
    direction: row.direction, kind: row.kind, sender_staff_id: row.senderStaffId, sender_account_id: row.senderAccountId,
    trust_level: row.trustLevel, body_enc: row.bodyEnc, key_version: row.keyVersion, created_at: row.createdAt,
  }).execute();
  await tx.updateTable('mailbox_threads').set({ last_message_at: row.createdAt })
    .where('tenant_id', '=', tenantId).where('id', '=', row.threadId).execute();
}

/** The messages of a thread, oldest first, with the sending staff member's display name. */
export async function listMessages(db: Db | Tx, tenantId: string, threadId: string): Promise<MessageRow[]> {
  return db.selectFrom('mailbox_messages').leftJoin('staff_accounts', 'staff_accounts.id', 'mailbox_messages.sender_staff_id')
    .select([
      'mailbox_messages.id', 'mailbox_messages.tenant_id', 'mailbox_messages.thread_id', 'mailbox_messages.direction', 'mailbox_messages.kind',
      'mailbox_messages.sender_staff_id', 'staff_accounts.display_name as sender_staff_name', 'mailbox_messages.sender_account_id',
      'mailbox_messages.trust_level', 'mailbox_messages.body_enc', 'mailbox_messages.read_at', 'mailbox_messages.retrieved_at', 'mailbox_messages.created_at',
    ])
    .where('mailbox_messages.tenant_id', '=', tenantId).where('mailbox_messages.thread_id', '=', threadId)
    .orderBy('mailbox_messages.created_at').orderBy('mailbox_messages.id').execute();
}

/** Records the read receipt of every unread message in one direction of a thread; returns how many. */
export async function markThreadRead(db: Db | Tx, tenantId: string, threadId: string, direction: MailboxDirection, at: Date): Promise<number> {
  if (!isUuid(threadId)) return 0;
  const result = await db.updateTable('mailbox_messages').set({ read_at: at })
    .where('tenant_id', '=', tenantId).where('thread_id', '=', threadId).where('direction', '=', direction).where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The message an attachment belongs to, when it is in this thread of this tenant. */
export async function findAttachmentMessage(db: Db | Tx, tenantId: string, threadId: string, uploadId: string) {
  if (!isUuid(threadId) || !isUuid(uploadId)) return undefined;
  return db.selectFrom('uploads')
    .innerJoin('mailbox_messages', (join) => join.onRef('mailbox_messages.id', '=', 'uploads.owner_id').onRef('mailbox_messages.tenant_id', '=', 'uploads.tenant_id'))
    .select(['mailbox_messages.id', 'mailbox_messages.direction', 'mailbox_messages.kind', 'mailbox_messages.retrieved_at'])
    .where('uploads.tenant_id', '=', tenantId).where('uploads.id', '=', uploadId).where('uploads.owner_kind', '=', ATTACHMENT_OWNER_KIND)
    .where('mailbox_messages.thread_id', '=', threadId).executeTakeFirst();
}

/**
 * Records the retrieval receipt (and the read receipt, if still open) of a message; true only for
 * the first retrieval. The row lock makes two concurrent downloads record it once.
 */
export async function markRetrieved(tx: Tx, tenantId: string, messageId: string, at: Date): Promise<boolean> {
  const result = await tx.updateTable('mailbox_messages')
    .set({ retrieved_at: at, read_at: sql`COALESCE(read_at, ${at})` })
    .where('tenant_id', '=', tenantId).where('id', '=', messageId).where('retrieved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes the case's thread (its messages go with it) and the attachments; returns what was removed. */
export async function deleteCaseThread(tx: Tx, tenantId: string, caseId: string): Promise<{ messages: number; attachments: number }> {
  if (!isUuid(caseId)) return { messages: 0, attachments: 0 };
  const thread = await tx.selectFrom('mailbox_threads').select('id').where('tenant_id', '=', tenantId).where('case_id', '=', caseId).forUpdate().executeTakeFirst();
  if (!thread) return { messages: 0, attachments: 0 };
  return deleteThreadRows(tx, tenantId, thread.id);
}

/** Deletes one thread of this tenant with its messages and their attachment uploads. */
export async function deleteThreadRows(tx: Tx, tenantId: string, threadId: string): Promise<{ messages: number; attachments: number }> {
  const attachments = await tx.deleteFrom('uploads')
    .where('tenant_id', '=', tenantId).where('owner_kind', '=', ATTACHMENT_OWNER_KIND)
    .where('owner_id', 'in', (eb) => eb.selectFrom('mailbox_messages').select('id').where('tenant_id', '=', tenantId).where('thread_id', '=', threadId))
    .executeTakeFirst();
  const messages = await tx.deleteFrom('mailbox_messages').where('tenant_id', '=', tenantId).where('thread_id', '=', threadId).executeTakeFirst();
  await tx.deleteFrom('mailbox_threads').where('tenant_id', '=', tenantId).where('id', '=', threadId).execute();
  return { messages: Number(messages.numDeletedRows), attachments: Number(attachments.numDeletedRows) };
}

/** The general threads (no case) of a person's own mailbox, for erasure with the account. */
export async function listGeneralThreadsOfAccount(tx: Db | Tx, accountId: string): Promise<{ id: string; tenant_id: string }[]> {
  return tx.selectFrom('mailbox_threads').select(['id', 'tenant_id'])
    .where('account_id', '=', accountId).where('organisation_id', 'is', null).where('case_id', 'is', null).execute();
}

/** A person's own threads (not an organisation's), newest first, for the data export. */
export async function listThreadsOfAccount(db: Db, accountId: string) {
  return db.selectFrom('mailbox_threads').innerJoin('tenants', 'tenants.id', 'mailbox_threads.tenant_id')
    .selectAll('mailbox_threads').select('tenants.name as tenant_name')
    .where('mailbox_threads.account_id', '=', accountId).where('mailbox_threads.organisation_id', 'is', null)
    .orderBy('mailbox_threads.last_message_at', 'desc').execute();
}

/** Threads of the tenant written with an older key version (a batch). */
export async function listStaleThreads(db: Db, tenantId: string, current: number, limit: number) {
  return db.selectFrom('mailbox_threads').select(['id', 'subject_enc', 'key_version'])
    .where('tenant_id', '=', tenantId).where('key_version', '<', current).orderBy('id').limit(limit).execute();
}

/** Messages of the tenant written with an older key version (a batch). */
export async function listStaleMessages(db: Db, tenantId: string, current: number, limit: number) {
  return db.selectFrom('mailbox_messages').select(['id', 'body_enc', 'key_version'])
    .where('tenant_id', '=', tenantId).where('key_version', '<', current).orderBy('id').limit(limit).execute();
}

/** Replaces a thread's subject when its key version is still the one read (a concurrent move wins). */
export async function updateThreadSubject(db: Db, tenantId: string, id: string, fromVersion: number, subjectEnc: Uint8Array, keyVersion: number): Promise<boolean> {
  const result = await db.updateTable('mailbox_threads').set({ subject_enc: subjectEnc, key_version: keyVersion })
    .where('tenant_id', '=', tenantId).where('id', '=', id).where('key_version', '=', fromVersion).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Replaces a message's body when its key version is still the one read. */
export async function updateMessageBody(db: Db, tenantId: string, id: string, fromVersion: number, bodyEnc: Uint8Array, keyVersion: number): Promise<boolean> {
  const result = await db.updateTable('mailbox_messages').set({ body_enc: bodyEnc, key_version: keyVersion })
    .where('tenant_id', '=', tenantId).where('id', '=', id).where('key_version', '=', fromVersion).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The organisation's name, encrypted with the field cipher (staff see whom they write to). */
export async function findOrganisationNameEnc(db: Db, organisationId: string): Promise<string | null> {
  const row = await db.selectFrom('organisations').select('name_enc').where('id', '=', organisationId).executeTakeFirst();
  return row?.name_enc ?? null;
}

/** Whether the case exists for this tenant (a thread is only made for the tenant's own case). */
export async function caseBelongsToTenant(db: Db | Tx, tenantId: string, caseId: string): Promise<boolean> {
  if (!isUuid(caseId)) return false;
  const row = await db.selectFrom('cases').select('id').where('tenant_id', '=', tenantId).where('id', '=', caseId).executeTakeFirst();
  return row !== undefined;
}

/** Clears the link of a person's own threads and messages to their (deleted) account; the authority keeps them. */
export async function unlinkAccount(tx: Tx, accountId: string): Promise<void> {
  await tx.updateTable('mailbox_messages').set({ account_id: null, sender_account_id: null })
    .where('account_id', '=', accountId).where('organisation_id', 'is', null).execute();
  await tx.updateTable('mailbox_threads').set({ account_id: null })
    .where('account_id', '=', accountId).where('organisation_id', 'is', null).execute();
}
