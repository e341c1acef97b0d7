/**
 * ePayBL-style adapter (REST, JSON). `POST <base>/zahlvorgaenge` creates a payment transaction
 * ("Zahlvorgang") with `mandantId`, `bewirtschafter` (the authority's AGS), `kassenzeichen`,
 * `betrag` (cents), `waehrung`, `verwendungszweck` and the return URLs `urlErfolg`, `urlFehler`,
 * `urlAbbruch` plus `urlBenachrichtigung`; the answer is `{ id, status, zahlungsUrl }`.
 * `GET <base>/zahlvorgaenge/{id}?bewirtschafter=…` reads the status back (`OFFEN`,
 * `IN_BEARBEITUNG`, `BEZAHLT`, `FEHLGESCHLAGEN`, `ABGEBROCHEN`). Requests carry
 * `Authorization: EPAYBL-HMAC <mandant>:<ags>:<hex HMAC-SHA256 over "METHOD\npath\nbody">`; answers
 * and callbacks carry `X-EPayBL-Signature` (hex HMAC over the body) with the authority's key.
 */
import { z } from 'zod';
import type { PaymentsConfig } from '../../config.ts';
import {
  hmacHex, macEquals, merchantKey, providerFetch, ProviderRefusedError, ProviderUnavailableError,
  type IncomingNotification, type NotificationCheck, type PaymentProvider, type ProviderStatus,
} from './provider.ts';

const STATUS: Record<string, ProviderStatus> = {
  OFFEN: 'open', IN_BEARBEITUNG: 'pending', BEZAHLT: 'paid', FEHLGESCHLAGEN: 'failed', ABGEBROCHEN: 'cancelled',
};

const created = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{6,80}$/), zahlungsUrl: z.url() });
const statusAnswer = z.object({ id: z.string(), status: z.string(), betrag: z.number().int().min(0), waehrung: z.string().length(3) });
const callback = z.object({
  mandantId: z.string(), bewirtschafter: z.string().regex(/^\d{8}$/), id: z.string().regex(/^[A-Za-z0-9_-]{6,80}$/),
  betrag: z.number().int().min(0).optional(),
});

export interface EPayBlSettings {
  baseUrl(): string;
  mandantId: PaymentsConfig['epaybl']['mandantId'];
  secret: string;
  timeoutMs: number;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Creates the ePayBL adapter. */
export function createEPayBlProvider(settings: EPayBlSettings): PaymentProvider {
  const keyOf = (ags: string) => merchantKey(settings.secret, 'epaybl', ags);

  const call = async (ags: string, method: 'GET' | 'POST', path: string, body?: Record<string, unknown>) => {
    const base = new URL(settings.baseUrl());
    const bodyText = body ? JSON.stringify(body) : '';
    const signedPath = `${base.pathname.replace(/\/$/, '')}${path}`;
    const mac = hmacHex(keyOf(ags), `${method}\n${signedPath}\n${bodyText}`);
    const response = await providerFetch(`${base.origin}${signedPath}`, {
      method,
      headers: {
        accept: 'application/json',
        authorization: `EPAYBL-HMAC ${settings.mandantId}:${ags}:${mac}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: bodyText } : {}),
    }, settings.timeoutMs);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new ProviderUnavailableError('ePayBL answer not received', { cause: error });
    }
    if (!macEquals(hmacHex(keyOf(ags), text), response.headers.get('x-epaybl-signature'))) throw new ProviderRefusedError('ePayBL answer not authentic');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProviderRefusedError('ePayBL answer is not JSON');
    }
  };

  return {
    name: 'epaybl',
    async create(merchant, request) {
      const answer = created.safeParse(await call(merchant.ags, 'POST', '/zahlvorgaenge', {
        mandantId: settings.mandantId, bewirtschafter: merchant.ags, kassenzeichen: request.kassenzeichen,
        betrag: request.amountCents, waehrung: 'EUR', verwendungszweck: request.purpose,
        urlErfolg: request.returnUrls.success, urlFehler: request.returnUrls.error, urlAbbruch: request.returnUrls.cancel,
        urlBenachrichtigung: request.notifyUrl,
      }));
      if (!answer.success) throw new ProviderRefusedError('ePayBL create answer not understood');
      return { txid: answer.data.id, redirectUrl: answer.data.zahlungsUrl };
    },
    async status(merchant, txid) {
      const answer = statusAnswer.safeParse(await call(merchant.ags, 'GET', `/zahlvorgaenge/${encodeURIComponent(txid)}?bewirtschafter=${merchant.ags}`));
      const status = answer.success ? STATUS[answer.data.status] : undefined;
      if (!answer.success || !status || answer.data.id !== txid) throw new ProviderRefusedError('ePayBL status answer not understood');
      return { txid, status, amountCents: answer.data.betrag, currency: answer.data.waehrung };
    },
    checkNotification({ body, rawBody, headers }: IncomingNotification): NotificationCheck {
      const parsed = callback.safeParse(body);
      if (!parsed.success || parsed.data.mandantId !== settings.mandantId) return { ok: false, reason: 'malformed' };
      if (!macEquals(hmacHex(keyOf(parsed.data.bewirtschafter), rawBody), header(headers, 'x-epaybl-signature'))) return { ok: false, reason: 'bad_signature' };
      return { ok: true, ags: parsed.data.bewirtschafter, txid: parsed.data.id, amountCents: parsed.data.betrag ?? null };
    },
  };
}
