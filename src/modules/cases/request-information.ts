/**
 * A request for information (Nachforderung): the caseworker asks the applicant for documents or
 * answers by a date. The request is a mailbox message (with an e-mail notice that carries no
 * content); the case waits for the applicant until they reply or the caseworker stops waiting.
 */
import type { TrustLevel } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/database.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import { ensureCaseThread, postToApplicant } from '../mailbox/index.ts';
import type { CasesDeps } from './cases.deps.ts';
import { answerOpenRequests, findCase, insertInformationRequest, setAnswered } from './cases.repository.ts';
import { queueStaffNotices, recordStaffNotice } from './notify-staff-of-message.ts';
import { recordStatus } from './record-status.ts';
import { allows, findTransition, workflowNamed } from './workflow.ts';

export interface RequestInformationInput {
  tenantId: string;
  caseId: string;
  staffId: string;
  text: string;
  dueAt: Date;
}

export type RequestInformationResult =
  | { ok: true; requestId: string }
  | { ok: false; code: 'NOT_FOUND' | 'NO_APPLICANT' }
  | { ok: false; code: 'ILLEGAL_TRANSITION'; from: string };

/** @throws when the database fails (nothing is written). */
export async function requestInformation(deps: CasesDeps, input: RequestInformationInput): Promise<RequestInformationResult> {
  return deps.db.transaction().execute(async (tx): Promise<RequestInformationResult> => {
    const found = await findCase(tx, input.tenantId, input.caseId, { forUpdate: true });
    if (!found) return { ok: false, code: 'NOT_FOUND' };
    // A second request while waiting adds to the first; otherwise the workflow must allow waiting.
    if (found.status !== 'waiting' && !allows(workflowNamed(found.workflow), found.status, 'information_request', 'staff')) {
      return { ok: false, code: 'ILLEGAL_TRANSITION', from: found.status };
    }
    if (!found.accountId && !found.organisationId) return { ok: false, code: 'NO_APPLICANT' };
    const threadId = await ensureCaseThread(tx, deps.mailbox, {
      tenantId: found.tenantId, caseId: found.id, accountId: found.accountId, organisationId: found.organisationId, subject: `${found.procedureName} – ${found.reference}`,
    });
    const due = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(input.dueAt);
    const dueEn = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(input.dueAt);
    const { messageId } = await postToApplicant(tx, deps.mailbox, {
      tenantId: found.tenantId, threadId, kind: 'information_request', senderStaffId: input.staffId,
      body: `${input.text}\n\nBitte antworten Sie bis zum ${due} über Ihr Postfach. / Please reply by ${dueEn} through your mailbox.`,
    });
    const requestId = await insertInformationRequest(tx, { tenantId: found.tenantId, caseId: found.id, requestedBy: input.staffId, messageId, dueAt: input.dueAt });
    await recordCaseAction(tx, {
      tenantId: found.tenantId, caseId: found.id, action: 'case.information_requested', actorType: 'staff', actorId: input.staffId, trustLevel: null,
      details: { requestId, messageId, dueAt: input.dueAt.toISOString() },
    });
    if (found.status !== 'waiting') await recordStatus(tx, found, 'waiting', { type: 'staff', id: input.staffId }, { requestId }, { answeredAt: null });
    return { ok: true, requestId };
  });
}

/**
 * The mailbox hook for a message from the applicant in a case thread: open requests are answered,
 * a waiting case returns to processing, the inbox marks the case as answered, and the caseworkers
 * get a content-free e-mail (at most one per case and person within a quarter of an hour).
 */
export async function recordApplicantMessage(
  deps: Pick<CasesDeps, 'mail' | 'publicUrl'>, tx: Tx,
  event: { tenantId: string; caseId: string; messageId: string; trustLevel: TrustLevel; accountId?: string | null },
): Promise<void> {
  const found = await findCase(tx, event.tenantId, event.caseId, { forUpdate: true });
  if (!found) return;
  const now = new Date();
  // Before the first trail append: from there the tenant's trail head stays locked until commit.
  const notified = await queueStaffNotices(tx, deps, found, now);
  const answered = await answerOpenRequests(tx, found.tenantId, found.id, event.messageId, now);
  await recordCaseAction(tx, {
    tenantId: found.tenantId, caseId: found.id, action: answered > 0 ? 'case.information_provided' : 'case.applicant_message', actorType: 'citizen',
    actorId: event.accountId ?? null, trustLevel: event.trustLevel, details: { messageId: event.messageId, requestsAnswered: answered },
  });
  const back = found.status === 'waiting' && findTransition(workflowNamed(found.workflow), 'waiting', 'in_progress', 'citizen', 'reply');
  if (back) await recordStatus(tx, found, 'in_progress', { type: 'citizen', id: event.accountId ?? null, trustLevel: event.trustLevel }, { messageId: event.messageId }, { answeredAt: now });
  else await setAnswered(tx, found.tenantId, found.id, now);
  await recordStaffNotice(tx, found, notified, event.messageId);
}
