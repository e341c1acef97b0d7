/**
 * Tenant administration pages: the tenant's staff (add with an invitation, change roles, remove),
 * the networks its staff pages may be used from, and the invitation link that sets a first password.
 * Everything works on the administrator's active tenant only; another tenant's member is "not found".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import type { StaffRole } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm } from '../../platform/http/forms.ts';
import { findTenantsByIds } from '../tenants/index.ts';
import { acceptInvitation, findInvitation } from './accept-invitation.ts';
import { addStaffMember, changeStaffRoles, type AdminActor } from './manage-members.ts';
import { setTenantNetworks } from './set-tenant-networks.ts';
import { requireStaffTenant, type StaffContext } from './staff.policy.ts';
import { listTenantNetworks, listTenantStaff } from './staff.repository.ts';

const VIEWS = 'modules/staff/views';
const MEMBERS = '/verwaltung/mitarbeitende';
const NETWORKS = '/verwaltung/netzwerke';

const memberForm = z.object({
  displayName: z.string().trim().min(1, 'staff.members.add.name.required').max(200, 'staff.members.add.name.required'),
  email: z.string().trim().max(254, 'staff.members.add.email.invalid').pipe(z.email('staff.members.add.email.invalid')),
});
const networksForm = z.object({ networks: z.string().max(10_000, 'staff.networks.tooMany') });
const invitationForm = z.object({
  password: z.string().min(1, 'staff.password.new.required').max(1024, 'staff.password.tooLong'),
  confirm: z.string().max(1024, 'staff.password.confirm.mismatch'),
}).refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'staff.password.confirm.mismatch' });
const staffIdParam = z.object({ staffId: z.uuid() });

/** The roles a tenant's administrator may grant there: the ministry role only in the ministry. */
async function grantableRoles(deps: AppDeps, tenantId: string): Promise<StaffRole[]> {
  const [tenant] = await findTenantsByIds(deps.db, [tenantId]);
  return tenant?.kind === 'ministry' ? ['caseworker', 'editor', 'tenant_admin', 'ministry'] : ['caseworker', 'editor', 'tenant_admin'];
}

/** The checked roles of a form (checkboxes send the name once per box), only grantable ones. */
function rolesOf(body: unknown, grantable: readonly StaffRole[]): StaffRole[] {
  const raw = (body as Record<string, unknown> | undefined)?.roles;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return grantable.filter((r) => values.includes(r));
}

function actorOf(admin: StaffContext, req: FastifyRequest): AdminActor {
  return { tenantId: admin.tenant.id, tenantName: admin.tenant.name, staffId: admin.account.id, requestId: req.id };
}

