/**
 * Settles a payment by what its platform says: the status is read back from the platform (a
 * notification or a redirect is never trusted by itself), the amount and currency must match, and
 * the change is booked with a conditional update, so that concurrent confirmations book it once.
 * The booking, its history entry, the outcome job and the audit entry are one transaction.
 * A platform that does not answer leaves the payment as it is (never failed by guess).
 */
import type { Db } from '../../platform/db/database.ts';
import type { PaymentStatus, PaymentStatusChangesTable } from '../../platform/db/schema.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { merchantOf } from './merchant.ts';
import { enqueueOutcome } from './outcome.ts';
import type { PaymentsRuntime } from './payments-runtime.ts';
import { markChecked, transitionPayment, type Payment } from './payments.repository.ts';
import { ProviderUnavailableError, type ProviderStatus } from './provider.ts';

export interface PaymentDeps {
  db: Db;
  payments: PaymentsRuntime;
}

/** From which statuses a platform status may move a payment. A paid platform status wins over a local cancel/fail: money is never lost. */
const ALLOWED_FROM: Record<ProviderStatus, readonly PaymentStatus[]> = {
  open: [],
  pending: ['open'],
  paid: ['open', 'pending', 'failed', 'cancelled'],
  failed: ['open', 'pending'],
  cancelled: ['open', 'pending'],
};

export type ConfirmResult =
  | { ok: true; code: 'changed' | 'unchanged'; status: PaymentStatus }
  | { ok: false; code: 'unavailable' | 'refused' | 'amount_mismatch'; status: PaymentStatus };

/** Books a status change (conditional update + history + outcome job + audit) in one transaction; undefined when it no longer applies. */
export async function bookStatus(db: Db, payment: Payment, to: PaymentStatus, from: readonly PaymentStatus[], source: PaymentStatusChangesTable['source']): Promise<Payment | undefined> {
  return db.transaction().execute(async (tx) => {
    const changed = await transitionPayment(tx, payment.id, from, to, source);
    if (!changed) return undefined;
    await enqueueOutcome(tx, { changeId: changed.changeId, paymentId: payment.id, tenantId: payment.tenantId, payableKind: payment.payableKind, payableId: payment.payableId, status: to });
    await recordAudit(tx, {
      tenantId: payment.tenantId, actorType: 'system', action: `payment.${to}`, subjectType: 'payment', subjectId: payment.id,
      details: { from: changed.from, source, provider: payment.provider },
    });
    return changed.payment;
  });
}

/** Asks the platform for the payment's status and books what changed. */
export async function confirmPayment(deps: PaymentDeps, payment: Payment, source: PaymentStatusChangesTable['source']): Promise<ConfirmResult> {
  const { db, payments } = deps;
  if (!payment.providerTxid) return { ok: true, code: 'unchanged', status: payment.status };
  const provider = payments.providers[payment.provider];
  let answer;
  try {
    answer = await provider.status(await merchantOf(db, payment.tenantId), payment.providerTxid);
  } catch (error) {
    const unavailable = error instanceof ProviderUnavailableError;
    payments.log.warn({ event: 'payment_status_query_failed', paymentId: payment.id, provider: payment.provider, reason: unavailable ? 'unavailable' : 'refused', error: (error as Error).message }, 'payment status not confirmed');
    await markChecked(db, payment.id);
    return { ok: false, code: unavailable ? 'unavailable' : 'refused', status: payment.status };
  }
  await markChecked(db, payment.id);
  if (answer.amountCents !== payment.amountCents || answer.currency !== payment.currency) {
    payments.log.warn({ event: 'payment_amount_mismatch', paymentId: payment.id, provider: payment.provider }, 'platform reports another amount: not booked');
    await recordAudit(db, {
      tenantId: payment.tenantId, actorType: 'system', action: 'payment.amount_mismatch', subjectType: 'payment', subjectId: payment.id,
      details: { expectedCents: payment.amountCents, reportedCents: answer.amountCents, currency: answer.currency, source },
    });
    return { ok: false, code: 'amount_mismatch', status: payment.status };
  }
  const from = ALLOWED_FROM[answer.status];
  if (!from.includes(payment.status)) return { ok: true, code: 'unchanged', status: payment.status };
  const booked = await bookStatus(db, payment, answer.status, from, source);
  // Not booked: another confirmation changed the payment first; report what it is now.
  return booked ? { ok: true, code: 'changed', status: booked.status } : { ok: true, code: 'unchanged', status: await currentStatus(db, payment.id) };
}

async function currentStatus(db: Db, id: string): Promise<PaymentStatus> {
  const row = await db.selectFrom('payments').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  return row.status;
}
