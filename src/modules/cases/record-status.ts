/**
 * Applies a status change that the workflow allowed: the case, the application the applicant
 * follows (same status, a history entry), and the case trail — in the caller's transaction.
 */
import type { Tx } from '../../platform/db/database.ts';
import type { CaseStatus, TrustLevel } from '../../platform/db/schema.ts';
import { setSubmittedApplicationStatus } from '../applications/index.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import { updateCaseStatus, type CaseRow } from './cases.repository.ts';
import type { CaseActorKind } from './workflow.ts';

export interface CaseActor {
  type: CaseActorKind;
  id: string | null;
  trustLevel?: TrustLevel | null;
}

/** @returns false when the case changed status meanwhile (the caller holds the row lock, so rarely). */
export async function recordStatus(tx: Tx, c: CaseRow, to: CaseStatus, actor: CaseActor, details: Record<string, string | number | boolean | null> = {}, extra: { answeredAt?: Date | null } = {}): Promise<boolean> {
  if (!(await updateCaseStatus(tx, c.tenantId, c.id, c.status, to, extra))) return false;
  await setSubmittedApplicationStatus(tx, {
    tenantId: c.tenantId, applicationId: c.id, status: to,
    // The applicant's history knows people and the platform; a specialist procedure acts for the authority.
    actorType: actor.type === 'integration' ? 'staff' : actor.type, actorId: actor.type === 'staff' || actor.type === 'citizen' ? actor.id : null,
    trustLevel: actor.type === 'citizen' ? actor.trustLevel ?? null : null,
  });
  await recordCaseAction(tx, {
    tenantId: c.tenantId, caseId: c.id, action: 'case.status_changed', actorType: actor.type, actorId: actor.id,
    trustLevel: actor.trustLevel ?? null, details: { from: c.status, to, ...details },
  });
  return true;
}
