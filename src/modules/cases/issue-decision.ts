/**
 * Decisions (Bescheide): the caseworker chooses the outcome and drafts the decision from the
 * procedure's template for it (filled with the case data, fee included where the procedure charges
 * with the decision), edits it, and issues it. Issuing renders the PDF, seals it with the tenant's seal, delivers it to the applicant's
 * mailbox and marks the case decided — once: a retried issue finds the decision issued and
 * answers with the same document. A specialist procedure issues through the API the same way, and
 * its text is held to the case page's rules (`checkDecisionText`): reasons and legal remedy for a
 * refusal, no gap left.
 */
import type { DecisionOutcome } from '../../platform/db/schema.ts';
import { createHash } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { feeFor, findTenantApplication } from '../applications/index.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import { applicantName } from '../identity/index.ts';
import { ensureCaseThread, postToApplicant } from '../mailbox/index.ts';
import { formatEuro } from '../payments/index.ts';
import type { CasesDeps } from './cases.deps.ts';
import { findCase, findDecision, listTemplates, markDecisionIssued, markDecisionNotified, saveDecisionDraft, type CaseRow, type DecisionRow } from './cases.repository.ts';
import { checkDecisionText, chooseTemplate, fillTemplate, type DecisionTextProblem } from './decision-text.ts';
import { recordStatus, type CaseActor } from './record-status.ts';
import { renderDecision } from './render-decision.ts';
import { allows, workflowNamed } from './workflow.ts';

export interface DecisionDraft {
  outcome: DecisionOutcome;
  title: string;
  body: string;
  feeCents: number;
}

/** The encryption context of a decision's text: bound to its case. */
export const decisionBodyContext = (caseId: string): string => `decisions.body:${caseId}`;
const bodyContext = decisionBodyContext;

/** The fee the procedure charges with its decision for these answers (0 when none). */
export async function decisionFee(deps: Pick<CasesDeps, 'db' | 'cipher'>, c: CaseRow): Promise<number> {
  if (c.paymentTiming !== 'with_decision' || c.feeSchedule == null) return 0;
  const application = await findTenantApplication(deps.db, c.tenantId, c.id);
  if (!application) return 0;
  return feeFor(c.feeSchedule, JSON.parse(deps.cipher.decrypt(application.answersEnc))).totalCents;
}

/** Outcomes that set no fee unless the caseworker enters one: nothing (or something else) was granted. */
const FEE_FREE: ReadonlySet<DecisionOutcome> = new Set(['refused', 'other']);

/**
 * A first draft for the outcome: the procedure's template for it (else the general one, else the
 * platform's default) filled with the case data. `source` names the template it came from.
 */
export async function proposeDecision(deps: Pick<CasesDeps, 'db' | 'cipher'>, c: CaseRow, outcome: DecisionOutcome): Promise<DecisionDraft & { source: 'outcome' | 'general' | 'default' }> {
  const feeCents = FEE_FREE.has(outcome) ? 0 : await decisionFee(deps, c);
  const template = chooseTemplate(outcome, await listTemplates(deps.db, c.tenantId, c.procedureId), feeCents > 0);
  const applicant = (await applicantName(deps.db, deps.cipher, c)) ?? 'Antragsteller/in';
  const body = fillTemplate(template.body, {
    reference: c.reference, procedure: c.procedureName, applicant, authority: c.tenantName, submittedAt: c.submittedAt, today: new Date(),
    fee: feeCents > 0 ? formatEuro(feeCents, 'de') : null,
  });
  return { outcome, title: template.title, body, feeCents, source: template.source };
}

/** The stored draft or issued decision, decrypted. */
export async function loadDecision(deps: Pick<CasesDeps, 'db' | 'tenantKeys'>, tenantId: string, caseId: string): Promise<(DecisionRow & { body: string }) | undefined> {
  const row = await findDecision(deps.db, tenantId, caseId);
  if (!row) return undefined;
  return { ...row, body: await deps.tenantKeys.decryptText(deps.db, tenantId, row.bodyEnc, bodyContext(caseId)) };
}

export type SaveDraftResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'ALREADY_ISSUED' } | { ok: false; code: 'ILLEGAL_TRANSITION'; from: string };

