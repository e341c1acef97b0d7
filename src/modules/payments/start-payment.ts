/**
 * Starts (or resumes) the payment of a payable: one unsettled payment per payable at most. A second
 * start while one is open resumes it (same Kassenzeichen, same platform transaction); if the amount
 * changed meanwhile, an open one that the payer has not paid yet is cancelled and a new one started.
 * The payment row is written first (one transaction), then the platform is asked over HTTP outside
 * any transaction; a failure there leaves the payment open, to be started again.
 */
import { z } from 'zod';
import type { PaymentProviderName, PaymentStatus } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { bookStatus, confirmPayment, type PaymentDeps } from './confirm-payment.ts';
import { merchantOf } from './merchant.ts';
import { nextKassenzeichen, normalizePurpose } from './payment-reference.ts';
import {
  findPaymentForSystem, findUnsettledPayment, insertPayment, recordCreated, setProviderTransaction, type Payment,
} from './payments.repository.ts';

export interface StartPaymentInput {
  tenantId: string;
  /** What is paid for, e.g. 'application'; its module registers an outcome handler for the kind. */
  payableKind: string;
  payableId: string;
  amountCents: number;
  /** Verwendungszweck; normalised to ≤ 27 upper-case characters. */
  purpose: string;
  /** The payable's page on this site (a path), where the payer is sent after the payment. */
  returnUrl: string;
  provider?: PaymentProviderName | undefined;
  /** The base URL the payer's browser uses (`runtime.baseUrlOf(req)`); default: the portal's own. */
  baseUrl?: string | undefined;
}

export interface StartedPayment {
  paymentId: string;
  /** Where to send the payer: the platform's payment page, or (already paid) the payable's return URL. */
  redirectUrl: string;
  kassenzeichen: string;
  status: PaymentStatus;
  /** True when an unsettled payment of the payable was resumed. */
  resumed: boolean;
}

const input = z.object({
  tenantId: z.uuid(),
  payableKind: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/),
  payableId: z.uuid(),
  amountCents: z.number().int().min(1).max(100_000_000),
  purpose: z.string().max(200),
  returnUrl: z.string().max(500).regex(/^\/(?![/\\])[\w\-./~%]*(\?[\w\-.=&%]*)?$/),
  provider: z.enum(['pmpayment', 'epaybl']).optional(),
  baseUrl: z.url().optional(),
});

/** The path the platform sends the payer back to (`result`: erfolg, abbruch, fehler). */
export function returnPathOf(paymentId: string, result: 'erfolg' | 'abbruch' | 'fehler'): string {
  return `/zahlung/${paymentId}/zurueck/${result}`;
}

/** The notification endpoint of a platform. */
export function notifyPathOf(provider: PaymentProviderName): string {
  return `/api/zahlungen/${provider}/benachrichtigung`;
}

/**
 * Starts or resumes the payable's payment.
 * @throws DomainError BAD_REQUEST for invalid input (a programming error of the caller).
 * @throws DomainError PAYMENT_UNAVAILABLE when the platform cannot be reached or refuses; the payment stays open.
 */
export async function startPayment(deps: PaymentDeps, raw: StartPaymentInput): Promise<StartedPayment> {
  return startOnce(deps, raw, 0);
}

async function startOnce(deps: PaymentDeps, raw: StartPaymentInput, attempt: number): Promise<StartedPayment> {
  const parsed = input.safeParse(raw);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', 'invalid payment start');
  const p = parsed.data;
  const { db, payments } = deps;
  const provider = p.provider ?? payments.defaultProvider;

  let payment = await findUnsettledPayment(db, p.tenantId, p.payableKind, p.payableId);
  if (payment && payment.amountCents !== p.amountCents && payment.status === 'open') {
    // The fee changed: the old transaction is checked, then given up locally if the payer has not paid it.
    const checked = await confirmPayment(deps, payment, 'start');
    if (checked.ok && checked.status === 'open') await bookStatus(db, payment, 'cancelled', ['open'], 'start');
    payment = await findUnsettledPayment(db, p.tenantId, p.payableKind, p.payableId);
  }
  let resumed = true;
  if (!payment) {
    resumed = false;
    payment = await db.transaction().execute(async (tx) => {
      const created = await insertPayment(tx, {
        tenantId: p.tenantId, payableKind: p.payableKind, payableId: p.payableId, amountCents: p.amountCents,
        kassenzeichen: await nextKassenzeichen(tx), purpose: normalizePurpose(p.purpose), provider, returnPath: p.returnUrl,
      });
      if (created) await recordCreated(tx, created);
      return created;
    }) ?? await findUnsettledPayment(db, p.tenantId, p.payableKind, p.payableId);
    // Another start won the race and its payment was settled in between: start over once.
    if (!payment) {
      if (attempt >= 3) throw new DomainError('PAYMENT_UNAVAILABLE', 'payment start kept losing races');
      return startOnce(deps, raw, attempt + 1);
    }
  }
  if (payment.status === 'pending' || (payment.providerTxid && payment.redirectUrl)) return started(payment, resumed, p.baseUrl, payments.selfUrl);
  return started(await createAtPlatform(deps, payment, p.baseUrl), resumed, p.baseUrl, payments.selfUrl);
}

function started(payment: Payment, resumed: boolean, baseUrl: string | undefined, selfUrl: () => string): StartedPayment {
  // A pending payment has been paid at the platform but not confirmed yet: the payer waits on the payable's page.
  const redirectUrl = payment.status === 'open' && payment.redirectUrl ? payment.redirectUrl : `${baseUrl ?? selfUrl()}${payment.returnPath}`;
  return { paymentId: payment.id, redirectUrl, kassenzeichen: payment.kassenzeichen, status: payment.status, resumed };
}

async function createAtPlatform(deps: PaymentDeps, payment: Payment, baseUrl: string | undefined): Promise<Payment> {
  const { db, payments } = deps;
  const adapter = payments.providers[payment.provider];
  let created;
  try {
    const callbackBase = payments.selfUrl();
    const payerBase = baseUrl ?? callbackBase;
    created = await adapter.create(await merchantOf(db, payment.tenantId), {
      kassenzeichen: payment.kassenzeichen, amountCents: payment.amountCents, purpose: payment.purpose, procedure: payment.payableKind,
      notifyUrl: `${callbackBase}${notifyPathOf(payment.provider)}`,
      returnUrls: {
        success: `${payerBase}${returnPathOf(payment.id, 'erfolg')}`,
        cancel: `${payerBase}${returnPathOf(payment.id, 'abbruch')}`,
        error: `${payerBase}${returnPathOf(payment.id, 'fehler')}`,
      },
    });
  } catch (error) {
    payments.log.warn({ event: 'payment_create_failed', paymentId: payment.id, provider: payment.provider, error: (error as Error).message }, 'payment platform did not create the transaction');
    throw new DomainError('PAYMENT_UNAVAILABLE');
  }
  await setProviderTransaction(db, payment.id, created.txid, created.redirectUrl);
  return (await findPaymentForSystem(db, payment.id))!;
}
