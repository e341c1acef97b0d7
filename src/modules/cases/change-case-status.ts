/**
 * A plain status change of a case (start processing, reject as inadmissible, stop waiting, close,
 * withdraw), by a caseworker, the specialist procedure, the platform or the applicant — whatever
 * the procedure's workflow allows that actor from the current status, nothing else.
 */
import type { CaseStatus, TrustLevel } from '../../platform/db/schema.ts';
import { ensureCaseThread, postToApplicant } from '../mailbox/index.ts';
import type { CasesDeps } from './cases.deps.ts';
import { cancelOpenRequests, findCase } from './cases.repository.ts';
import { recordStatus, type CaseActor } from './record-status.ts';
import { findTransition, workflowNamed } from './workflow.ts';

export interface ChangeStatusInput {
  tenantId: string;
  caseId: string;
  to: CaseStatus;
  actor: { type: CaseActor['type']; id: string | null; trustLevel?: TrustLevel | null };
  /** Told to the applicant in the mailbox where the step needs it (rejection). */
  reason?: string;
}

export type ChangeStatusResult =
  | { ok: true; status: CaseStatus }
  | { ok: false; code: 'NOT_FOUND' }
  | { ok: false; code: 'ILLEGAL_TRANSITION'; from: CaseStatus }
  | { ok: false; code: 'REASON_REQUIRED' };

/** Changes the status when the workflow allows it. @throws when the database fails (nothing written). */
export async function changeCaseStatus(deps: CasesDeps, input: ChangeStatusInput): Promise<ChangeStatusResult> {
  return deps.db.transaction().execute(async (tx): Promise<ChangeStatusResult> => {
    const found = await findCase(tx, input.tenantId, input.caseId, { forUpdate: true });
    if (!found) return { ok: false, code: 'NOT_FOUND' };
    // A retried request that already took effect succeeds again without a second entry.
    if (found.status === input.to) return { ok: true, status: found.status };
    const transition = findTransition(workflowNamed(found.workflow), found.status, input.to, input.actor.type);
    if (!transition) return { ok: false, code: 'ILLEGAL_TRANSITION', from: found.status };
    const reason = input.reason?.trim() ?? '';
    if (transition.needsReason && !reason) return { ok: false, code: 'REASON_REQUIRED' };
    if (!(await recordStatus(tx, found, input.to, input.actor, { withReason: reason !== '' }, input.to === 'in_progress' ? {} : { answeredAt: null }))) {
      return { ok: false, code: 'ILLEGAL_TRANSITION', from: found.status };
    }
    if (input.to === 'withdrawn' || input.to === 'rejected' || (found.status === 'waiting' && input.to === 'in_progress' && input.actor.type !== 'citizen')) {
      await cancelOpenRequests(tx, found.tenantId, found.id);
    }
    if (reason && (found.accountId || found.organisationId)) {
      const threadId = await ensureCaseThread(tx, deps.mailbox, {
        tenantId: found.tenantId, caseId: found.id, accountId: found.accountId, organisationId: found.organisationId, subject: `${found.procedureName} – ${found.reference}`,
      });
      const lead = input.to === 'rejected'
        ? 'Ihr Antrag wurde als unzulässig abgelehnt. Begründung: / Your application was rejected as inadmissible. Reason:'
        : 'Der Stand Ihres Antrags hat sich geändert. / The status of your application has changed.';
      await postToApplicant(tx, deps.mailbox, { tenantId: found.tenantId, threadId, kind: 'notice', senderStaffId: input.actor.type === 'staff' ? input.actor.id : null, body: `${lead}\n\n${reason}` });
    }
    return { ok: true, status: input.to };
  });
}
