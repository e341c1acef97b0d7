/**
 * Payments on the web: the platforms' notification endpoints (machine interface under /api/), the
 * page the payer returns to from the platform (status confirmed with the platform, then on to the
 * payable's page), and the staff pages under /verwaltung/zahlungen (list with filter, search and
 * pages; CSV export; a payment's history and refunds; recording a refund). In demo mode also the
 * payment platform simulator.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import { translator, type MessageKey } from '../../platform/i18n/i18n.ts';
import type { PaymentProviderName, PaymentStatus } from '../../platform/db/schema.ts';
import { confirmPayment, bookStatus } from './confirm-payment.ts';
import { formatEuro } from './fee-schedule.ts';
import { handleNotification, type NotificationOutcome } from './handle-notification.ts';
import { berlinDayEnd, berlinDayStart, paymentsCsv } from './payments.format.ts';
import { requirePaymentStaff, type PaymentStaff } from './payments.policy.ts';
import {
  findPayment, findPaymentForSystem, listPayments, listPaymentsForExport, listRefunds, listStatusChanges, type Payment, type PaymentFilter,
} from './payments.repository.ts';
import { FILTER_FIELDS, PAYMENT_STATUSES, PROVIDERS, paymentFilterQuery, refundForm, type PaymentFilterQuery } from './payments.schemas.ts';
import { recordRefund } from './record-refund.ts';
import { notifyPathOf } from './start-payment.ts';
import { demoCheckoutRoutes } from './simulator/demo-checkout.routes.ts';
import { paymentSimulatorRoutes } from './simulator/simulator.routes.ts';
import type { SimulatorJobs } from './simulator/simulator.jobs.ts';

const VIEWS = 'modules/payments/views';
const BASE = '/verwaltung/zahlungen';
const PAGE_SIZE = 25;
const EXPORT_LIMIT = 10_000;

const NOTIFICATION_STATUS: Record<NotificationOutcome['code'], number> = {
  booked: 200, unchanged: 200, malformed: 400, bad_signature: 401, unknown_transaction: 404, amount_mismatch: 409, unavailable: 503, refused: 502,
};

interface RawJson { raw: string; json: unknown }

export interface PaymentsRouteOptions extends AppDeps {
  /** The simulator's jobs, when it is served (demo). */
  simulatorJobs: SimulatorJobs | null;
}

/** The payer's view of a status (the label keys of the status). */
export function statusKey(status: PaymentStatus): MessageKey {
  return `payments.status.${status}` as MessageKey;
}

function toFilter(q: PaymentFilterQuery): PaymentFilter {
  return {
    status: q.status, provider: q.anbieter, search: q.q,
    from: q.von ? berlinDayStart(q.von) : undefined, until: q.bis ? berlinDayEnd(q.bis) : undefined,
  };
}

