/**
 * Changes the details of one of the tenant's linked online procedures (name, where it runs,
 * maturity) in one transaction with its audit event. The service and the active flag stay, so the
 * Digitales Amt count does not change and is not evaluated again.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import { onCatalogEntryChanged } from './online-procedures-changed.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { EditorActor } from './catalog-editor.policy.ts';
import { updateProcedure } from './catalog-editor.repository.ts';
import type { ProcedureInput } from './catalog-editor.schemas.ts';
import { isUniqueViolation } from './unique-violation.ts';

/** Changed, or refused because the tenant already linked another procedure of that name to the service. */
export type UpdateOnlineProcedureResult = { ok: true; value: { id: string } } | { ok: false; code: 'DUPLICATE_NAME' };

/**
 * Changes procedure `id` of the actor's tenant and service.
 * @throws DomainError NOT_FOUND when the tenant has no such procedure (another tenant's is not found either).
 */
export async function updateOnlineProcedure(db: Db, actor: EditorActor, leikaKey: string, id: string, input: ProcedureInput): Promise<UpdateOnlineProcedureResult> {
  try {
    await db.transaction().execute(async (tx) => {
      if (!(await updateProcedure(tx, actor.tenantId, leikaKey, id, input))) throw new DomainError('NOT_FOUND');
      await recordAudit(tx, {
        tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'catalog.procedure.updated',
        subjectType: 'online_procedure', subjectId: id, requestId: actor.requestId,
        details: { leikaKey, kind: input.kind, maturityModel: input.maturityModel, maturityLevel: input.maturityLevel },
      });
      await onCatalogEntryChanged(tx);
    });
    return { ok: true, value: { id } };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, code: 'DUPLICATE_NAME' };
    throw error;
  }
}
