/**
 * Assigns a case to a caseworker of its tenant, or takes the assignment away. Only staff who may
 * work on cases of that tenant can be assignees.
 */
import type { CasesDeps } from './cases.deps.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import { findCase, listCaseworkers, setAssignee } from './cases.repository.ts';

export type AssignResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'NOT_A_CASEWORKER' };

/** @throws when the database fails. */
export async function assignCase(deps: Pick<CasesDeps, 'db'>, input: { tenantId: string; caseId: string; assigneeId: string | null; staffId: string }): Promise<AssignResult> {
  return deps.db.transaction().execute(async (tx): Promise<AssignResult> => {
    const found = await findCase(tx, input.tenantId, input.caseId, { forUpdate: true });
    if (!found) return { ok: false, code: 'NOT_FOUND' };
    if (input.assigneeId && !(await listCaseworkers(tx, input.tenantId)).some((s) => s.id === input.assigneeId)) return { ok: false, code: 'NOT_A_CASEWORKER' };
    if (found.assigneeId === input.assigneeId) return { ok: true };
    await setAssignee(tx, input.tenantId, input.caseId, input.assigneeId);
    await recordCaseAction(tx, {
      tenantId: input.tenantId, caseId: input.caseId, action: input.assigneeId ? 'case.assigned' : 'case.unassigned', actorType: 'staff', actorId: input.staffId,
      trustLevel: null, details: { from: found.assigneeId, to: input.assigneeId },
    });
    return { ok: true };
  });
}
