/**
 * A message from the authority to the applicant: a caseworker's message, a request for information,
 * a decision or a notice. Body and attachments are encrypted with the tenant's key; the applicant
 * gets a content-free e-mail notice.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import type { MailboxMessageKind } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { storeUpload, type UploadMediaType } from '../../platform/uploads/index.ts';
import { ATTACHMENT_OWNER_KIND, encryptBody } from './mailbox-content.ts';
import { findTenantThread, insertMessage } from './mailbox.repository.ts';
import type { MailboxDeps } from './mailbox.types.ts';
import { queueMailboxNotices } from './notify-applicant.ts';

export interface OutgoingAttachment {
  fileName: string;
  /** The type found by inspecting the content (or produced by the platform, e.g. a sealed PDF). */
  mediaType: UploadMediaType;
  bytes: Uint8Array;
}

/**
 * Posts into a thread of this tenant, in the caller's transaction, and queues the notices.
 * @throws DomainError NOT_FOUND when the thread is not one of this tenant's.
 */
export async function postToApplicant(
  tx: Tx, deps: Pick<MailboxDeps, 'tenantKeys' | 'cipher' | 'mail' | 'publicUrl'>,
  input: { tenantId: string; threadId: string; kind: MailboxMessageKind; senderStaffId: string | null; body: string; attachments?: OutgoingAttachment[] },
): Promise<{ messageId: string; attachmentIds: string[] }> {
  const thread = await findTenantThread(tx, input.tenantId, input.threadId);
  if (!thread) throw new DomainError('NOT_FOUND');
  const messageId = randomUUID();
  const body = await encryptBody(tx, deps.tenantKeys, input.tenantId, messageId, input.body);
  await insertMessage(tx, input.tenantId, {
    id: messageId, threadId: thread.id, accountId: thread.account_id, organisationId: thread.organisation_id,
    direction: 'to_applicant', kind: input.kind, senderStaffId: input.senderStaffId, senderAccountId: null, trustLevel: null,
    bodyEnc: body.enc, keyVersion: body.keyVersion, createdAt: new Date(),
  });
  const attachmentIds: string[] = [];
  for (const file of input.attachments ?? []) {
    const { uploadId } = await storeUpload(tx, deps.tenantKeys, {
      tenantId: input.tenantId, ownerKind: ATTACHMENT_OWNER_KIND, ownerId: messageId, fileName: file.fileName, mediaType: file.mediaType, bytes: file.bytes,
    });
    attachmentIds.push(uploadId);
  }
  await queueMailboxNotices(tx, deps, thread);
  return { messageId, attachmentIds };
}
