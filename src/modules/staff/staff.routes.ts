/**
 * Staff login (password, then the TOTP second factor or its enrolment), logout, sign-out of all
 * sessions, the staff start page and the switch between the staff member's tenants. The identity
 * hook enforces the inactivity timeout and the active tenant's network allowlist.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm } from '../../platform/http/forms.ts';
import { confirmTotpEnrolment, startTotpEnrolment } from './enrol-totp.ts';
import { logInStaff } from './log-in-staff.ts';
import { isAddressAllowed } from './networks.ts';
import { qrCodeDataUrl, totpUri } from './second-factor.ts';
import { requireStaff, safeNextPath, type StaffTenant } from './staff.policy.ts';
import { deleteStaffSessions, findStaffById, listMemberships, listTenantNetworks, type StaffAccount } from './staff.repository.ts';
import { verifySecondFactor } from './verify-second-factor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staffAccount: StaffAccount | null;
    /** The tenant the staff member works for now (null: no membership, e.g. the platform operator). */
    staffTenant: StaffTenant | null;
    /** Every tenant the staff member belongs to. */
    staffTenants: StaffTenant[];
    /** The staff session ended for inactivity in this request (the login says so). */
    staffSessionExpired: boolean;
  }
  interface Session {
    staffId?: string;
    staffTenantId?: string;
    /** Last activity (epoch ms), for the inactivity timeout. */
    staffSeenAt?: number;
    /** Passed the password step, second factor outstanding. */
    staffPending?: { id: string; next: string; at: number };
    /** Recovery codes just issued (encrypted), shown once. */
    staffRecoveryCodesEnc?: string;
  }
}

/** URL prefixes of staff pages: they need a staff login and are bound to the active tenant's networks. */
export const STAFF_PATH_PREFIXES = ['/verwaltung', '/betrieb'] as const;

/** Staff routes usable from any network: the login steps, logout and switching to another tenant. */
const NETWORK_EXEMPT_ROUTES: ReadonlySet<string> = new Set([
  'GET /verwaltung/anmelden', 'POST /verwaltung/anmelden', 'GET /verwaltung/anmelden/code', 'POST /verwaltung/anmelden/code',
  'GET /verwaltung/anmelden/einrichten', 'POST /verwaltung/anmelden/einrichten', 'GET /verwaltung/anmelden/wiederherstellungscodes',
  'POST /verwaltung/abmelden', 'POST /verwaltung/behoerde', 'GET /verwaltung/einladung/:token', 'POST /verwaltung/einladung/:token',
]);

