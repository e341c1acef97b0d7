/**
 * The tenant administrator's settings for the staff login through the authority's own OpenID
 * Connect provider (/verwaltung/behoerden-login/:tenant): issuer, client id and secret (stored
 * encrypted, never shown again), the claim with the staff e-mail, the `amr` values that count as a
 * second factor, on/off. Only tenant administrators of that tenant; anyone else gets "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { FieldCipher } from '../../../platform/crypto/field-encryption.ts';
import type { Db } from '../../../platform/db/database.ts';
import { DomainError } from '../../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../../platform/http/forms.ts';
import { listMemberships, requireStaff } from '../../staff/index.ts';
import { findTenantStaffOidc, saveTenantStaffOidc } from './staff-oidc.repository.ts';

const PAGE = 'modules/identity/staff-oidc/views/settings.njk';

function settingsForm(production: boolean) {
  return z.object({
    issuer: z.string({ error: 'identity.staffOidc.settings.issuer.invalid' }).trim().max(500, 'identity.staffOidc.settings.issuer.invalid')
      .refine((v) => {
        try {
          const u = new URL(v);
          return (u.protocol === 'https:' || (!production && u.protocol === 'http:')) && !u.search && !u.hash;
        } catch {
          return false;
        }
      }, 'identity.staffOidc.settings.issuer.invalid'),
    clientId: z.string({ error: 'identity.staffOidc.settings.clientId.required' }).trim().min(1, 'identity.staffOidc.settings.clientId.required').max(200, 'identity.staffOidc.settings.clientId.required'),
    clientSecret: z.string().max(500).optional().default(''),
    emailClaim: z.string({ error: 'identity.staffOidc.settings.emailClaim.invalid' }).trim().regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'identity.staffOidc.settings.emailClaim.invalid'),
    mfaAmrValues: z.string().trim().max(200).regex(/^[A-Za-z0-9_:. -]*$/, 'identity.staffOidc.settings.amr.invalid'),
    enabled: z.enum(['ja', 'nein'], { error: 'identity.staffOidc.settings.enabled.required' }),
  });
}

export async function staffOidcSettingsRoutes(app: FastifyInstance, { config, db, cipher }: { config: Config; db: Db; cipher: FieldCipher }): Promise<void> {
  const schema = settingsForm(config.env === 'production');

  /** The tenant of the URL if the staff member administers it; else "not found". */
  const administered = async (req: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    const account = requireStaff(req, reply);
    if (!account) return null;
    const membership = (await listMemberships(db, account.id)).find((m) => m.tenant_slug === req.params.tenant && m.role === 'tenant_admin');
    if (!membership) throw new DomainError('NOT_FOUND');
    return { account, tenantId: membership.tenant_id, tenantName: membership.tenant_name };
  };

  const page = (req: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply, tenantName: string, hasSecret: boolean, form: FormErrors, status = 200) =>
    reply.page(PAGE, {
      pageTitle: req.t('identity.staffOidc.settings.title', { tenant: tenantName }),
      action: `/verwaltung/behoerden-login/${req.params.tenant}`,
      hasSecret,
      saved: (req.query as Record<string, unknown>).gespeichert === '1',
      enabledOptions: [{ value: 'ja', label: req.t('identity.notifications.yes') }, { value: 'nein', label: req.t('identity.notifications.no') }],
      errorCount: form.errors.length,
      ...form,
    }, status);

  app.get<{ Params: { tenant: string } }>('/verwaltung/behoerden-login/:tenant', async (req, reply) => {
    const who = await administered(req, reply);
    if (!who) return reply;
    const current = await findTenantStaffOidc(db, req.params.tenant, { enabledOnly: false });
    return page(req, reply, who.tenantName, Boolean(current), emptyForm(current
      ? { issuer: current.issuer, clientId: current.client_id, emailClaim: current.email_claim, mfaAmrValues: current.mfa_amr_values, enabled: current.enabled ? 'ja' : 'nein' }
      : { emailClaim: 'email', mfaAmrValues: 'mfa hwk otp', enabled: 'ja' }));
  });

  app.post<{ Params: { tenant: string } }>('/verwaltung/behoerden-login/:tenant', async (req, reply) => {
    const who = await administered(req, reply);
    if (!who) return reply;
    const current = await findTenantStaffOidc(db, req.params.tenant, { enabledOnly: false });
    const result = validateForm(schema, req.body, req.t);
    const secretMissing = result.ok && !result.value.clientSecret && !current;
    if (!result.ok || secretMissing) {
      const form: FormErrors = result.ok ? { errors: [], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} ` } as Record<string, string>, values: { ...req.body as Record<string, string> } } : result;
      if (secretMissing) {
        const message = req.t('identity.staffOidc.settings.clientSecret.required');
        form.errors.push({ field: 'clientSecret', message });
        form.fieldErrors.clientSecret = message;
      }
      delete form.values.clientSecret;
      delete form.values._csrf;
      return page(req, reply, who.tenantName, Boolean(current), form, 400);
    }
    const v = result.value;
    await saveTenantStaffOidc(db, who.tenantId, {
      issuer: v.issuer.replace(/\/$/, ''), clientId: v.clientId, clientSecretEnc: v.clientSecret ? cipher.encrypt(v.clientSecret) : current!.client_secret_enc,
      emailClaim: v.emailClaim, mfaAmrValues: v.mfaAmrValues, enabled: v.enabled === 'ja',
    });
    await recordAudit(db, { tenantId: who.tenantId, actorType: 'staff', actorId: who.account.id, action: 'tenant.staff_oidc_changed', details: { enabled: v.enabled === 'ja', secretChanged: Boolean(v.clientSecret) }, requestId: req.id });
    return reply.redirect(`/verwaltung/behoerden-login/${req.params.tenant}?gespeichert=1`, 303);
  });
}
