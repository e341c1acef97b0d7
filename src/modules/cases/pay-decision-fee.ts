/**
 * The fee set in a decision (fee notice), paid online by the applicant after the decision:
 * a payment of the payable kind 'case-fee' for the case, through the payment platform; its
 * outcome is written to the case trail and linked to the decision.
 */
import type { Tx } from '../../platform/db/database.ts';
import { registerPaymentOutcomeHandler, startPayment, paymentsFor, type PaymentsRuntime } from '../payments/index.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import type { CasesDeps } from './cases.deps.ts';
import { findDecision, linkDecisionPayment } from './cases.repository.ts';

export const CASE_FEE_PAYABLE = 'case-fee';

export interface DecisionFee {
  amountCents: number;
  paidCents: number;
  payments: Awaited<ReturnType<typeof paymentsFor>>;
}

/** The fee of the case's issued decision and what has been paid; null when there is none. */
export async function decisionFeeOf(deps: Pick<CasesDeps, 'db'>, tenantId: string, caseId: string): Promise<DecisionFee | null> {
  const decision = await findDecision(deps.db, tenantId, caseId);
  if (decision?.status !== 'issued' || decision.feeCents <= 0) return null;
  const payments = await paymentsFor(deps.db, tenantId, CASE_FEE_PAYABLE, caseId);
  const paidCents = payments.filter((p) => p.status === 'paid').reduce((sum, p) => sum + p.amountCents, 0);
  return { amountCents: decision.feeCents, paidCents, payments };
}

export type PayFeeResult = { ok: true; redirectUrl: string } | { ok: false; code: 'NO_FEE' | 'ALREADY_PAID' };

/** Starts (or resumes) the payment of what is still due. */
export async function payDecisionFee(deps: Pick<CasesDeps, 'db'> & { payments: PaymentsRuntime }, input: { tenantId: string; caseId: string; reference: string; baseUrl: string }): Promise<PayFeeResult> {
  const fee = await decisionFeeOf(deps, input.tenantId, input.caseId);
  if (!fee) return { ok: false, code: 'NO_FEE' };
  const due = fee.amountCents - fee.paidCents;
  if (due <= 0) return { ok: false, code: 'ALREADY_PAID' };
  const started = await startPayment({ db: deps.db, payments: deps.payments }, {
    tenantId: input.tenantId, payableKind: CASE_FEE_PAYABLE, payableId: input.caseId, amountCents: due,
    purpose: `Gebuehr ${input.reference}`, returnUrl: `/antraege/${input.caseId}/gebuehr`, baseUrl: input.baseUrl,
  });
  return { ok: true, redirectUrl: started.redirectUrl };
}

/** Records paid (and refunded) fees in the case trail and on the decision. Call once at start. */
export function registerDecisionFeePayments(): void {
  registerPaymentOutcomeHandler(CASE_FEE_PAYABLE, async (tx: Tx, event) => {
    if (event.status !== 'paid') return;
    // The handler may run twice for one payment: only the first links it and writes the trail.
    if (!(await linkDecisionPayment(tx, event.tenantId, event.payableId, event.paymentId))) return;
    await recordCaseAction(tx, {
      tenantId: event.tenantId, caseId: event.payableId, action: 'decision.fee_paid', actorType: 'citizen', actorId: null, trustLevel: null,
      details: { paymentId: event.paymentId, amountCents: event.amountCents, kassenzeichen: event.kassenzeichen },
    });
  });
}
