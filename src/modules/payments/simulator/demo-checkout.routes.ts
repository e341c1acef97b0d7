/**
 * A test checkout for the demo (served with the simulator only): pick an authority, a platform and
 * an amount, pay through the simulator, and see the outcome when you come back — the way a
 * payable's page (e.g. an application) starts a payment: a POST form, `startPayment`, a 303 to the
 * platform, with the platforms' origins allowed as form targets in that page's CSP.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../../platform/db/database.ts';
import { emptyForm, validateForm, type FormErrors } from '../../../platform/http/forms.ts';
import type { MessageKey } from '../../../platform/i18n/i18n.ts';
import { listConnectedTenants } from '../../tenants/index.ts';
import { formatEuro } from '../fee-schedule.ts';
import { registerPaymentOutcomeHandler } from '../outcome.ts';
import { paymentsFor } from '../payments-for.ts';
import { allowPaymentFormTargets, type PaymentsRuntime } from '../payments-runtime.ts';
import { parseEuroCents } from '../payments.schemas.ts';
import { startPayment } from '../start-payment.ts';

const PATH = '/demo-zahlung';
/** The payable kind of test checkouts; its outcomes are only logged. */
export const DEMO_PAYABLE_KIND = 'demo-payment';

const checkoutForm = z.object({
  tenantId: z.uuid({ error: 'payments.demo.tenant.required' }),
  provider: z.enum(['pmpayment', 'epaybl'], { error: 'payments.demo.provider.required' }),
  amount: z.string().trim().refine((v) => (parseEuroCents(v) ?? 0) >= 1, 'payments.refund.amount.invalid'),
});

export async function demoCheckoutRoutes(app: FastifyInstance, { db, payments }: { db: Db; payments: PaymentsRuntime }): Promise<void> {
  registerPaymentOutcomeHandler(DEMO_PAYABLE_KIND, async (_tx, event) => {
    payments.log.info({ event: 'demo_payment_outcome', paymentId: event.paymentId, status: event.status }, 'demo payment outcome');
  });

  const page = async (req: FastifyRequest, reply: FastifyReply, form: FormErrors, status = 200) => {
    const tenants = await listConnectedTenants(db);
    const query = z.object({ vorgang: z.uuid(), behoerde: z.uuid() }).safeParse(req.query);
    const result = query.success && tenants.some((t) => t.id === query.data.behoerde)
      ? (await paymentsFor(db, query.data.behoerde, DEMO_PAYABLE_KIND, query.data.vorgang)).map((p) => ({
        ...p, amount: formatEuro(p.amountCents, req.locale), statusLabel: req.t(`payments.status.${p.status}` as MessageKey),
      }))
      : [];
    allowPaymentFormTargets(reply, payments, [new URL(payments.baseUrlOf(req)).origin]);
    return reply.page('modules/payments/simulator/views/checkout.njk', {
      pageTitle: req.t('payments.demo.title'),
      tenantOptions: tenants.map((t) => ({ value: t.id, label: t.name })),
      providerOptions: [{ value: 'pmpayment', label: 'pmPayment' }, { value: 'epaybl', label: 'ePayBL' }],
      result, errorCount: form.errors.length, ...form,
    }, status);
  };

  app.get(PATH, async (req, reply) => page(req, reply, emptyForm({ tenantId: '', provider: 'pmpayment', amount: '13,00' })));

  app.post(PATH, async (req, reply) => {
    const result = validateForm(checkoutForm, req.body, req.t);
    if (!result.ok) return page(req, reply, result, 400);
    const tenants = await listConnectedTenants(db);
    if (!tenants.some((t) => t.id === result.value.tenantId)) {
      const message = req.t('payments.demo.tenant.required');
      return page(req, reply, { errors: [{ field: 'tenantId', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, tenantId: message }, values: { ...result.value } }, 400);
    }
    const payableId = randomUUID();
    const started = await startPayment({ db, payments }, {
      tenantId: result.value.tenantId, payableKind: DEMO_PAYABLE_KIND, payableId, amountCents: parseEuroCents(result.value.amount)!,
      purpose: 'Testzahlung', returnUrl: `${PATH}?vorgang=${payableId}&behoerde=${result.value.tenantId}`,
      provider: result.value.provider, baseUrl: payments.baseUrlOf(req),
    });
    return reply.redirect(started.redirectUrl, 303);
  });
}
