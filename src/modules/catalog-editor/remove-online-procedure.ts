/**
 * Removes the link of one of the tenant's online procedures to a service: the deletion, the audit
 * event and the follow-up in one transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { EditorActor } from './catalog-editor.policy.ts';
import { deleteProcedure } from './catalog-editor.repository.ts';
import { onOnlineProceduresChanged } from './online-procedures-changed.ts';

/**
 * Removes procedure `id` of the actor's tenant and service.
 * @throws DomainError NOT_FOUND when the tenant has no such procedure (another tenant's is not found either).
 */
export async function removeOnlineProcedure(db: Db, actor: EditorActor, leikaKey: string, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await deleteProcedure(tx, actor.tenantId, leikaKey, id))) throw new DomainError('NOT_FOUND');
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'catalog.procedure.removed',
      subjectType: 'online_procedure', subjectId: id, requestId: actor.requestId, details: { leikaKey },
    });
    await onOnlineProceduresChanged(tx, actor.tenantId);
  });
}
