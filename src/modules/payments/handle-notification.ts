/**
 * A platform's notification about a transaction: checked (form and HMAC), matched to a payment of
 * the same authority, then settled by reading the status back from the platform. Duplicates,
 * late and out-of-order notifications change nothing once the payment is settled; forged,
 * unknown and wrong-amount ones are refused. Every outcome is logged without personal data.
 */
import type { PaymentProviderName } from '../../platform/db/schema.ts';
import { confirmPayment, type PaymentDeps } from './confirm-payment.ts';
import { merchantOf } from './merchant.ts';
import { findPaymentByTransaction } from './payments.repository.ts';
import type { IncomingNotification } from './provider.ts';

export type NotificationOutcome =
  | { ok: true; code: 'booked' | 'unchanged'; paymentId: string }
  | { ok: false; code: 'malformed' | 'bad_signature' | 'unknown_transaction' | 'amount_mismatch' | 'unavailable' | 'refused' };

/** Handles one notification of `provider`. Never throws for bad input: the outcome says what happened. */
export async function handleNotification(deps: PaymentDeps, provider: PaymentProviderName, notification: IncomingNotification): Promise<NotificationOutcome> {
  const outcome = await handle(deps, provider, notification);
  deps.payments.log[outcome.ok ? 'info' : 'warn']({ event: 'payment_notification', provider, outcome: outcome.code, ...(outcome.ok ? { paymentId: outcome.paymentId } : {}) }, 'payment notification');
  return outcome;
}

async function handle(deps: PaymentDeps, provider: PaymentProviderName, notification: IncomingNotification): Promise<NotificationOutcome> {
  const check = deps.payments.providers[provider].checkNotification(notification);
  if (!check.ok) return { ok: false, code: check.reason };
  const payment = await findPaymentByTransaction(deps.db, provider, check.txid);
  // A transaction of another authority is as unknown as one that does not exist.
  if (!payment || (await merchantOf(deps.db, payment.tenantId)).ags !== check.ags) return { ok: false, code: 'unknown_transaction' };
  if (check.amountCents !== null && check.amountCents !== payment.amountCents) return { ok: false, code: 'amount_mismatch' };
  const result = await confirmPayment(deps, payment, 'notification');
  if (!result.ok) return { ok: false, code: result.code };
  return { ok: true, code: result.code === 'changed' ? 'booked' : 'unchanged', paymentId: payment.id };
}
