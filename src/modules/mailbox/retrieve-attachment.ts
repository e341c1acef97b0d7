/**
 * Downloading an attachment. The recipient's first download is the retrieval receipt: for the
 * applicant, the notification time of a decision (Bekanntgabe), told to the cases module in the
 * same transaction, exactly once.
 */
import { readUpload, type StoredUpload } from '../../platform/uploads/index.ts';
import { findAttachmentMessage, markRetrieved } from './mailbox.repository.ts';
import type { MailboxDeps } from './mailbox.types.ts';

/**
 * The attachment of a message in this thread of this tenant, read and decrypted; records the
 * retrieval receipt when `by` is the message's recipient. Undefined when the attachment is not in
 * the thread (the caller has checked that the thread is the reader's).
 */
export async function retrieveAttachment(
  deps: Pick<MailboxDeps, 'db' | 'tenantKeys' | 'hooks'>,
  input: { tenantId: string; threadId: string; caseId: string | null; uploadId: string; by: 'applicant' | 'authority' },
): Promise<StoredUpload | undefined> {
  return deps.db.transaction().execute(async (tx) => {
    const message = await findAttachmentMessage(tx, input.tenantId, input.threadId, input.uploadId);
    if (!message) return undefined;
    const upload = await readUpload(tx, deps.tenantKeys, input.tenantId, input.uploadId);
    if (!upload) return undefined;
    const recipient = message.direction === 'to_applicant' ? 'applicant' : 'authority';
    if (input.by === recipient && message.retrieved_at === null) {
      const at = new Date();
      const first = await markRetrieved(tx, input.tenantId, message.id, at);
      if (first && recipient === 'applicant' && deps.hooks.onFirstRetrieval) {
        await deps.hooks.onFirstRetrieval(tx, { tenantId: input.tenantId, caseId: input.caseId, messageId: message.id, kind: message.kind, at });
      }
    }
    return upload;
  });
}
