/**
 * Messages from the applicant: a reply in one of their threads, or a new general thread to an
 * authority. Each records the trust level of the sender's login; a message in a case thread tells
 * the cases module in the same transaction (e.g. a request for information is answered).
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import { storeUpload } from '../../platform/uploads/index.ts';
import { ATTACHMENT_OWNER_KIND, encryptBody, encryptSubject } from './mailbox-content.ts';
import { findOwnedThread, insertMessage, insertThread, type ThreadRow } from './mailbox.repository.ts';
import type { MailboxDeps, MailboxOwner } from './mailbox.types.ts';
import type { OutgoingAttachment } from './post-to-applicant.ts';

async function insertApplicantMessage(
  tx: Tx, deps: Pick<MailboxDeps, 'tenantKeys'>, thread: Pick<ThreadRow, 'id' | 'tenant_id' | 'account_id' | 'organisation_id'>,
  input: { owner: MailboxOwner; kind: 'message' | 'reply'; body: string; trustLevel: TrustLevel; attachments: OutgoingAttachment[] },
): Promise<string> {
  const messageId = randomUUID();
  const body = await encryptBody(tx, deps.tenantKeys, thread.tenant_id, messageId, input.body);
  await insertMessage(tx, thread.tenant_id, {
    id: messageId, threadId: thread.id, accountId: thread.account_id, organisationId: thread.organisation_id,
    direction: 'to_authority', kind: input.kind, senderStaffId: null, senderAccountId: input.owner.accountId, trustLevel: input.trustLevel,
    bodyEnc: body.enc, keyVersion: body.keyVersion, createdAt: new Date(),
  });
  for (const file of input.attachments) {
    await storeUpload(tx, deps.tenantKeys, {
      tenantId: thread.tenant_id, ownerKind: ATTACHMENT_OWNER_KIND, ownerId: messageId, fileName: file.fileName, mediaType: file.mediaType, bytes: file.bytes,
    });
  }
  return messageId;
}

/**
 * The applicant's reply in one of their threads (attachments already inspected). Calls
 * `hooks.onApplicantMessage` in the same transaction for a case thread.
 * Returns null when the thread is not in the applicant's mailbox.
 */
export async function replyAsApplicant(
  deps: Pick<MailboxDeps, 'db' | 'tenantKeys' | 'hooks'>,
  input: { owner: MailboxOwner; threadId: string; body: string; trustLevel: TrustLevel; attachments: OutgoingAttachment[] },
): Promise<{ messageId: string; tenantId: string } | null> {
  return deps.db.transaction().execute(async (tx) => {
    const thread = await findOwnedThread(tx, input.owner, input.threadId);
    if (!thread) return null;
    const messageId = await insertApplicantMessage(tx, deps, thread, { ...input, kind: 'reply' });
    if (thread.case_id && deps.hooks.onApplicantMessage) {
      await deps.hooks.onApplicantMessage(tx, { tenantId: thread.tenant_id, caseId: thread.case_id, threadId: thread.id, messageId, trustLevel: input.trustLevel });
    }
    return { messageId, tenantId: thread.tenant_id };
  });
}

/** A new general thread (no case) from the applicant to a connected authority, with its first message. */
export async function startGeneralThread(
  deps: Pick<MailboxDeps, 'db' | 'tenantKeys'>,
  input: { owner: MailboxOwner; tenantId: string; subject: string; body: string; trustLevel: TrustLevel; attachments: OutgoingAttachment[] },
): Promise<{ threadId: string; messageId: string }> {
  return deps.db.transaction().execute(async (tx) => {
    const threadId = randomUUID();
    const subject = await encryptSubject(tx, deps.tenantKeys, input.tenantId, threadId, input.subject);
    const thread = { id: threadId, tenant_id: input.tenantId, account_id: input.owner.accountId, organisation_id: input.owner.organisationId };
    await insertThread(tx, input.tenantId, {
      id: threadId, caseId: null, accountId: thread.account_id, organisationId: thread.organisation_id, subjectEnc: subject.enc, keyVersion: subject.keyVersion,
    });
    const messageId = await insertApplicantMessage(tx, deps, thread, { ...input, kind: 'message' });
    return { threadId, messageId };
  });
}
