/** A tenant administrator deactivates a delivery target: new cases are no longer delivered there. Audited. */
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AdminActor } from './add-delivery-target.ts';
import { deactivateTarget } from './case-delivery.repository.ts';

/** @returns false when the tenant has no target with this id. */
export async function deactivateDeliveryTarget(db: Db, actor: AdminActor, targetId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await deactivateTarget(tx, actor.tenantId, targetId))) return false;
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'case_delivery.target_deactivated',
      subjectType: 'case_delivery_target', subjectId: targetId, requestId: actor.requestId,
    });
    return true;
  });
}
