/**
 * One attempt of a webhook delivery: POST of the case as JSON, signed (webhook-signature.ts), with
 * the delivery id as `Idempotency-Key`. A 2xx answer delivers; a 4xx answer other than 408 and 429
 * is final (the receiver refuses this request and will refuse it again); anything else (5xx, 408,
 * 429, timeout, network error) is tried again later. Redirects are not followed.
 */
import { signWebhook, SIGNATURE_HEADER } from './webhook-signature.ts';

export type AttemptOutcome =
  | { kind: 'delivered'; remoteId: string | null }
  | { kind: 'permanent'; error: string }
  | { kind: 'retry'; error: string };

export interface HttpOptions {
  timeoutMs: number;
  fetch: typeof fetch;
}

/** How an HTTP status ends an attempt. */
export function classifyStatus(status: number): 'ok' | 'permanent' | 'retry' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 300 && status < 500) return 'permanent';
  return 'retry';
}

/** Sends one signed webhook request. Never throws: every failure is an outcome. */
export async function sendWebhook(url: string, secret: string, deliveryId: string, body: Record<string, unknown>, options: HttpOptions, now = new Date()): Promise<AttemptOutcome> {
  const text = JSON.stringify(body);
  let res: Response;
  try {
    res = await options.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': deliveryId,
        [SIGNATURE_HEADER]: signWebhook(secret, text, Math.floor(now.getTime() / 1000)),
        'user-agent': 'Digitales-Amt-Zustellung/1',
      },
      body: text,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return { kind: 'retry', error: describeFailure(error) };
  }
  const answer = await readSmallJson(res);
  const verdict = classifyStatus(res.status);
  if (verdict === 'ok') {
    const id = answer && typeof answer === 'object' && 'id' in answer ? (answer as { id: unknown }).id : null;
    return { kind: 'delivered', remoteId: typeof id === 'string' && /^[\w.:-]{1,200}$/.test(id) ? id : null };
  }
  return { kind: verdict, error: `HTTP ${res.status}` };
}

/** The answer as JSON when it is small JSON; the body is always consumed so the connection is freed. */
export async function readSmallJson(res: Response): Promise<unknown> {
  try {
    const text = await res.text();
    if (text.length > 64 * 1024 || !(res.headers.get('content-type') ?? '').includes('json')) return undefined;
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A failure as text for the delivery row: the kind of error only (no URLs or bodies). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? `network: ${cause.code}` : `network: ${error.name}`;
  }
  return 'network';
}