function oneError(req: FastifyRequest, field: string, message: string) {
  return { errorCount: 1, errors: [{ field, message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, [field]: message } };
}

export async function staffAdminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;

  async function renderMembers(req: FastifyRequest, admin: StaffContext, form: object, selected: StaffRole[], status = 200) {
    const notice = (req.query as Record<string, unknown>).hinweis;
    return {
      status,
      context: {
        pageTitle: req.t('staff.members.title'), tenant: admin.tenant, members: await listTenantStaff(db, admin.tenant.id),
        grantable: await grantableRoles(deps, admin.tenant.id), selected,
        notice: typeof notice === 'string' && ['added', 'saved', 'removed'].includes(notice) ? notice : null, ...form,
      },
    };
  }

  app.get(MEMBERS, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const page = await renderMembers(req, admin, emptyForm(), ['caseworker']);
    return reply.page(`${VIEWS}/members.njk`, page.context);
  });

  app.post(MEMBERS, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const roles = rolesOf(req.body, await grantableRoles(deps, admin.tenant.id));
    const result = validateForm(memberForm, req.body, req.t);
    const errors = result.ok ? [] : [...result.errors];
    const fieldErrors: Record<string, string> = result.ok ? { __prefix: `${req.t('form.errorPrefix')} ` } : { ...result.fieldErrors };
    if (roles.length === 0) {
      errors.push({ field: 'roles', message: req.t('staff.members.roles.required') });
      fieldErrors.roles = req.t('staff.members.roles.required');
    }
    const values = result.ok ? { displayName: result.value.displayName, email: result.value.email } : result.values;
    if (!result.ok || errors.length) {
      const page = await renderMembers(req, admin, { errorCount: errors.length, errors, fieldErrors, values }, roles, 400);
      return reply.page(`${VIEWS}/members.njk`, page.context, 400);
    }
    const baseUrl = deps.config.publicUrl ?? `${req.protocol}://${req.host}`;
    const added = await addStaffMember(deps, actorOf(admin, req), { email: result.value.email, displayName: result.value.displayName, roles, invitationBaseUrl: baseUrl, t: req.t });
    if (!added.ok) {
      const page = await renderMembers(req, admin, { ...oneError(req, 'email', req.t('staff.members.alreadyMember')), values }, roles, 400);
      return reply.page(`${VIEWS}/members.njk`, page.context, 400);
    }
    return reply.redirect(`${MEMBERS}?hinweis=added`, 303);
  });

  async function memberOf(admin: StaffContext, params: unknown) {
    const parsed = staffIdParam.safeParse(params);
    if (!parsed.success) throw new DomainError('NOT_FOUND');
    const member = (await listTenantStaff(db, admin.tenant.id)).find((m) => m.id === parsed.data.staffId);
    if (!member) throw new DomainError('NOT_FOUND');
    return member;
  }

  app.get(`${MEMBERS}/:staffId`, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const member = await memberOf(admin, req.params);
    return reply.page(`${VIEWS}/member.njk`, {
      pageTitle: req.t('staff.members.editFor', { name: member.display_name }), member, grantable: await grantableRoles(deps, admin.tenant.id), selected: member.roles, ...emptyForm(),
    });
  });

  app.post(`${MEMBERS}/:staffId`, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const member = await memberOf(admin, req.params);
    const grantable = await grantableRoles(deps, admin.tenant.id);
    const remove = (req.body as Record<string, unknown> | undefined)?.action === 'remove';
    // Roles outside what may be granted here (the ministry role elsewhere) stay as they are.
    const kept = member.roles.filter((r) => !grantable.includes(r));
    const roles = remove ? [] : [...kept, ...rolesOf(req.body, grantable)];
    const render = (field: string, message: string) => reply.page(`${VIEWS}/member.njk`, {
      pageTitle: req.t('staff.members.editFor', { name: member.display_name }), member, grantable, selected: roles, ...oneError(req, field, message), values: {},
    }, 400);
    if (!remove && roles.length === 0) return render('roles', req.t('staff.members.roles.required'));
    const changed = await changeStaffRoles(db, actorOf(admin, req), member.id, roles);
    if (!changed.ok) return render('roles', req.t('staff.members.lastAdmin'));
    return reply.redirect(`${MEMBERS}?hinweis=${changed.removed ? 'removed' : 'saved'}`, 303);
  });

  async function renderNetworks(req: FastifyRequest, admin: StaffContext, form: object) {
    return {
      pageTitle: req.t('staff.networks.title'), tenant: admin.tenant, ip: req.ip,
      saved: (req.query as Record<string, unknown>).gespeichert === '1', ...form,
    };
  }

  app.get(NETWORKS, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const networks = await listTenantNetworks(db, admin.tenant.id);
    return reply.page(`${VIEWS}/networks.njk`, await renderNetworks(req, admin, emptyForm({ networks: networks.join('\n') })));
  });

  app.post(NETWORKS, async (req, reply) => {
    const admin = requireStaffTenant(req, reply, ['tenant_admin']);
    if (!admin) return reply;
    const result = validateForm(networksForm, req.body, req.t);
    if (!result.ok) return reply.page(`${VIEWS}/networks.njk`, await renderNetworks(req, admin, { errorCount: result.errors.length, ...result }), 400);
    const saved = await setTenantNetworks(db, actorOf(admin, req), result.value.networks, req.ip);
    if (!saved.ok) {
      const message = saved.code === 'INVALID' ? req.t('staff.networks.invalid', { line: saved.line, value: saved.value })
        : saved.code === 'TOO_MANY' ? req.t('staff.networks.tooMany') : req.t('staff.networks.lockout', { ip: req.ip });
      return reply.page(`${VIEWS}/networks.njk`, await renderNetworks(req, admin, { ...oneError(req, 'networks', message), values: { networks: result.value.networks } }), 400);
    }
    return reply.redirect(`${NETWORKS}?gespeichert=1`, 303);
  });

  // The invitation link: no login (the token is the credential), from any network.
  app.get('/verwaltung/einladung/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    const invitation = await findInvitation(db, token);
    if (!invitation) throw new DomainError('NOT_FOUND');
    return reply.page(`${VIEWS}/invitation.njk`, { pageTitle: req.t('staff.invitation.title'), name: invitation.display_name, token, ...emptyForm() });
  });

  app.post('/verwaltung/einladung/:token', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const invitation = await findInvitation(db, token);
    if (!invitation) throw new DomainError('NOT_FOUND');
    const render = (form: object) => reply.page(`${VIEWS}/invitation.njk`, { pageTitle: req.t('staff.invitation.title'), name: invitation.display_name, token, ...form, values: {} }, 400);
    const result = validateForm(invitationForm, req.body, req.t);
    if (!result.ok) return render({ errorCount: result.errors.length, ...result });
    const accepted = await acceptInvitation(db, token, result.value.password, req.id);
    if (!accepted.ok) {
      if (accepted.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
      return render(oneError(req, 'password', req.t(accepted.code)));
    }
    return reply.redirect('/verwaltung/anmelden?eingeladen=1', 303);
  });
}
