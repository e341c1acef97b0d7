/**
 * The simulator's side of both protocols, written apart from the portal's adapters (as another
 * vendor's platform would be), so that a mistake on one side shows in the tests: request checks,
 * signed answers and the notifications it sends.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PaymentProviderName } from '../../../platform/db/schema.ts';
import type { SimTransaction } from './simulator.repository.ts';

export interface SimulatorSecrets {
  pmpayment: string;
  epaybl: string;
  mandantId: string;
}

const hmac = (key: string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest('hex');

/** The merchant's key the platform issued (derived from the platform secret and the AGS). */
export function simMerchantKey(secrets: SimulatorSecrets, protocol: PaymentProviderName, ags: string): string {
  return hmac(secrets[protocol], `${protocol}:${ags}`);
}

export function simSign(key: string, data: string): string {
  return hmac(key, data);
}

export function simVerify(key: string, data: string, given: unknown): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(hmac(key, data), 'hex'), Buffer.from(given, 'hex'));
}

const EPAYBL_STATUS = { open: 'OFFEN', pending: 'IN_BEARBEITUNG', paid: 'BEZAHLT', failed: 'FEHLGESCHLAGEN', cancelled: 'ABGEBROCHEN' } as const;

/** The ePayBL status answer of a transaction. */
export function epayblStatusBody(t: SimTransaction): Record<string, unknown> {
  return { id: t.id, status: EPAYBL_STATUS[t.status], betrag: t.amountCents, waehrung: t.currency, kassenzeichen: t.reference };
}

/** The pmPayment status answer of a transaction, signed over ags|txid|status|amount|currency. */
export function pmpaymentStatusBody(secrets: SimulatorSecrets, t: SimTransaction): Record<string, unknown> {
  const key = simMerchantKey(secrets, 'pmpayment', t.merchant);
  return { txid: t.id, status: t.status, amount: t.amountCents, currency: t.currency, hash: simSign(key, [t.merchant, t.id, t.status, t.amountCents, t.currency].join('|')) };
}

/** The HTTP request a notification about the transaction is. */
export function notificationRequest(secrets: SimulatorSecrets, t: SimTransaction): { contentType: string; body: string; headers: Record<string, string> } {
  if (t.protocol === 'pmpayment') {
    const key = simMerchantKey(secrets, 'pmpayment', t.merchant);
    return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams({ ags: t.merchant, txid: t.id, hash: simSign(key, `${t.merchant}|${t.id}`) }).toString(), headers: {} };
  }
  const body = JSON.stringify({ mandantId: secrets.mandantId, bewirtschafter: t.merchant, id: t.id, status: EPAYBL_STATUS[t.status], betrag: t.amountCents });
  return { contentType: 'application/json', body, headers: { 'x-epaybl-signature': simSign(simMerchantKey(secrets, 'epaybl', t.merchant), body) } };
}