function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Registers the payments routes (and, in demo mode, the simulator). */
export async function paymentsRoutes(app: FastifyInstance, options: PaymentsRouteOptions): Promise<void> {
  const { db, cipher, payments, config } = options;
  const deps = { db, payments };
  payments.bindServer(app.server);

  if (config.payments.simulator && options.simulatorJobs) {
    await app.register(paymentSimulatorRoutes, {
      db, jobs: options.simulatorJobs, delayMs: config.payments.simulatorDelayMs, publicUrl: config.publicUrl, production: config.env === 'production',
      secrets: { pmpayment: config.payments.pmpayment.secret, epaybl: config.payments.epaybl.secret, mandantId: config.payments.epaybl.mandantId },
    });
    await app.register(demoCheckoutRoutes, { db, payments });
  }

  await app.register(async (api) => {
    // ePayBL callbacks are signed over their exact body: keep it as received.
    api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      let json: unknown = null;
      try {
        json = JSON.parse(String(body));
      } catch { /* refused as malformed */ }
      done(null, { raw: String(body), json } satisfies RawJson);
    });
    for (const provider of PROVIDERS) {
      api.post(notifyPathOf(provider), async (req, reply) => {
        const body = req.body as RawJson | Record<string, unknown> | undefined;
        const isRaw = body !== undefined && typeof (body as RawJson).raw === 'string' && 'json' in body;
        const outcome = await handleNotification(deps, provider as PaymentProviderName, {
          body: isRaw ? (body as RawJson).json : body, rawBody: isRaw ? (body as RawJson).raw : '', headers: req.headers,
        });
        return reply.code(NOTIFICATION_STATUS[outcome.code]).type('application/json').send({ code: outcome.code });
      });
    }
  });

  // The payer comes back from the platform. The result in the URL is only a hint: the status is
  // read back from the platform. Then on to the payable's page, with the status for its message.
  app.get<{ Params: { id: string; result: string } }>('/zahlung/:id/zurueck/:result', async (req, reply) => {
    const params = z.object({ id: z.uuid(), result: z.enum(['erfolg', 'abbruch', 'fehler']) }).safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const payment = await findPaymentForSystem(db, params.data.id);
    if (!payment) throw new DomainError('NOT_FOUND');
    const result = await confirmPayment(deps, payment, 'return');
    let status = result.status;
    if (!result.ok && result.code === 'unavailable' && status === 'open' && params.data.result === 'erfolg') {
      // The payer says it is paid and the platform cannot tell: pending until it can (never failed by guess).
      status = (await bookStatus(db, payment, 'pending', ['open'], 'return'))?.status ?? status;
    }
    const separator = payment.returnPath.includes('?') ? '&' : '?';
    return reply.redirect(`${payment.returnPath}${separator}zahlung=${status}`, 303);
  });

  // --- staff pages ------------------------------------------------------------------------------
  const statusOptions = (req: FastifyRequest) => PAYMENT_STATUSES.map((s) => ({ value: s, label: req.t(statusKey(s)) }));
  const providerOptions = [{ value: 'pmpayment', label: 'pmPayment' }, { value: 'epaybl', label: 'ePayBL' }];
  const present = (req: FastifyRequest, p: Payment) => ({
    ...p, amount: formatEuro(p.amountCents, req.locale), refunded: formatEuro(p.refundedCents, req.locale),
    statusLabel: req.t(statusKey(p.status)), providerLabel: p.provider === 'pmpayment' ? 'pmPayment' : 'ePayBL',
  });

  const listPage = async (req: FastifyRequest, reply: FastifyReply, staff: PaymentStaff, form: FormErrors, filter: PaymentFilter | null, page: number, status = 200) => {
    const result = filter ? await listPayments(db, staff.tenant.id, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }) : { total: 0, items: [] };
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const keep = { behoerde: staff.tenants.length > 1 ? staff.tenant.id : undefined, status: form.values.status, anbieter: form.values.anbieter, von: form.values.von, bis: form.values.bis, q: form.values.q };
    return reply.page(`${VIEWS}/list.njk`, {
      pageTitle: req.t('payments.staff.title'), staff, statusOptions: statusOptions(req), providerOptions,
      items: result.items.map((p) => present(req, p)), total: result.total, page, pages,
      prevUrl: page > 1 ? `${BASE}${queryString({ ...keep, seite: page - 1 })}` : null,
      nextUrl: page < pages ? `${BASE}${queryString({ ...keep, seite: page + 1 })}` : null,
      exportUrl: `${BASE}/export.csv${queryString(keep)}`,
      filtered: filter !== null, errorCount: form.errors.length, ...form,
    }, status);
  };

  app.get(BASE, async (req, reply) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const staff = await requirePaymentStaff(db, req, reply, typeof raw.behoerde === 'string' && raw.behoerde ? raw.behoerde : undefined);
    if (!staff) return reply;
    const values = Object.fromEntries(['status', 'anbieter', 'von', 'bis', 'q'].map((k) => [k, typeof raw[k] === 'string' ? String(raw[k]).trim() : '']));
    const result = validateForm(paymentFilterQuery, raw, req.t);
    if (!result.ok) {
      const rank = (field: string) => (FILTER_FIELDS as readonly string[]).indexOf(field);
      return listPage(req, reply, staff, { ...result, errors: [...result.errors].sort((a, b) => rank(a.field) - rank(b.field)), values }, null, 1, 400);
    }
    return listPage(req, reply, staff, emptyForm(values), toFilter(result.value), result.value.seite ?? 1);
  });

  app.get(`${BASE}/export.csv`, async (req, reply) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const staff = await requirePaymentStaff(db, req, reply, typeof raw.behoerde === 'string' && raw.behoerde ? raw.behoerde : undefined);
    if (!staff) return reply;
    const parsed = paymentFilterQuery.safeParse(raw);
    if (!parsed.success) throw new DomainError('BAD_REQUEST');
    const rows = await listPaymentsForExport(db, staff.tenant.id, toFilter(parsed.data), EXPORT_LIMIT);
    const de = translator('de');
    const day = new Date().toISOString().slice(0, 10);
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="zahlungen-${day}.csv"`)
      .send(paymentsCsv(rows, (s) => de(statusKey(s))));
  });

  const detailPage = async (req: FastifyRequest, reply: FastifyReply, staff: PaymentStaff, payment: Payment, form: FormErrors, status = 200) => {
    const [history, refunds] = await Promise.all([listStatusChanges(db, staff.tenant.id, payment.id), listRefunds(db, staff.tenant.id, payment.id)]);
    const notice = (req.query as Record<string, unknown>).hinweis === 'erstattet' ? req.t('payments.refund.recorded') : null;
    return reply.page(`${VIEWS}/detail.njk`, {
      pageTitle: req.t('payments.detail.title', { kassenzeichen: payment.kassenzeichen }), staff, payment: present(req, payment),
      history: history.map((h) => ({ ...h, toLabel: req.t(statusKey(h.toStatus)), sourceLabel: req.t(`payments.source.${h.source}` as MessageKey) })),
      refunds: refunds.map((r) => ({ ...r, amount: formatEuro(r.amountCents, req.locale), reason: cipher.decrypt(r.reasonEnc) })),
      refundable: payment.status === 'paid' || payment.status === 'partially_refunded',
      refundLeft: formatEuro(payment.amountCents - payment.refundedCents, req.locale),
      notice, errorCount: form.errors.length, ...form,
    }, status);
  };

  const requirePaymentOf = async (staff: PaymentStaff, id: string): Promise<Payment> => {
    const payment = z.uuid().safeParse(id).success ? await findPayment(db, staff.tenant.id, id) : undefined;
    if (!payment) throw new DomainError('NOT_FOUND');
    return payment;
  };

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, async (req, reply) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const staff = await requirePaymentStaff(db, req, reply, typeof raw.behoerde === 'string' && raw.behoerde ? raw.behoerde : undefined);
    if (!staff) return reply;
    const payment = await requirePaymentOf(staff, req.params.id);
    return detailPage(req, reply, staff, payment, emptyForm({ tenantId: staff.tenant.id, amount: '', reason: '' }));
  });

  app.post<{ Params: { id: string } }>(`${BASE}/:id/erstattung`, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const staff = await requirePaymentStaff(db, req, reply, typeof body.tenantId === 'string' ? body.tenantId : '');
    if (!staff) return reply;
    const payment = await requirePaymentOf(staff, req.params.id);
    const result = validateForm(refundForm, req.body, req.t);
    if (!result.ok) return detailPage(req, reply, staff, payment, result, 400);
    const outcome = await recordRefund({ db, cipher }, { tenantId: staff.tenant.id, staffId: staff.account.id, requestId: req.id }, payment.id, { amountCents: result.value.amount, reason: result.value.reason });
    if (!outcome.ok) {
      const message = req.t(outcome.code === 'AMOUNT_TOO_HIGH' ? 'payments.refund.amount.tooHigh' : 'payments.refund.notRefundable');
      const values = { tenantId: staff.tenant.id, amount: String(body.amount ?? ''), reason: String(body.reason ?? '') };
      return detailPage(req, reply, staff, payment, { errors: [{ field: 'amount', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, amount: message }, values }, 400);
    }
    const tenantParam = staff.tenants.length > 1 ? `&behoerde=${staff.tenant.id}` : '';
    return reply.redirect(`${BASE}/${payment.id}?hinweis=erstattet${tenantParam}`, 303);
  });
}
