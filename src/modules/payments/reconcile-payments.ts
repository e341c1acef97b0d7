/**
 * Reconciliation: unsettled payments whose notification may have been lost are asked about at
 * their platform, least recently asked first, and settled. Runs periodically (`payments.reconcile@1`).
 */
import { z } from 'zod';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import type { Schedule } from '../../platform/jobs/worker.ts';
import { confirmPayment, type PaymentDeps } from './confirm-payment.ts';
import type { PaymentsRuntime } from './payments-runtime.ts';
import { listUnsettledForReconciliation } from './payments.repository.ts';

export interface ReconcileOptions {
  /** Payments changed or asked about more recently than this are left alone (their notification may still come). */
  minAgeMs?: number;
  limit?: number;
  now?: Date;
}

/** Asks the platforms about unsettled payments and books their status; returns how many were asked, changed and not answered. */
export async function reconcilePayments(deps: PaymentDeps, options: ReconcileOptions = {}): Promise<{ checked: number; changed: number; unavailable: number }> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - (options.minAgeMs ?? 120_000));
  const due = await listUnsettledForReconciliation(deps.db, before, before, options.limit ?? 50);
  let changed = 0;
  let unavailable = 0;
  for (const payment of due) {
    const result = await confirmPayment(deps, payment, 'reconciliation');
    if (result.ok && result.code === 'changed') changed++;
    if (!result.ok && result.code === 'unavailable') unavailable++;
  }
  return { checked: due.length, changed, unavailable };
}

/** The periodic reconciliation job and its schedule (every five minutes). */
export function paymentReconciliation(payments: PaymentsRuntime): { job: JobDefinition; schedule: Schedule } {
  const job: JobDefinition = {
    type: 'payments.reconcile@1',
    payload: z.object({}),
    maxAttempts: 3,
    async handle(_payload, { db }) {
      const result = await reconcilePayments({ db, payments });
      if (result.checked > 0) payments.log.info({ event: 'payments_reconciled', ...result }, 'payments reconciled');
    },
  };
  return { job, schedule: { definition: job, everyMs: 5 * 60_000 } };
}
