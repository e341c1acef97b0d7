/**
 * Publishes a form for reuse by other authorities ("Einer für Alle"), or withdraws it. Withdrawing
 * keeps the procedures others already built on it working at their pinned versions; it only stops
 * new adoptions.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import type { EditorActor } from '../catalog-editor/index.ts';
import { findOwnFormForUpdate, setFormShared } from './form-library.repository.ts';

/** Shares or withdraws the tenant's form; false when it is not the tenant's. @throws when the database fails. */
export async function shareForm(db: Db, actor: EditorActor, formId: string, shared: boolean): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await findOwnFormForUpdate(tx, actor.tenantId, formId))) return false;
    await setFormShared(tx, formId, shared);
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: shared ? 'forms.shared' : 'forms.unshared',
      subjectType: 'form', subjectId: formId, requestId: actor.requestId,
    });
    return true;
  });
}
