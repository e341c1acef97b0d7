/**
 * Deactivates or reactivates one of the tenant's linked online procedures (a deactivated one is kept
 * but not offered publicly): the change, the audit event and the follow-up in one transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { EditorActor } from './catalog-editor.policy.ts';
import { setProcedureActive } from './catalog-editor.repository.ts';
import { onOnlineProceduresChanged } from './online-procedures-changed.ts';

/**
 * Sets procedure `id` of the actor's tenant and service active or inactive.
 * @throws DomainError NOT_FOUND when the tenant has no such procedure (another tenant's is not found either).
 */
export async function setOnlineProcedureActive(db: Db, actor: EditorActor, leikaKey: string, id: string, active: boolean): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await setProcedureActive(tx, actor.tenantId, leikaKey, id, active))) throw new DomainError('NOT_FOUND');
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId,
      action: active ? 'catalog.procedure.reactivated' : 'catalog.procedure.deactivated',
      subjectType: 'online_procedure', subjectId: id, requestId: actor.requestId, details: { leikaKey },
    });
    await onOnlineProceduresChanged(tx, actor.tenantId);
  });
}
