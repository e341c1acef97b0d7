/**
 * Links an online procedure of the tenant to a service: the procedure, the audit event and the
 * follow-up (Digitales Amt evaluation) in one transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import type { EditorActor } from './catalog-editor.policy.ts';
import { insertProcedure } from './catalog-editor.repository.ts';
import type { ProcedureInput } from './catalog-editor.schemas.ts';
import { onOnlineProceduresChanged } from './online-procedures-changed.ts';
import { isUniqueViolation } from './unique-violation.ts';

/** Linked, or refused because the tenant already linked a procedure of that name to the service. */
export type LinkOnlineProcedureResult = { ok: true; value: { id: string } } | { ok: false; code: 'DUPLICATE_NAME' };

/**
 * Links `input` to the service for the actor's tenant.
 * @throws when the database fails (nothing is written).
 */
export async function linkOnlineProcedure(db: Db, actor: EditorActor, leikaKey: string, input: ProcedureInput): Promise<LinkOnlineProcedureResult> {
  try {
    const id = await db.transaction().execute(async (tx) => {
      const procedureId = await insertProcedure(tx, actor.tenantId, leikaKey, input, actor.staffId);
      await recordAudit(tx, {
        tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'catalog.procedure.linked',
        subjectType: 'online_procedure', subjectId: procedureId, requestId: actor.requestId,
        details: { leikaKey, kind: input.kind, maturityModel: input.maturityModel, maturityLevel: input.maturityLevel },
      });
      await onOnlineProceduresChanged(tx, actor.tenantId);
      return procedureId;
    });
    return { ok: true, value: { id } };
  } catch (error) {
    // The only unique constraint the insert can hit: (tenant, service, name).
    if (isUniqueViolation(error)) return { ok: false, code: 'DUPLICATE_NAME' };
    throw error;
  }
}
