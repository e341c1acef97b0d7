/** A tenant administrator revokes a specialist procedure's credential: its token stops working at once. Audited. */
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AdminActor } from './add-delivery-target.ts';
import { revokeClient } from './case-delivery.repository.ts';

/** Revokes a client of the tenant. @returns false when it has no unrevoked client with this id. */
export async function revokeIntegrationClient(db: Db, actor: AdminActor, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await revokeClient(tx, actor.tenantId, clientId))) return false;
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'case_delivery.client_revoked',
      subjectType: 'integration_client', subjectId: clientId, requestId: actor.requestId,
    });
    return true;
  });
}
