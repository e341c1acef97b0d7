/**
 * pmPayment-style adapter. The portal POSTs a form (`ags`, `amount` in cents, `procedure`, `desc`,
 * `kassenzeichen`, `notifyURL`, `redirectURL`, `hash` = hex HMAC-SHA256 over the values joined by
 * `|` in that order) to `<base>/init` and gets `{ txid, url }`: the URL to send the payer to. The
 * platform's notification is a form POST of `ags`, `txid`, `hash` (over `ags|txid`); the status is
 * then confirmed with a POST to `<base>/status` (`ags`, `txid`, `hash`), whose JSON answer
 * `{ txid, status, amount, currency, hash }` is signed over `ags|txid|status|amount|currency`.
 */
import { z } from 'zod';
import {
  hmacHex, macEquals, merchantKey, providerFetch, ProviderRefusedError, readJson,
  type IncomingNotification, type Merchant, type NotificationCheck, type PaymentProvider, type ProviderStatus,
} from './provider.ts';

const STATUSES = ['open', 'pending', 'paid', 'failed', 'cancelled'] as const satisfies readonly ProviderStatus[];

const initAnswer = z.object({ txid: z.string().regex(/^[A-Za-z0-9_-]{6,80}$/), url: z.url() });
const statusAnswer = z.object({
  txid: z.string(), status: z.enum(STATUSES), amount: z.coerce.number().int().min(0), currency: z.string().length(3), hash: z.string(),
});
const notification = z.object({ ags: z.string().regex(/^\d{8}$/), txid: z.string().regex(/^[A-Za-z0-9_-]{6,80}$/), hash: z.string() });

export interface PmPaymentSettings {
  /** Base URL of the platform (resolved at each call: the embedded simulator's depends on the listening address). */
  baseUrl(): string;
  secret: string;
  timeoutMs: number;
}

/** The pmPayment fields signed in a request, in order. */
export const PMPAYMENT_INIT_FIELDS = ['ags', 'amount', 'procedure', 'desc', 'kassenzeichen', 'notifyURL', 'redirectURL'] as const;

/** Creates the pmPayment adapter. */
export function createPmPaymentProvider(settings: PmPaymentSettings): PaymentProvider {
  const keyOf = (ags: string) => merchantKey(settings.secret, 'pmpayment', ags);
  const postForm = (path: string, fields: Record<string, string>) => providerFetch(`${settings.baseUrl()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  }, settings.timeoutMs);

  return {
    name: 'pmpayment',
    async create(merchant: Merchant, request) {
      const fields: Record<(typeof PMPAYMENT_INIT_FIELDS)[number], string> = {
        ags: merchant.ags, amount: String(request.amountCents), procedure: request.procedure, desc: request.purpose,
        kassenzeichen: request.kassenzeichen, notifyURL: request.notifyUrl, redirectURL: request.returnUrls.success,
      };
      const hash = hmacHex(keyOf(merchant.ags), PMPAYMENT_INIT_FIELDS.map((f) => fields[f]).join('|'));
      const answer = initAnswer.safeParse(await readJson(await postForm('/init', { ...fields, hash })));
      if (!answer.success) throw new ProviderRefusedError('pmPayment init answer not understood');
      return { txid: answer.data.txid, redirectUrl: answer.data.url };
    },
    async status(merchant, txid) {
      const key = keyOf(merchant.ags);
      const answer = statusAnswer.safeParse(await readJson(await postForm('/status', { ags: merchant.ags, txid, hash: hmacHex(key, `${merchant.ags}|${txid}`) })));
      if (!answer.success || answer.data.txid !== txid) throw new ProviderRefusedError('pmPayment status answer not understood');
      const a = answer.data;
      if (!macEquals(hmacHex(key, [merchant.ags, a.txid, a.status, a.amount, a.currency].join('|')), a.hash)) {
        throw new ProviderRefusedError('pmPayment status answer not authentic');
      }
      return { txid, status: a.status, amountCents: a.amount, currency: a.currency };
    },
    checkNotification({ body }: IncomingNotification): NotificationCheck {
      const parsed = notification.safeParse(body);
      if (!parsed.success) return { ok: false, reason: 'malformed' };
      const { ags, txid, hash } = parsed.data;
      if (!macEquals(hmacHex(keyOf(ags), `${ags}|${txid}`), hash)) return { ok: false, reason: 'bad_signature' };
      return { ok: true, ags, txid, amountCents: null };
    },
  };
}
