/**
 * The mailbox thread of a case: made once, when the lead module first needs it (a case opened, a
 * request for information, a decision). A second call, also a concurrent one, finds the same thread.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { encryptSubject } from './mailbox-content.ts';
import { caseBelongsToTenant, findThreadIdOfCase, insertCaseThreadOnce } from './mailbox.repository.ts';
import type { MailboxDeps } from './mailbox.types.ts';

/**
 * Returns the id of the case's thread, creating it (subject encrypted with the tenant's key) when
 * there is none. Runs in the caller's transaction.
 * @throws Error when the case is not one of this tenant's.
 */
export async function ensureCaseThread(
  tx: Tx, deps: Pick<MailboxDeps, 'tenantKeys'>,
  input: { tenantId: string; caseId: string; accountId: string | null; organisationId: string | null; subject: string },
): Promise<string> {
  const existing = await findThreadIdOfCase(tx, input.tenantId, input.caseId);
  if (existing) return existing;
  if (!(await caseBelongsToTenant(tx, input.tenantId, input.caseId))) throw new Error('ensureCaseThread: the case is not one of this tenant\'s');
  const id = randomUUID();
  const subject = await encryptSubject(tx, deps.tenantKeys, input.tenantId, id, input.subject);
  return insertCaseThreadOnce(tx, input.tenantId, {
    id, caseId: input.caseId, accountId: input.accountId, organisationId: input.organisationId, subjectEnc: subject.enc, keyVersion: subject.keyVersion,
  });
}
