/**
 * The outcome hook: when a payment becomes paid, failed, cancelled or (partially) refunded, the
 * change enqueues `payments.outcome@1` in the same transaction; the job calls the handler that the
 * payable's module registered for its kind (e.g. 'application': submit the application once paid).
 */
import { z } from 'zod';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { PaymentStatus } from '../../platform/db/schema.ts';
import { enqueueJob, type JobDefinition } from '../../platform/jobs/queue.ts';
import { findPaymentForSystem } from './payments.repository.ts';

/** Statuses that are reported to the payable's module. */
export const OUTCOME_STATUSES = ['paid', 'failed', 'cancelled', 'refunded', 'partially_refunded'] as const satisfies readonly PaymentStatus[];
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** What a payable's module is told about its payment. */
export interface PaymentOutcomeEvent {
  paymentId: string;
  tenantId: string;
  payableKind: string;
  payableId: string;
  status: OutcomeStatus;
  amountCents: number;
  refundedCents: number;
  kassenzeichen: string;
}

/** Reacts to a payment outcome inside a transaction; must be idempotent (a job may run twice). */
export type PaymentOutcomeHandler = (tx: Tx, event: PaymentOutcomeEvent) => Promise<void>;

const handlers = new Map<string, PaymentOutcomeHandler>();

/**
 * Registers the handler for a payable kind (a second registration for the kind replaces the first).
 * @throws TypeError for a kind that is not a lower-case identifier.
 */
export function registerPaymentOutcomeHandler(payableKind: string, handler: PaymentOutcomeHandler): void {
  if (!/^[a-z][a-z0-9_-]{0,39}$/.test(payableKind)) throw new TypeError('payable kind must match ^[a-z][a-z0-9_-]{0,39}$');
  handlers.set(payableKind, handler);
}

const outcomePayload = z.object({
  paymentId: z.uuid(), payableKind: z.string().min(1).max(40), payableId: z.uuid(), status: z.enum(OUTCOME_STATUSES),
});

/** `payments.outcome@1`: calls the payable kind's handler in a transaction. Fails (and is retried) while no handler is registered. */
export const paymentOutcomeJob: JobDefinition<typeof outcomePayload> = {
  type: 'payments.outcome@1',
  payload: outcomePayload,
  maxAttempts: 10,
  async handle(payload, { db }) {
    const handler = handlers.get(payload.payableKind);
    if (!handler) throw new Error(`no payment outcome handler for payable kind ${payload.payableKind}`);
    await db.transaction().execute(async (tx) => {
      const payment = await findPaymentForSystem(tx, payload.paymentId);
      if (!payment) throw new Error('payment of the outcome not found');
      await handler(tx, {
        paymentId: payment.id, tenantId: payment.tenantId, payableKind: payment.payableKind, payableId: payment.payableId,
        status: payload.status, amountCents: payment.amountCents, refundedCents: payment.refundedCents, kassenzeichen: payment.kassenzeichen,
      });
    });
  },
};

/** Enqueues the outcome job for a status change (once per change). */
export async function enqueueOutcome(tx: Db | Tx, change: { changeId: number; paymentId: string; tenantId: string; payableKind: string; payableId: string; status: PaymentStatus }): Promise<void> {
  if (!(OUTCOME_STATUSES as readonly string[]).includes(change.status)) return;
  await enqueueJob(tx, paymentOutcomeJob, {
    paymentId: change.paymentId, payableKind: change.payableKind, payableId: change.payableId, status: change.status as OutcomeStatus,
  }, { tenantId: change.tenantId, idempotencyKey: `payments.outcome:${change.changeId}` });
}
