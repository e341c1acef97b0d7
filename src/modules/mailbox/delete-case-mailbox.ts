/**
 * Retention: a case's mailbox goes with the case (the lead's retention job calls this and logs it).
 */
import type { Tx } from '../../platform/db/database.ts';
import { deleteCaseThread } from './mailbox.repository.ts';

/** Deletes the case's thread, its messages and their attachment uploads, in the caller's transaction; returns the counts. */
export async function deleteCaseMailbox(tx: Tx, tenantId: string, caseId: string): Promise<{ messages: number; attachments: number }> {
  return deleteCaseThread(tx, tenantId, caseId);
}
