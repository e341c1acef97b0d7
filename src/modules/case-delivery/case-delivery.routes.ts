/**
 * The tenant administrator's page /verwaltung/anbindungen: delivery targets (add, deactivate), the
 * recent deliveries with status and attempts, and the specialist procedures' API clients (create
 * with a token shown once, revoke). Everything works on the administrator's active tenant; another
 * tenant's target or client is "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app-deps.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { requireStaffTenant, type StaffContext } from '../staff/index.ts';
import { addDeliveryTarget, type AdminActor } from './add-delivery-target.ts';
import { listClients, listRecentDeliveries, listTargets, listTenantProcedures } from './case-delivery.repository.ts';
import { clientForm, clientIdParam, TARGET_FIELDS, targetForm, targetIdParam } from './case-delivery.schemas.ts';
import { deactivateDeliveryTarget } from './deactivate-delivery-target.ts';
import { createIntegrationClient } from './create-integration-client.ts';
import { revokeIntegrationClient } from './revoke-integration-client.ts';

const VIEWS = 'modules/case-delivery/views';
const BASE = '/verwaltung/anbindungen';
const RECENT_DELIVERIES = 50;

/** Confirmations after a redirect (`?hinweis=`). */
const NOTICES = {
  'ziel-angelegt': 'caseDelivery.notice.targetAdded',
  'ziel-deaktiviert': 'caseDelivery.notice.targetDeactivated',
  'zugang-widerrufen': 'caseDelivery.notice.clientRevoked',
} as const satisfies Record<string, MessageKey>;

function actorOf(admin: StaffContext, req: FastifyRequest): AdminActor {
  return { tenantId: admin.tenant.id, staffId: admin.account.id, requestId: req.id };
}

function inFieldOrder(form: FormErrors): FormErrors {
  const rank = (field: string) => {
    const i = (TARGET_FIELDS as readonly string[]).indexOf(field);
    return i === -1 ? TARGET_FIELDS.length : i;
  };
  return { ...form, errors: [...form.errors].sort((a, b) => rank(a.field) - rank(b.field)) };
}

/** Registers the administration page of deliveries and API clients (tenant administrators only). */
export async function caseDeliveryRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, cipher } = deps;
  // The demo and tests deliver to receivers on this machine; production only over https.
  const allowLoopbackHttp = deps.config.env !== 'production';

  async function page(req: FastifyRequest, reply: FastifyReply, admin: StaffContext, state: { targetForm?: FormErrors; clientForm?: FormErrors } = {}, status = 200) {
    const tenantId = admin.tenant.id;
    const [targets, deliveries, clients, procedures] = await Promise.all([
      listTargets(db, tenantId), listRecentDeliveries(db, tenantId, RECENT_DELIVERIES), listClients(db, tenantId), listTenantProcedures(db, tenantId),
    ]);
    const target = state.targetForm ?? emptyForm({ kind: 'webhook', procedureId: '' });
    const client = state.clientForm ?? emptyForm();
    const errors = [...target.errors, ...client.errors];
    const hinweis = (req.query as Record<string, unknown>).hinweis;
    return reply.page(`${VIEWS}/integrations.njk`, {
      pageTitle: req.t('caseDelivery.title'), tenant: admin.tenant, targets, deliveries, clients, procedures,
      targetForm: target, clientForm: client, errors, allowLoopbackHttp,
      notice: typeof hinweis === 'string' && Object.hasOwn(NOTICES, hinweis) ? req.t(NOTICES[hinweis as keyof typeof NOTICES]) : null,
    }, status);
  }

  app.get(BASE, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    return page(req, reply, admin);
  });

  app.post(`${BASE}/ziele`, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const result = validateForm(targetForm(allowLoopbackHttp), req.body, req.t);
    if (!result.ok) {
      // A private key pasted by mistake is not sent back into the page.
      const values = result.fieldErrors.jwk === req.t('caseDelivery.target.jwk.private') ? { ...result.values, jwk: '' } : result.values;
      return page(req, reply, admin, { targetForm: inFieldOrder({ ...result, values }) }, 400);
    }
    const added = await addDeliveryTarget(db, cipher, actorOf(admin, req), result.value);
    if (!added.ok) {
      const message = req.t('caseDelivery.target.procedure.invalid');
      const values = Object.fromEntries(Object.entries(result.value).map(([k, v]) => [k, String(v)]));
      return page(req, reply, admin, { targetForm: { errors: [{ field: 'procedureId', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, procedureId: message }, values } }, 400);
    }
    if (!added.generatedSecret) return reply.redirect(`${BASE}?hinweis=ziel-angelegt`, 303);
    // Shown once, on this answer only: it is not kept anywhere the page could show it again.
    return reply.page(`${VIEWS}/secret.njk`, {
      pageTitle: req.t('caseDelivery.secret.title'), intro: req.t('caseDelivery.secret.intro', { name: result.value.targetName }), secret: added.generatedSecret,
    });
  });

  app.post(`${BASE}/ziele/:targetId/deaktivieren`, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const parsed = targetIdParam.safeParse(req.params);
    if (!parsed.success || !(await deactivateDeliveryTarget(db, actorOf(admin, req), parsed.data.targetId))) throw new DomainError('NOT_FOUND');
    return reply.redirect(`${BASE}?hinweis=ziel-deaktiviert`, 303);
  });

  app.post(`${BASE}/zugaenge`, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const result = validateForm(clientForm, req.body, req.t);
    if (!result.ok) return page(req, reply, admin, { clientForm: result }, 400);
    const created = await createIntegrationClient(db, actorOf(admin, req), result.value.clientName);
    return reply.page(`${VIEWS}/secret.njk`, {
      pageTitle: req.t('caseDelivery.token.title'), intro: req.t('caseDelivery.token.intro', { name: result.value.clientName }), secret: created.token,
    });
  });

  app.post(`${BASE}/zugaenge/:clientId/widerrufen`, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const parsed = clientIdParam.safeParse(req.params);
    if (!parsed.success || !(await revokeIntegrationClient(db, actorOf(admin, req), parsed.data.clientId))) throw new DomainError('NOT_FOUND');
    return reply.redirect(`${BASE}?hinweis=zugang-widerrufen`, 303);
  });
}