/** Saves the caseworker's draft (not yet visible to the applicant). */
export async function saveDecision(deps: CasesDeps, input: { tenantId: string; caseId: string; staffId: string; draft: DecisionDraft }): Promise<SaveDraftResult> {
  return deps.db.transaction().execute(async (tx): Promise<SaveDraftResult> => {
    const c = await findCase(tx, input.tenantId, input.caseId, { forUpdate: true });
    if (!c) return { ok: false, code: 'NOT_FOUND' };
    const existing = await findDecision(tx, c.tenantId, c.id);
    if (existing?.status === 'issued') return { ok: false, code: 'ALREADY_ISSUED' };
    if (!allows(workflowNamed(c.workflow), c.status, 'decision', 'staff')) return { ok: false, code: 'ILLEGAL_TRANSITION', from: c.status };
    await storeDraft(tx, deps, c, input.draft, input.staffId);
    return { ok: true };
  });
}

async function storeDraft(tx: Tx, deps: Pick<CasesDeps, 'tenantKeys'>, c: CaseRow, draft: DecisionDraft, staffId: string | null): Promise<void> {
  const bodyEnc = await deps.tenantKeys.encryptText(tx, c.tenantId, draft.body, bodyContext(c.id));
  await saveDecisionDraft(tx, {
    tenantId: c.tenantId, caseId: c.id, outcome: draft.outcome, title: draft.title, bodyEnc, keyVersion: deps.tenantKeys.versionOf(bodyEnc), feeCents: draft.feeCents, staffId,
  });
}

export type IssueResult =
  | { ok: true; decisionId: string; alreadyIssued: boolean }
  | { ok: false; code: 'NOT_FOUND' | 'NO_DRAFT' | 'NO_APPLICANT' }
  | { ok: false; code: 'ILLEGAL_TRANSITION'; from: string };

/**
 * Issues the case's decision: the stored draft (staff) or the given text (specialist procedure).
 * @throws when the tenant has no seal key, or rendering, sealing or the database fails (nothing is written then).
 */
export async function issueDecision(deps: CasesDeps, input: { tenantId: string; caseId: string; actor: CaseActor; draft?: DecisionDraft }): Promise<IssueResult> {
  // The key store may create the demo key on first use with its own connection: before the transaction.
  const sealKey = await deps.sealKeys.tenantKey(input.tenantId);
  return deps.db.transaction().execute(async (tx): Promise<IssueResult> => {
    const c = await findCase(tx, input.tenantId, input.caseId, { forUpdate: true });
    if (!c) return { ok: false, code: 'NOT_FOUND' };
    const existing = await findDecision(tx, c.tenantId, c.id, { forUpdate: true });
    if (existing?.status === 'issued') return { ok: true, decisionId: existing.id, alreadyIssued: true };
    if (!allows(workflowNamed(c.workflow), c.status, 'decision', input.actor.type)) return { ok: false, code: 'ILLEGAL_TRANSITION', from: c.status };
    if (!c.accountId && !c.organisationId) return { ok: false, code: 'NO_APPLICANT' };
    if (input.draft) await storeDraft(tx, deps, c, input.draft, input.actor.type === 'staff' ? input.actor.id : null);
    const decision = await findDecision(tx, c.tenantId, c.id, { forUpdate: true });
    if (!decision) return { ok: false, code: 'NO_DRAFT' };
    const body = await deps.tenantKeys.decryptText(tx, c.tenantId, decision.bodyEnc, bodyContext(c.id));
    const issuedAt = new Date();
    const pdf = await renderDecision(sealKey, {
      tenantId: c.tenantId, authority: c.tenantName, reference: c.reference, procedure: c.procedureName,
      applicant: (await applicantName(tx, deps.cipher, c)) ?? '–', title: decision.title, body,
      feeText: decision.feeCents > 0 ? `${formatEuro(decision.feeCents, 'de')} – fällig einen Monat nach Bekanntgabe, zahlbar online unter ${deps.publicUrl}/antraege/${c.id}/gebuehr` : null, issuedAt,
    });
    const threadId = await ensureCaseThread(tx, deps.mailbox, {
      tenantId: c.tenantId, caseId: c.id, accountId: c.accountId, organisationId: c.organisationId, subject: `${c.procedureName} – ${c.reference}`,
    });
    const { messageId, attachmentIds } = await postToApplicant(tx, deps.mailbox, {
      tenantId: c.tenantId, threadId, kind: 'decision', senderStaffId: input.actor.type === 'staff' ? input.actor.id : null,
      body: [
        `Ihr Bescheid zum Antrag ${c.reference} liegt als PDF-Dokument bei. Er gilt als bekanntgegeben, sobald Sie ihn abrufen.`,
        ...(decision.feeCents > 0 ? [`Die festgesetzte Gebühr von ${formatEuro(decision.feeCents, 'de')} bezahlen Sie online: ${deps.publicUrl}/antraege/${c.id}/gebuehr`] : []),
        '', `Your decision on application ${c.reference} is attached as a PDF document.`,
        ...(decision.feeCents > 0 ? [`Pay the fee of ${formatEuro(decision.feeCents, 'en')} online: ${deps.publicUrl}/antraege/${c.id}/gebuehr`] : []),
      ].join('\n'),
      attachments: [{ fileName: `Bescheid-${c.reference}.pdf`, mediaType: 'application/pdf', bytes: pdf }],
    });
    const uploadId = attachmentIds[0]!;
    const pdfSha256 = createHash('sha256').update(pdf).digest('hex');
    await markDecisionIssued(tx, c.tenantId, decision.id, { uploadId, pdfSha256, messageId, issuedBy: input.actor.type === 'staff' ? input.actor.id : null, paymentId: null, issuedAt });
    await recordCaseAction(tx, {
      tenantId: c.tenantId, caseId: c.id, action: 'decision.issued', actorType: input.actor.type, actorId: input.actor.id, trustLevel: null,
      details: { decisionId: decision.id, outcome: decision.outcome, feeCents: decision.feeCents, pdfSha256, messageId },
    });
    await recordStatus(tx, c, 'decided', input.actor, { decisionId: decision.id }, { answeredAt: null });
    return { ok: true, decisionId: decision.id, alreadyIssued: false };
  });
}

