/**
 * Every submitted application becomes a case of the responsible tenant, in the submission's own
 * transaction: with its statutory deadline, the applicant's name (encrypted, plus the blind index
 * to find it), a first trail entry, and whatever else listens (delivery to specialist procedures).
 */
import type { Tx } from '../../platform/db/database.ts';
import type { SubmissionEvent, SubmissionListener } from '../applications/index.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import { applicantTerms } from './applicant-terms.ts';
import type { CasesDeps } from './cases.deps.ts';
import { insertCase } from './cases.repository.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The date the statutory processing time runs out (calendar days from receipt), or null. */
export function dueDate(submittedAt: Date, processingDays: number | null): Date | null {
  return processingDays ? new Date(submittedAt.getTime() + processingDays * DAY_MS) : null;
}

/** Opens the case of a submission. Idempotent: the case of an application is opened once. */
export async function openCase(tx: Tx, deps: Pick<CasesDeps, 'cipher' | 'applicantTermKey' | 'onCaseOpened'>, event: SubmissionEvent): Promise<void> {
  const name = event.applicantName;
  const opened = await insertCase(tx, {
    id: event.applicationId, tenantId: event.tenantId, procedureId: event.procedureId, reference: event.reference, submittedAt: event.submittedAt,
    dueAt: dueDate(event.submittedAt, event.processingDays), accountId: event.accountId, organisationId: event.organisationId,
    applicantNameEnc: deps.cipher.encryptOptional(name), applicantTerms: name ? applicantTerms(deps.applicantTermKey, name) : [],
  });
  if (!opened) return;
  for (const listener of deps.onCaseOpened) await listener(tx, { tenantId: event.tenantId, caseId: event.applicationId, procedureId: event.procedureId });
  // The trail entry last: the tenant's trail head stays locked from here to the commit, and every
  // other submission to the tenant waits for it.
  await recordCaseAction(tx, {
    tenantId: event.tenantId, caseId: event.applicationId, action: 'case.opened', actorType: 'system', actorId: null, trustLevel: null,
    details: { procedureId: event.procedureId, reference: event.reference },
  });
}

/** The submission listener that opens cases (wired in app.ts). */
export function caseOpener(deps: Pick<CasesDeps, 'cipher' | 'applicantTermKey' | 'onCaseOpened'>): SubmissionListener {
  return (tx, event) => openCase(tx, deps, event);
}
