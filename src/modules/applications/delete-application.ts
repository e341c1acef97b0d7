/**
 * Deletes a submitted application and its evidence uploads, at the end of the retention period the
 * cases module enforces. Call inside the caller's transaction.
 */
import type { Tx } from '../../platform/db/database.ts';
import { deleteUploadsOfOwner } from '../../platform/uploads/index.ts';
import { deleteSubmittedApplication } from './applications.repository.ts';

/** @returns how many uploads went with it, or null when there was no such application. */
export async function deleteApplicationRecord(tx: Tx, tenantId: string, applicationId: string): Promise<{ uploads: number } | null> {
  const uploads = await deleteUploadsOfOwner(tx, tenantId, 'application', applicationId);
  return (await deleteSubmittedApplication(tx, tenantId, applicationId)) ? { uploads } : null;
}