/** True for a route pattern of a staff page. */
export function isStaffRoute(url: string | undefined): boolean {
  return url !== undefined && STAFF_PATH_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`));
}

const PENDING_MS = 5 * 60_000;
// Last activity is written at most this often, so that not every page view rewrites the session.
const SEEN_GRANULARITY_MS = 30_000;

const loginForm = z.object({
  email: z.string({ error: 'staff.login.email.required' }).trim().min(1, 'staff.login.email.required').max(254, 'staff.login.email.required'),
  password: z.string({ error: 'staff.login.password.required' }).min(1, 'staff.login.password.required').max(1024, 'staff.login.password.required'),
  weiter: z.string().optional(),
});

const codeForm = z.object({
  code: z.string({ error: 'staff.totp.code.required' }).trim().min(1, 'staff.totp.code.required').max(40, 'staff.totp.code.invalid'),
});

const switchForm = z.object({ tenantId: z.string().uuid() });

const VIEWS = 'modules/staff/views';

/** Groups membership rows (one per role) by tenant. */
function groupTenants(rows: Awaited<ReturnType<typeof listMemberships>>): StaffTenant[] {
  const byId = new Map<string, StaffTenant>();
  for (const r of rows) {
    const tenant = byId.get(r.tenant_id) ?? { id: r.tenant_id, name: r.tenant_name, slug: r.tenant_slug, roles: [] };
    tenant.roles.push(r.role);
    byId.set(r.tenant_id, tenant);
  }
  return [...byId.values()];
}

function clearStaff(req: FastifyRequest): void {
  delete req.session.staffId;
  delete req.session.staffTenantId;
  delete req.session.staffSeenAt;
  delete req.session.staffPending;
  delete req.session.staffRecoveryCodesEnc;
}

/**
 * Identifies the logged-in staff member on every request, ends the staff session after the idle
 * timeout, sets the active tenant and refuses staff pages from outside its networks (403). Call on
 * the root instance (not inside a plugin), so that the hook covers every module's routes.
 */
export function registerStaffIdentity(app: FastifyInstance, { db, config }: { db: Db; config: Pick<Config, 'staffIdleTimeoutMs'> }): void {
  app.decorateRequest('staffAccount', null);
  app.decorateRequest('staffTenant', null);
  app.decorateRequest('staffTenants', null as unknown as StaffTenant[]);
  app.decorateRequest('staffSessionExpired', false);
  app.addHook('preHandler', async (req) => {
    req.staffTenants = [];
    const session = req.session;
    const staffId = session?.staffId;
    if (!staffId) return;
    const now = Date.now();
    if (session.staffSeenAt !== undefined && now - session.staffSeenAt > config.staffIdleTimeoutMs) {
      await recordAudit(db, { actorType: 'staff', actorId: staffId, action: 'staff.session_expired', requestId: req.id });
      clearStaff(req);
      req.staffSessionExpired = true;
      return;
    }
    const account = await findStaffById(db, staffId);
    if (!account) {
      clearStaff(req);
      return;
    }
    const tenants = groupTenants(await listMemberships(db, account.id));
    const active = tenants.find((t) => t.id === session.staffTenantId) ?? tenants[0] ?? null;
    if (active && session.staffTenantId !== active.id) session.staffTenantId = active.id;
    if (session.staffSeenAt === undefined || now - session.staffSeenAt > SEEN_GRANULARITY_MS) session.staffSeenAt = now;
    req.staffAccount = account;
    req.staffTenant = active;
    req.staffTenants = tenants;
    req.viewer = { kind: 'staff', displayName: account.display_name, tenants: tenants.map((t) => ({ id: t.id, name: t.name })), activeTenantId: active?.id ?? null };
    const route = `${req.method} ${req.routeOptions.url ?? ''}`;
    if (active && isStaffRoute(req.routeOptions.url) && !NETWORK_EXEMPT_ROUTES.has(route)) {
      if (!isAddressAllowed(req.ip, await listTenantNetworks(db, active.id))) throw new DomainError('FORBIDDEN_NETWORK');
    }
  });
}

/**
 * The tenant to start with after login: the first membership whose networks admit the client
 * (the first membership when none does; its pages then answer 403).
 */
async function initialTenant(db: Db, staffId: string, ip: string): Promise<string | undefined> {
  const tenants = groupTenants(await listMemberships(db, staffId));
  for (const t of tenants) {
    if (isAddressAllowed(ip, await listTenantNetworks(db, t.id))) return t.id;
  }
  return tenants[0]?.id;
}

export async function staffRoutes(app: FastifyInstance, { db, cipher, config }: { db: Db; cipher: FieldCipher; config: Pick<Config, 'sessionSecret'> }): Promise<void> {
  /** Completes a login: a fresh session id (no fixation), the staff member and their first tenant in it. */
  async function completeLogin(req: FastifyRequest, staffId: string, extra: { recoveryCodesEnc?: string } = {}): Promise<void> {
    await req.session.regenerate();
    req.session.staffId = staffId;
    req.session.staffSeenAt = Date.now();
    const tenantId = await initialTenant(db, staffId, req.ip);
    if (tenantId) req.session.staffTenantId = tenantId;
    if (extra.recoveryCodesEnc) req.session.staffRecoveryCodesEnc = extra.recoveryCodesEnc;
  }

  /** The staff member between the two login steps, or null when none (or it took too long). */
  function pendingLogin(req: FastifyRequest): { id: string; next: string } | null {
    const pending = req.session.staffPending;
    if (!pending || Date.now() - pending.at > PENDING_MS) return null;
    return pending;
  }

  app.get('/verwaltung/anmelden', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const next = safeNextPath(query.weiter);
    return reply.page(`${VIEWS}/login.njk`, {
      pageTitle: req.t('staff.login.title'), expired: query.abgelaufen === '1', signedOut: query.abgemeldet === '1', invited: query.eingeladen === '1',
      ...emptyForm({ weiter: next }),
    });
  });

  app.post('/verwaltung/anmelden', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const result = validateForm(loginForm, req.body, req.t);
    if (!result.ok) {
      delete result.values.password;
      return reply.page(`${VIEWS}/login.njk`, { pageTitle: req.t('staff.login.title'), errorCount: result.errors.length, ...result }, 400);
    }
    const login = await logInStaff(db, result.value.email, result.value.password, req.id, config.sessionSecret);
    if (!login.ok) {
      const message = req.t(login.code === 'LOCKED' ? 'staff.login.locked' : 'staff.login.invalid');
      return reply.page(`${VIEWS}/login.njk`, {
        pageTitle: req.t('staff.login.title'),
        errorCount: 1,
        errors: [{ field: 'email', message }],
        fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, email: message },
        values: { email: result.value.email, weiter: safeNextPath(result.value.weiter) },
      }, 400);
    }
    // A new session id as soon as the password is right, and again when the login is complete.
    await req.session.regenerate();
    req.session.staffPending = { id: login.account.id, next: safeNextPath(result.value.weiter), at: Date.now() };
    return reply.redirect(login.enrolled ? '/verwaltung/anmelden/code' : '/verwaltung/anmelden/einrichten', 303);
  });

  app.get('/verwaltung/anmelden/code', async (req, reply) => {
    if (!pendingLogin(req)) return reply.redirect('/verwaltung/anmelden', 303);
    return reply.page(`${VIEWS}/login-code.njk`, { pageTitle: req.t('staff.totp.title'), ...emptyForm() });
  });

  app.post('/verwaltung/anmelden/code', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const pending = pendingLogin(req);
    if (!pending) return reply.redirect('/verwaltung/anmelden', 303);
    const result = validateForm(codeForm, req.body, req.t);
    const render = (message: string) => reply.page(`${VIEWS}/login-code.njk`, {
      pageTitle: req.t('staff.totp.title'), errorCount: 1, errors: [{ field: 'code', message }],
      fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, code: message }, values: {},
    }, 400);
    if (!result.ok) return render(result.errors[0]!.message);
    const verified = await verifySecondFactor(db, cipher, pending.id, result.value.code, req.id);
    if (!verified.ok) {
      if (verified.code === 'LOCKED') delete req.session.staffPending;
      return render(req.t(verified.code === 'LOCKED' ? 'staff.login.locked' : 'staff.totp.code.invalid'));
    }
    await completeLogin(req, pending.id);
    return reply.redirect(pending.next, 303);
  });

  async function renderEnrolment(req: FastifyRequest, pendingId: string, form: object, status = 200) {
    const secret = await startTotpEnrolment(db, cipher, pendingId);
    const account = await findStaffById(db, pendingId);
    if (!secret || !account) return null;
    const uri = totpUri(secret, account.email);
    return { status, context: { pageTitle: req.t('staff.enrol.title'), qrCode: await qrCodeDataUrl(uri), secretGroups: secret.match(/.{1,4}/g)!.join(' '), ...form } };
  }

  app.get('/verwaltung/anmelden/einrichten', async (req, reply) => {
    const pending = pendingLogin(req);
    if (!pending) return reply.redirect('/verwaltung/anmelden', 303);
    const page = await renderEnrolment(req, pending.id, emptyForm());
    if (!page) return reply.redirect('/verwaltung/anmelden/code', 303);
    return reply.page(`${VIEWS}/enrol.njk`, page.context);
  });

  app.post('/verwaltung/anmelden/einrichten', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const pending = pendingLogin(req);
    if (!pending) return reply.redirect('/verwaltung/anmelden', 303);
    const result = validateForm(codeForm, req.body, req.t);
    const confirmed = result.ok ? await confirmTotpEnrolment(db, cipher, pending.id, result.value.code, req.id) : null;
    if (!confirmed?.ok) {
      const message = result.ok ? req.t('staff.totp.code.invalid') : result.errors[0]!.message;
      const page = await renderEnrolment(req, pending.id, {
        errorCount: 1, errors: [{ field: 'code', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, code: message }, values: {},
      });
      if (!page) return reply.redirect('/verwaltung/anmelden', 303);
      return reply.page(`${VIEWS}/enrol.njk`, page.context, 400);
    }
    await completeLogin(req, pending.id, { recoveryCodesEnc: cipher.encrypt(JSON.stringify({ codes: confirmed.recoveryCodes, next: pending.next })) });
    return reply.redirect('/verwaltung/anmelden/wiederherstellungscodes', 303);
  });

  // Shown once: the codes leave the session with this page.
  app.get('/verwaltung/anmelden/wiederherstellungscodes', async (req, reply) => {
    if (!requireStaff(req, reply)) return reply;
    const stored = req.session.staffRecoveryCodesEnc;
    if (!stored) return reply.redirect('/verwaltung', 303);
    delete req.session.staffRecoveryCodesEnc;
    const { codes, next } = JSON.parse(cipher.decrypt(stored)) as { codes: string[]; next: string };
    return reply.page(`${VIEWS}/recovery-codes.njk`, { pageTitle: req.t('staff.recovery.title'), codes, next: safeNextPath(next) });
  });

  app.post('/verwaltung/abmelden', async (req, reply) => {
    const staffId = req.session.staffId;
    if (staffId) await recordAudit(db, { actorType: 'staff', actorId: staffId, action: 'staff.logout', requestId: req.id });
    await req.session.destroy();
    return reply.redirect('/', 303);
  });

  app.post('/verwaltung/abmelden/ueberall', async (req, reply) => {
    const account = requireStaff(req, reply);
    if (!account) return reply;
    await req.session.destroy();
    const count = await deleteStaffSessions(db, account.id);
    await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.logout_everywhere', details: { sessions: count }, requestId: req.id });
    return reply.redirect('/verwaltung/anmelden?abgemeldet=1', 303);
  });

  app.post('/verwaltung/behoerde', async (req, reply) => {
    const account = requireStaff(req, reply);
    if (!account) return reply;
    const parsed = switchForm.safeParse(req.body);
    const tenant = parsed.success ? req.staffTenants.find((t) => t.id === parsed.data.tenantId) : undefined;
    if (!tenant) throw new DomainError('NOT_FOUND');
    if (!isAddressAllowed(req.ip, await listTenantNetworks(db, tenant.id))) throw new DomainError('FORBIDDEN_NETWORK');
    req.session.staffTenantId = tenant.id;
    await recordAudit(db, { tenantId: tenant.id, actorType: 'staff', actorId: account.id, action: 'staff.tenant_switched', requestId: req.id });
    return reply.redirect('/verwaltung', 303);
  });

  app.get('/verwaltung', async (req, reply) => {
    const account = requireStaff(req, reply);
    if (!account) return reply;
    return reply.page(`${VIEWS}/home.njk`, {
      pageTitle: req.t('staff.home.title'),
      account,
      tenant: req.staffTenant,
      memberships: req.staffTenants.flatMap((t) => t.roles.map((role) => ({ tenant_id: t.id, tenant_name: t.name, role }))),
      activeRoles: req.staffTenant?.roles ?? [],
    });
  });
}
