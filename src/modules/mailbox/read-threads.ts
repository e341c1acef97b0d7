/**
 * Reading the mailbox: thread lists (newest activity first, with unread counts), a thread with its
 * decrypted messages and attachment metadata, and the read receipts that opening a thread records.
 */
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import { listUploads } from '../../platform/uploads/index.ts';
import { ATTACHMENT_OWNER_KIND, bodyContext, subjectContext } from './mailbox-content.ts';
import {
  countUnreadForOwner, countUnreadForTenant, findOwnedThread, findTenantThread, findThreadIdOfCase, listMessages, listOwnedThreads,
  listTenantThreads, markThreadRead, type ThreadRow,
} from './mailbox.repository.ts';
import type { ApplicantThreadView, MailboxDeps, MailboxMessageView, MailboxOwner, StaffThreadView, ThreadSummary } from './mailbox.types.ts';

/** Threads per page of a list. */
export const THREADS_PER_PAGE = 20;

async function decryptThread(db: Db | Tx, keys: TenantKeys, thread: ThreadRow, staffNames: boolean): Promise<StaffThreadView> {
  const rows = await listMessages(db, thread.tenant_id, thread.id);
  const messages: MailboxMessageView[] = [];
  for (const row of rows) {
    messages.push({
      id: row.id, direction: row.direction, kind: row.kind,
      body: await keys.decryptText(db, thread.tenant_id, row.body_enc, bodyContext(row.id)),
      senderStaffId: staffNames ? row.sender_staff_id : null,
      senderStaffName: staffNames ? row.sender_staff_name : null,
      senderAccountId: row.sender_account_id, trustLevel: row.trust_level,
      readAt: row.read_at, retrievedAt: row.retrieved_at, createdAt: row.created_at,
      attachments: await listUploads(db, keys, thread.tenant_id, ATTACHMENT_OWNER_KIND, row.id),
    });
  }
  return {
    id: thread.id, tenantId: thread.tenant_id, caseId: thread.case_id, accountId: thread.account_id, organisationId: thread.organisation_id,
    subject: await keys.decryptText(db, thread.tenant_id, thread.subject_enc, subjectContext(thread.id)),
    createdAt: thread.created_at, lastMessageAt: thread.last_message_at, messages,
  };
}

/** A thread of this tenant with its decrypted messages and attachment metadata; null when it is not the tenant's. */
export async function listThreadForStaff(db: Db, deps: Pick<MailboxDeps, 'tenantKeys'>, tenantId: string, threadId: string): Promise<StaffThreadView | null> {
  const thread = await findTenantThread(db, tenantId, threadId);
  return thread ? decryptThread(db, deps.tenantKeys, thread, true) : null;
}

/**
 * Opens a thread of the applicant's mailbox: records the read receipt of the authority's unread
 * messages, then returns the thread. Null when the thread is not in this mailbox.
 */
export async function openThreadForApplicant(db: Db, deps: Pick<MailboxDeps, 'tenantKeys'>, owner: MailboxOwner, threadId: string): Promise<ApplicantThreadView | null> {
  const thread = await findOwnedThread(db, owner, threadId);
  if (!thread) return null;
  await markThreadRead(db, thread.tenant_id, thread.id, 'to_applicant', new Date());
  return { ...(await decryptThread(db, deps.tenantKeys, thread, false)), tenantName: thread.tenant_name };
}

/** Records that the authority read the applicant's messages in this thread (no-op for another tenant's). */
export async function markReadByAuthority(db: Db, tenantId: string, threadId: string): Promise<void> {
  await markThreadRead(db, tenantId, threadId, 'to_authority', new Date());
}

/** The id of the case's thread, or null when it has none (or the case is another tenant's). */
export async function caseThreadId(db: Db, tenantId: string, caseId: string): Promise<string | null> {
  return findThreadIdOfCase(db, tenantId, caseId);
}

/** Messages to the applicant (person, or organisation acted for) not yet opened. */
export async function unreadCountForApplicant(db: Db, owner: MailboxOwner): Promise<number> {
  return countUnreadForOwner(db, owner);
}

/** The applicant's messages this tenant has not read yet. */
export async function unreadCountForTenant(db: Db, tenantId: string): Promise<number> {
  return countUnreadForTenant(db, tenantId);
}

async function summaries(db: Db, keys: TenantKeys, rows: Awaited<ReturnType<typeof listOwnedThreads>>): Promise<ThreadSummary[]> {
  return Promise.all(rows.map(async (r) => ({
    id: r.id, tenantId: r.tenant_id, tenantName: r.tenant_name, caseId: r.case_id, lastMessageAt: r.last_message_at, unread: Number(r.unread ?? 0),
    subject: await keys.decryptText(db, r.tenant_id, r.subject_enc, subjectContext(r.id)),
  })));
}

/** One page (from 1) of the applicant's threads; `hasNext` when there are more. */
export async function listApplicantThreads(db: Db, deps: Pick<MailboxDeps, 'tenantKeys'>, owner: MailboxOwner, page: number): Promise<{ threads: ThreadSummary[]; hasNext: boolean }> {
  const rows = await listOwnedThreads(db, owner, { limit: THREADS_PER_PAGE + 1, offset: (page - 1) * THREADS_PER_PAGE });
  return { threads: await summaries(db, deps.tenantKeys, rows.slice(0, THREADS_PER_PAGE)), hasNext: rows.length > THREADS_PER_PAGE };
}

/** One page (from 1) of the tenant's threads; `hasNext` when there are more. */
export async function listStaffThreads(db: Db, deps: Pick<MailboxDeps, 'tenantKeys'>, tenantId: string, page: number): Promise<{ threads: ThreadSummary[]; hasNext: boolean }> {
  const rows = await listTenantThreads(db, tenantId, { limit: THREADS_PER_PAGE + 1, offset: (page - 1) * THREADS_PER_PAGE });
  return { threads: await summaries(db, deps.tenantKeys, rows.slice(0, THREADS_PER_PAGE)), hasNext: rows.length > THREADS_PER_PAGE };
}
