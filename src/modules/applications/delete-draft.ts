/**
 * The applicant deletes a draft they no longer need; submitted applications stay with the authority.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { deleteDraft, type ApplicationOwner } from './applications.repository.ts';

/** Deletes the owner's draft; false when there is no such draft of theirs. */
export async function deleteOwnDraft(db: Db, owner: ApplicationOwner, applicationId: string, requestId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await deleteDraft(tx, owner, applicationId))) return false;
    await recordAudit(tx, { actorType: 'citizen', actorId: owner.accountId, action: 'application.draft_deleted', subjectType: 'application', subjectId: applicationId, requestId });
    return true;
  });
}
