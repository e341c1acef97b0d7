/**
 * The staff member's own account: changing the password.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { emptyForm, validateForm } from '../../platform/http/forms.ts';
import { changeStaffPassword } from './change-password.ts';
import { requireStaff } from './staff.policy.ts';

const passwordForm = z.object({
  current: z.string().min(1, 'staff.password.current.required').max(1024, 'staff.password.current.wrong'),
  password: z.string().min(1, 'staff.password.new.required').max(1024, 'staff.password.tooLong'),
  confirm: z.string().max(1024, 'staff.password.confirm.mismatch'),
}).refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'staff.password.confirm.mismatch' });

const VIEW = 'modules/staff/views/password.njk';

export async function staffAccountRoutes(app: FastifyInstance, { db }: AppDeps): Promise<void> {
  app.get('/verwaltung/passwort', async (req, reply) => {
    if (!requireStaff(req, reply)) return reply;
    const changed = (req.query as Record<string, unknown>).geaendert === '1';
    return reply.page(VIEW, { pageTitle: req.t('staff.password.title'), changed, ...emptyForm() });
  });

  app.post('/verwaltung/passwort', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const account = requireStaff(req, reply);
    if (!account) return reply;
    const result = validateForm(passwordForm, req.body, req.t);
    if (!result.ok) return reply.page(VIEW, { pageTitle: req.t('staff.password.title'), errorCount: result.errors.length, ...result, values: {} }, 400);
    const changed = await changeStaffPassword(db, { staffId: account.id, current: result.value.current, password: result.value.password, sessionId: req.session.sessionId, requestId: req.id });
    if (!changed.ok) {
      const message = req.t(changed.code);
      return reply.page(VIEW, {
        pageTitle: req.t('staff.password.title'), errorCount: 1, errors: [{ field: changed.field, message }],
        fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, [changed.field]: message }, values: {},
      }, 400);
    }
    return reply.redirect('/verwaltung/passwort?geaendert=1', 303);
  });
}
