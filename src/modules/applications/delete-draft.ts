/**
 * The applicant deletes a draft they no longer need (with its uploads); submitted applications stay
 * with the authority.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { deleteUploadsOfOwner } from '../../platform/uploads/index.ts';
import { deleteDraft, type ApplicationOwner } from './applications.repository.ts';

/** Deletes the owner's draft; false when there is no such draft of theirs. */
export async function deleteOwnDraft(db: Db, owner: ApplicationOwner, applicationId: string, requestId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const deleted = await deleteDraft(tx, owner, applicationId);
    if (!deleted) return false;
    await deleteUploadsOfOwner(tx, deleted.tenantId, 'application', applicationId);
    await recordAudit(tx, { actorType: 'citizen', actorId: owner.accountId, action: 'application.draft_deleted', subjectType: 'application', subjectId: applicationId, requestId });
    return true;
  });
}
