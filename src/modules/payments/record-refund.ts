/**
 * Staff record a refund of a paid payment (the money goes back through the cash office): at most
 * what is left of the paid amount, with a reason (encrypted: it may name people). The payment
 * becomes refunded or partially refunded; history, outcome job and audit entry in one transaction.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { enqueueOutcome } from './outcome.ts';
import { insertRefund, lockPayment, transitionPayment } from './payments.repository.ts';

export interface RefundActor {
  tenantId: string;
  staffId: string;
  requestId: string;
}

export type RefundResult = { ok: true; value: { refundId: string } } | { ok: false; code: 'NOT_REFUNDABLE' | 'AMOUNT_TOO_HIGH' };

/**
 * Records a refund.
 * @throws DomainError NOT_FOUND when the payment is not the tenant's.
 */
export async function recordRefund(deps: { db: Db; cipher: FieldCipher }, actor: RefundActor, paymentId: string, refund: { amountCents: number; reason: string }): Promise<RefundResult> {
  return deps.db.transaction().execute(async (tx): Promise<RefundResult> => {
    const payment = await lockPayment(tx, actor.tenantId, paymentId);
    if (!payment) throw new DomainError('NOT_FOUND');
    if (payment.status !== 'paid' && payment.status !== 'partially_refunded') return { ok: false, code: 'NOT_REFUNDABLE' };
    const left = payment.amountCents - payment.refundedCents;
    if (refund.amountCents > left) return { ok: false, code: 'AMOUNT_TOO_HIGH' };
    const refundId = await insertRefund(tx, {
      tenantId: actor.tenantId, paymentId, amountCents: refund.amountCents, reasonEnc: deps.cipher.encrypt(refund.reason), staffId: actor.staffId,
    });
    const to = refund.amountCents === left ? 'refunded' : 'partially_refunded';
    const changed = await transitionPayment(tx, paymentId, [payment.status], to, 'staff');
    if (!changed) throw new Error('locked payment changed under its lock');
    await enqueueOutcome(tx, { changeId: changed.changeId, paymentId, tenantId: actor.tenantId, payableKind: payment.payableKind, payableId: payment.payableId, status: to });
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'payment.refund_recorded', subjectType: 'payment', subjectId: paymentId,
      details: { refundId, amountCents: refund.amountCents, status: to }, requestId: actor.requestId,
    });
    return { ok: true, value: { refundId } };
  });
}
