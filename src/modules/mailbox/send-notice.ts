/**
 * A notice from an authority that belongs to no case (e.g. "your unfinished application will soon
 * be deleted"): a new general thread to the person or organisation with one message, and the
 * content-free e-mail notice of `postToApplicant`. Runs in the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { encryptSubject } from './mailbox-content.ts';
import { insertThread } from './mailbox.repository.ts';
import type { MailboxDeps } from './mailbox.types.ts';
import { postToApplicant } from './post-to-applicant.ts';

/** @returns the new thread's id. */
export async function sendNotice(
  tx: Tx, deps: Pick<MailboxDeps, 'tenantKeys' | 'cipher' | 'mail' | 'publicUrl'>,
  input: { tenantId: string; accountId: string | null; organisationId: string | null; subject: string; body: string },
): Promise<string> {
  const id = randomUUID();
  const subject = await encryptSubject(tx, deps.tenantKeys, input.tenantId, id, input.subject);
  await insertThread(tx, input.tenantId, { id, caseId: null, accountId: input.accountId, organisationId: input.organisationId, subjectEnc: subject.enc, keyVersion: subject.keyVersion });
  await postToApplicant(tx, deps, { tenantId: input.tenantId, threadId: id, kind: 'notice', senderStaffId: null, body: input.body });
  return id;
}