export type IntegrationIssueResult =
  | { ok: true; decisionId: string; alreadyIssued: boolean }
  | { ok: false; code: 'NOT_FOUND' | 'ILLEGAL_TRANSITION' }
  | { ok: false; code: 'TEXT_INCOMPLETE'; problems: DecisionTextProblem[] };

/**
 * The contract for specialist procedures (case-delivery API): issue with the given text. A text the
 * case page would not issue (a refusal without reasons or legal remedy, a gap left) is refused with
 * its problems before anything is stored. @throws as `issueDecision`.
 */
export async function issueIntegrationDecision(deps: CasesDeps, input: {
  tenantId: string; caseId: string; clientId: string; outcome: DecisionOutcome; title: string; body: string; feeCents: number; idempotencyKey: string;
}): Promise<IntegrationIssueResult> {
  const problems = checkDecisionText(input.outcome, input.body);
  if (problems.length > 0) return { ok: false, code: 'TEXT_INCOMPLETE', problems };
  // One decision per case makes the issue idempotent by itself; the key is kept in the trail.
  const result = await issueDecision(deps, {
    tenantId: input.tenantId, caseId: input.caseId, actor: { type: 'integration', id: input.clientId },
    draft: { outcome: input.outcome, title: input.title, body: input.body, feeCents: input.feeCents },
  });
  if (result.ok) return result;
  return { ok: false, code: result.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'ILLEGAL_TRANSITION' };
}

/**
 * The mailbox hook for the first retrieval of a message's attachment: for a decision that is its
 * notification (Bekanntgabe), recorded once with the time.
 */
export async function recordRetrieval(tx: Tx, event: { tenantId: string; caseId: string | null; messageId: string; kind: string; at: Date }): Promise<void> {
  if (event.kind !== 'decision') return;
  const notified = await markDecisionNotified(tx, event.tenantId, event.messageId, event.at);
  if (!notified) return;
  await recordCaseAction(tx, {
    tenantId: event.tenantId, caseId: notified.caseId, action: 'decision.notified', actorType: 'citizen', actorId: null, trustLevel: null,
    details: { decisionId: notified.decisionId, at: event.at.toISOString() },
  });
}
