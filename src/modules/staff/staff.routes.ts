/**
 * Staff login, logout and the staff start page.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { emptyForm, validateForm } from '../../platform/http/forms.ts';
import { logInStaff } from './log-in-staff.ts';
import { requireStaff, safeNextPath } from './staff.policy.ts';
import { findStaffById, listMemberships, type StaffAccount } from './staff.repository.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staffAccount: StaffAccount | null;
  }
  interface Session {
    staffId?: string;
  }
}

const loginForm = z.object({
  email: z.string({ error: 'staff.login.email.required' }).trim().min(1, 'staff.login.email.required').max(254, 'staff.login.email.required'),
  password: z.string({ error: 'staff.login.password.required' }).min(1, 'staff.login.password.required').max(1024, 'staff.login.password.required'),
  weiter: z.string().optional(),
});

const LOGIN = 'modules/staff/views/login.njk';

/**
 * Identifies the logged-in staff member on every request. Call on the root instance (not inside a
 * plugin), so that the hook covers every module's routes.
 */
export function registerStaffIdentity(app: FastifyInstance, { db }: { db: Db }): void {
  app.decorateRequest('staffAccount', null);
  app.addHook('preHandler', async (req) => {
    const staffId = req.session?.staffId;
    if (!staffId) return;
    const account = await findStaffById(db, staffId);
    if (!account) return;
    req.staffAccount = account;
    req.viewer = { kind: 'staff', displayName: account.display_name };
  });
}

export async function staffRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get('/verwaltung/anmelden', async (req, reply) => {
    const next = safeNextPath((req.query as Record<string, unknown>).weiter);
    return reply.page(LOGIN, { pageTitle: req.t('staff.login.title'), ...emptyForm({ weiter: next }) });
  });

  app.post('/verwaltung/anmelden', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const result = validateForm(loginForm, req.body, req.t);
    if (!result.ok) {
      delete result.values.password;
      return reply.page(LOGIN, { pageTitle: req.t('staff.login.title'), errorCount: result.errors.length, ...result }, 400);
    }
    const login = await logInStaff(db, result.value.email, result.value.password, req.id);
    if (!login.ok) {
      const message = req.t(login.code === 'LOCKED' ? 'staff.login.locked' : 'staff.login.invalid');
      return reply.page(LOGIN, {
        pageTitle: req.t('staff.login.title'),
        errorCount: 1,
        errors: [{ field: 'email', message }],
        fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, email: message },
        values: { email: result.value.email, weiter: safeNextPath(result.value.weiter) },
      }, 400);
    }
    // A new session id at the moment of login defeats session fixation.
    await req.session.regenerate();
    req.session.staffId = login.account.id;
    return reply.redirect(safeNextPath(result.value.weiter), 303);
  });

  app.post('/verwaltung/abmelden', async (req, reply) => {
    const staffId = req.session.staffId;
    if (staffId) await recordAudit(db, { actorType: 'staff', actorId: staffId, action: 'staff.logout', requestId: req.id });
    await req.session.destroy();
    return reply.redirect('/', 303);
  });

  app.get('/verwaltung', async (req, reply) => {
    const account = requireStaff(req, reply);
    if (!account) return reply;
    return reply.page('modules/staff/views/home.njk', {
      pageTitle: req.t('staff.home.title'),
      account,
      memberships: await listMemberships(db, account.id),
    });
  });
}
