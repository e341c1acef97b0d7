/**
 * The payment platform simulator (demo mode only): speaks the pmPayment and the ePayBL protocol on
 * its own routes — machine interface under /api/demo-zahlung/…, the payer's pages under
 * /demo-zahlung/… — keeps its transactions in the database, checks every request's HMAC, signs
 * its answers, and notifies the merchant over HTTP through jobs. The payer chooses to pay, to pay
 * with a delayed notification, to cancel, or to fail.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../../platform/http/forms.ts';
import type { Db } from '../../../platform/db/database.ts';
import { enqueueJob } from '../../../platform/jobs/queue.ts';
import { formatEuro } from '../fee-schedule.ts';
import { SIMULATOR_API } from '../payments-runtime.ts';
import { epayblStatusBody, pmpaymentStatusBody, simMerchantKey, simSign, simVerify, type SimulatorSecrets } from './simulator-protocol.ts';
import { enqueueNotification, type SimulatorJobs } from './simulator.jobs.ts';
import { createSimTransaction, findSimTransaction, setSimStatus, type SimTransaction } from './simulator.repository.ts';

const VIEWS = 'modules/payments/simulator/views';
const PAGE_BASE = '/demo-zahlung';

export interface SimulatorRouteOptions {
  db: Db;
  secrets: SimulatorSecrets;
  jobs: SimulatorJobs;
  delayMs: number;
  publicUrl: string | undefined;
  production: boolean;
}

const txid = z.string().regex(/^[A-Za-z0-9_-]{6,80}$/);
const pmInit = z.object({
  ags: z.string().regex(/^\d{8}$/), amount: z.string().regex(/^[1-9]\d{0,8}$/), procedure: z.string().min(1).max(100),
  desc: z.string().min(1).max(27), kassenzeichen: z.string().min(1).max(40), notifyURL: z.url(), redirectURL: z.url(), hash: z.string(),
});
const pmStatus = z.object({ ags: z.string().regex(/^\d{8}$/), txid, hash: z.string() });
const epCreate = z.object({
  mandantId: z.string(), bewirtschafter: z.string().regex(/^\d{8}$/), kassenzeichen: z.string().min(1).max(40),
  betrag: z.number().int().min(1).max(100_000_000), waehrung: z.literal('EUR'), verwendungszweck: z.string().min(1).max(27),
  urlErfolg: z.url(), urlFehler: z.url(), urlAbbruch: z.url(), urlBenachrichtigung: z.url().optional(),
});
const choiceForm = z.object({ choice: z.enum(['pay', 'pay_delayed', 'cancel', 'fail'], { error: 'payments.simulator.choice.required' }) });
const protocolParam = z.enum(['pmpayment', 'epaybl']);

interface RawJson { raw: string; json: unknown }

/** Registers the simulator. @throws Error with NODE_ENV=production (the configuration refuses it too). */
export async function paymentSimulatorRoutes(app: FastifyInstance, options: SimulatorRouteOptions): Promise<void> {
  if (options.production) throw new Error('the payment simulator is never served with NODE_ENV=production');
  const { db, secrets, jobs } = options;
  const baseOf = (req: FastifyRequest) => options.publicUrl ?? `${req.protocol}://${req.host}`;

  // ePayBL requests are signed over their exact body: keep it as received.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    let json: unknown = null;
    try {
      json = JSON.parse(String(body));
    } catch { /* refused by the route */ }
    done(null, { raw: String(body), json } satisfies RawJson);
  });

  const refuse = (reply: FastifyReply, status: number, code: string) => reply.code(status).type('application/json').send({ code });

  // --- pmPayment machine interface ---------------------------------------------------------
  app.post(`${SIMULATOR_API.pmpayment}/init`, async (req, reply) => {
    const parsed = pmInit.safeParse(req.body);
    if (!parsed.success) return refuse(reply, 400, 'malformed');
    const f = parsed.data;
    const key = simMerchantKey(secrets, 'pmpayment', f.ags);
    const signed = [f.ags, f.amount, f.procedure, f.desc, f.kassenzeichen, f.notifyURL, f.redirectURL].join('|');
    if (!simVerify(key, signed, f.hash)) return refuse(reply, 401, 'bad_signature');
    const t = await createSimTransaction(db, {
      protocol: 'pmpayment', merchant: f.ags, reference: f.kassenzeichen, amountCents: Number(f.amount), description: f.desc, procedure: f.procedure,
      notifyUrl: f.notifyURL, successUrl: f.redirectURL, cancelUrl: f.redirectURL, errorUrl: f.redirectURL,
    });
    return reply.type('application/json').send({ txid: t.id, url: `${baseOf(req)}${PAGE_BASE}/pmpayment/${t.id}` });
  });

  app.post(`${SIMULATOR_API.pmpayment}/status`, async (req, reply) => {
    const parsed = pmStatus.safeParse(req.body);
    if (!parsed.success) return refuse(reply, 400, 'malformed');
    const { ags, txid: id, hash } = parsed.data;
    if (!simVerify(simMerchantKey(secrets, 'pmpayment', ags), `${ags}|${id}`, hash)) return refuse(reply, 401, 'bad_signature');
    const t = await findSimTransaction(db, 'pmpayment', id);
    if (!t || t.merchant !== ags) return refuse(reply, 404, 'unknown_transaction');
    return reply.type('application/json').send(pmpaymentStatusBody(secrets, t));
  });

  // --- ePayBL machine interface -------------------------------------------------------------
  /** The merchant (AGS) of a request with a valid EPAYBL-HMAC authorization, or null. */
  const epayblMerchant = (req: FastifyRequest, rawBody: string): string | null => {
    const match = /^EPAYBL-HMAC ([A-Za-z0-9_-]+):(\d{8}):([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    if (!match || match[1] !== secrets.mandantId) return null;
    return simVerify(simMerchantKey(secrets, 'epaybl', match[2]!), `${req.method}\n${req.url}\n${rawBody}`, match[3]) ? match[2]! : null;
  };
  const signedJson = (reply: FastifyReply, ags: string, status: number, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    return reply.code(status).type('application/json').header('x-epaybl-signature', simSign(simMerchantKey(secrets, 'epaybl', ags), text)).send(text);
  };

  app.post(`${SIMULATOR_API.epaybl}/zahlvorgaenge`, async (req, reply) => {
    const body = req.body as RawJson | undefined;
    const ags = epayblMerchant(req, body?.raw ?? '');
    if (!ags) return refuse(reply, 401, 'bad_signature');
    const parsed = epCreate.safeParse(body?.json);
    if (!parsed.success || parsed.data.mandantId !== secrets.mandantId || parsed.data.bewirtschafter !== ags) return refuse(reply, 400, 'malformed');
    const f = parsed.data;
    const t = await createSimTransaction(db, {
      protocol: 'epaybl', merchant: ags, reference: f.kassenzeichen, amountCents: f.betrag, description: f.verwendungszweck, procedure: null,
      notifyUrl: f.urlBenachrichtigung ?? null, successUrl: f.urlErfolg, cancelUrl: f.urlAbbruch, errorUrl: f.urlFehler,
    });
    return signedJson(reply, ags, 201, { ...epayblStatusBody(t), zahlungsUrl: `${baseOf(req)}${PAGE_BASE}/epaybl/${t.id}` });
  });

  app.get<{ Params: { id: string } }>(`${SIMULATOR_API.epaybl}/zahlvorgaenge/:id`, async (req, reply) => {
    const ags = epayblMerchant(req, '');
    if (!ags) return refuse(reply, 401, 'bad_signature');
    const t = await findSimTransaction(db, 'epaybl', req.params.id);
    if (!t || t.merchant !== ags) return refuse(reply, 404, 'unknown_transaction');
    return signedJson(reply, ags, 200, epayblStatusBody(t));
  });

  // --- the payer's pages ----------------------------------------------------------------------
  const requireTransaction = async (protocol: string, id: string): Promise<SimTransaction> => {
    const p = protocolParam.safeParse(protocol);
    const t = p.success && txid.safeParse(id).success ? await findSimTransaction(db, p.data, id) : undefined;
    if (!t) throw new DomainError('NOT_FOUND');
    return t;
  };

  const page = (req: FastifyRequest, reply: FastifyReply, t: SimTransaction, form: FormErrors, status = 200) => {
    // The choice redirects to the merchant's return URLs: browsers check those against form-action.
    const origins = [...new Set([t.successUrl, t.cancelUrl, t.errorUrl].map((u) => new URL(u).origin))].join(' ');
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.header('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${origins}`));
    return reply.page(`${VIEWS}/pay.njk`, {
      pageTitle: req.t('payments.simulator.title'),
      tx: t,
      protocolLabel: t.protocol === 'pmpayment' ? 'pmPayment' : 'ePayBL',
      amount: formatEuro(t.amountCents, req.locale),
      action: `${PAGE_BASE}/${t.protocol}/${t.id}`,
      choices: (['pay', 'pay_delayed', 'cancel', 'fail'] as const).map((c) => ({ value: c, label: req.t(`payments.simulator.choice.${c}`) })),
      errorCount: form.errors.length,
      ...form,
    }, status);
  };

  app.get<{ Params: { protocol: string; id: string } }>(`${PAGE_BASE}/:protocol/:id`, async (req, reply) =>
    page(req, reply, await requireTransaction(req.params.protocol, req.params.id), emptyForm()));

  app.post<{ Params: { protocol: string; id: string } }>(`${PAGE_BASE}/:protocol/:id`, async (req, reply) => {
    const t = await requireTransaction(req.params.protocol, req.params.id);
    if (t.status !== 'open') return page(req, reply, t, emptyForm());
    const result = validateForm(choiceForm, req.body, req.t);
    if (!result.ok) return page(req, reply, t, result, 400);
    const choice = result.value.choice;
    const to = choice === 'pay' ? 'paid' : choice === 'pay_delayed' ? 'pending' : choice === 'cancel' ? 'cancelled' : 'failed';
    const moved = await db.transaction().execute(async (tx) => {
      if (!await setSimStatus(tx, t.id, ['open'], to)) return false;
      if (choice === 'pay_delayed') {
        await enqueueNotification(tx, jobs.notify, t.protocol, t.id);
        await enqueueJob(tx, jobs.settle, { protocol: t.protocol, id: t.id }, { runAt: new Date(Date.now() + options.delayMs) });
      } else {
        await enqueueNotification(tx, jobs.notify, t.protocol, t.id);
      }
      return true;
    });
    if (!moved) return page(req, reply, (await findSimTransaction(db, t.protocol, t.id))!, emptyForm());
    const target = choice === 'cancel' ? t.cancelUrl : choice === 'fail' ? t.errorUrl : t.successUrl;
    return reply.redirect(target, 303);
  });
}
