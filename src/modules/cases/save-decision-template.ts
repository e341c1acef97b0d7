/**
 * A tenant administrator writes (or replaces) the decision template of one outcome of a procedure,
 * or removes it so that the outcome falls back to the general template or the platform's default.
 * Both are audited (the outcome code only, never the text).
 */
import type { Db } from '../../platform/db/database.ts';
import type { DecisionTemplateOutcome } from '../../platform/db/schema.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { deleteTemplate, findTemplateProcedure, saveTemplate } from './cases.repository.ts';

/** Who acts: the administrator in their active tenant, and the request for the audit log. */
export interface TemplateActor {
  tenantId: string;
  staffId: string;
  requestId: string;
}

export type TemplateResult = { ok: true } | { ok: false; code: 'NOT_FOUND' };

/** Saves the template; NOT_FOUND when the procedure is not one of the tenant's online procedures. */
export async function saveDecisionTemplate(db: Db, actor: TemplateActor, input: { procedureId: string; outcome: DecisionTemplateOutcome; title: string; body: string }): Promise<TemplateResult> {
  return db.transaction().execute(async (tx): Promise<TemplateResult> => {
    if (!(await findTemplateProcedure(tx, actor.tenantId, input.procedureId))) return { ok: false, code: 'NOT_FOUND' };
    await saveTemplate(tx, { tenantId: actor.tenantId, procedureId: input.procedureId, outcome: input.outcome, title: input.title, body: input.body, staffId: actor.staffId });
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'cases.decision_template_saved',
      subjectType: 'online_procedure', subjectId: input.procedureId, details: { outcome: input.outcome }, requestId: actor.requestId,
    });
    return { ok: true };
  });
}

/** Removes the template; NOT_FOUND when the procedure is not the tenant's or had no template for the outcome. */
export async function removeDecisionTemplate(db: Db, actor: TemplateActor, input: { procedureId: string; outcome: DecisionTemplateOutcome }): Promise<TemplateResult> {
  return db.transaction().execute(async (tx): Promise<TemplateResult> => {
    if (!(await findTemplateProcedure(tx, actor.tenantId, input.procedureId))) return { ok: false, code: 'NOT_FOUND' };
    if (!(await deleteTemplate(tx, actor.tenantId, input.procedureId, input.outcome))) return { ok: false, code: 'NOT_FOUND' };
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'cases.decision_template_removed',
      subjectType: 'online_procedure', subjectId: input.procedureId, details: { outcome: input.outcome }, requestId: actor.requestId,
    });
    return { ok: true };
  });
}
