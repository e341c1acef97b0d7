/**
 * The one interface between the portal and a payment platform (in the spirit of XBezahldienste):
 * create a payment transaction and get the URL to send the payer to, read a transaction's status,
 * and check a notification. Adapters speak a platform's protocol over HTTP (`pmpayment.ts`,
 * `epaybl.ts`). A notification is only a hint: the status is always read back from the platform.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PaymentProviderName } from '../../platform/db/schema.ts';

/** Statuses a platform reports for a transaction. */
export type ProviderStatus = 'open' | 'pending' | 'paid' | 'failed' | 'cancelled';

/** The authority a payment is made to, as the platform knows it (AGS, 8 digits). */
export interface Merchant {
  ags: string;
}

export interface CreateTransaction {
  kassenzeichen: string;
  amountCents: number;
  /** Verwendungszweck (≤ 27 chars, upper case). */
  purpose: string;
  /** The procedure (pmPayment `procedure`), e.g. the payable kind. */
  procedure: string;
  notifyUrl: string;
  /** Where the payer returns to; platforms with one return URL get `success`. */
  returnUrls: { success: string; cancel: string; error: string };
}

export interface CreatedTransaction {
  txid: string;
  redirectUrl: string;
}

export interface TransactionStatus {
  txid: string;
  status: ProviderStatus;
  amountCents: number;
  currency: string;
}

/** A checked notification: which transaction at which merchant; or why it was refused. */
export type NotificationCheck =
  | { ok: true; ags: string; txid: string; amountCents: number | null }
  | { ok: false; reason: 'malformed' | 'bad_signature' };

export interface IncomingNotification {
  body: unknown;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** @throws ProviderUnavailableError (timeout, network, 5xx) or ProviderRefusedError (refused, unauthentic answer). */
  create(merchant: Merchant, request: CreateTransaction): Promise<CreatedTransaction>;
  /** @throws ProviderUnavailableError or ProviderRefusedError, as `create`. */
  status(merchant: Merchant, txid: string): Promise<TransactionStatus>;
  /** Checks a notification's form and signature (never its claims: read the status back). */
  checkNotification(notification: IncomingNotification): NotificationCheck;
}

/** The platform did not answer in time, or answered with a server error: try again later, decide nothing. */
export class ProviderUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** The platform refused the request, or its answer was not authentic or not understood. */
export class ProviderRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderRefusedError';
  }
}

/** hex HMAC-SHA256. */
export function hmacHex(key: string, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** Compares two hex MACs in constant time (false for malformed input). */
export function macEquals(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given.toLowerCase(), 'hex'));
}

/**
 * An authority's key at a platform, derived from the platform secret and the AGS, so that one
 * authority's key does not open another's transactions and the operator configures one secret.
 */
export function merchantKey(secret: string, provider: PaymentProviderName, ags: string): string {
  return hmacHex(secret, `${provider}:${ags}`);
}

/**
 * Sends an HTTP request with a time limit.
 * @throws ProviderUnavailableError on timeout, network failure or a 5xx answer.
 * @throws ProviderRefusedError on a 4xx answer.
 */
export async function providerFetch(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ProviderUnavailableError(`payment platform not reachable: ${(error as Error).name}`, { cause: error });
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new ProviderUnavailableError(`payment platform answered ${response.status}`);
  }
  if (response.status >= 400) {
    await response.body?.cancel();
    throw new ProviderRefusedError(`payment platform refused with ${response.status}`);
  }
  return response;
}

/** Reads a JSON answer. @throws ProviderUnavailableError when the body cannot be read in time, ProviderRefusedError when it is not JSON. */
export async function readJson(response: Response): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new ProviderUnavailableError('payment platform answer not received', { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch { /* refused below */ }
  throw new ProviderRefusedError('payment platform answer is not a JSON object');
}
