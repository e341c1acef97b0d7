/**
 * Staff login through the authority's own OpenID Connect provider (optional, per tenant): the
 * staff member picks the authority, logs in there (authorization code flow with PKCE, state,
 * nonce; ID token signature, issuer, audience and expiry checked by openid-client), and the claim
 * configured for the tenant (default `email`) names the staff account, which must already exist
 * and belong to that tenant. Kept apart from the staff module's password login on purpose.
 *
 * Second factor: when the provider's `amr` contains one of the tenant's configured values (default
 * "mfa hwk otp"), the authority has done a second factor and the session records
 * `staffMfaByIdp = true`; the portal's own TOTP step (branch staff-security) is then skipped. With
 * any other `amr` the TOTP step must follow as after a password (see completeStaffOidcLogin).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { FieldCipher } from '../../../platform/crypto/field-encryption.ts';
import type { Db } from '../../../platform/db/database.ts';
import { emptyForm, validateForm } from '../../../platform/http/forms.ts';
import type { MessageKey } from '../../../platform/i18n/i18n.ts';
import { classify } from '../oidc-relying-party.ts';
import { findStaffMemberByEmail, findTenantStaffOidc, listTenantsWithStaffOidc, type TenantStaffOidcRow } from './staff-oidc.repository.ts';

declare module 'fastify' {
  interface Session {
    staffOidcPending?: StaffOidcPending[];
    /** How the staff member logged in. */
    staffLoginMethod?: 'password' | 'oidc';
    /** The authority's provider asserted a second factor (amr). */
    staffMfaByIdp?: boolean;
  }
}

interface StaffOidcPending { tenant: string; state: string; nonce: string; codeVerifier: string; returnPath: string; expiresAt: number }

export interface StaffOidcDeps {
  config: Config;
  db: Db;
  cipher: FieldCipher;
  baseUrlOf(req: FastifyRequest): string;
}

const CHOOSE = 'modules/identity/staff-oidc/views/choose.njk';
const FAILURE = 'modules/identity/staff-oidc/views/failure.njk';
const CALLBACK = '/verwaltung/anmelden/behoerde/rueckkehr';
const LIFETIME_MS = 15 * 60_000;

const chooseForm = z.object({
  tenant: z.string({ error: 'identity.staffOidc.tenant.required' }).regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'identity.staffOidc.tenant.required'),
  weiter: z.string().max(500).optional(),
});

/** A return path inside the staff area only. */
function staffReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/verwaltung(\/[\w\-./]*)?$/.test(value) && !value.includes('//') ? value : '/verwaltung';
}

type StaffRefusal = 'invalid' | 'expired' | 'cancelled' | 'unavailable' | 'unknown_account' | 'locked';
const STATUS: Record<StaffRefusal, number> = { invalid: 400, expired: 400, cancelled: 401, unavailable: 503, unknown_account: 403, locked: 403 };

export async function staffOidcRoutes(app: FastifyInstance, { config, db, cipher, baseUrlOf }: StaffOidcDeps): Promise<void> {
  const configurations = new Map<string, { key: string; at: number; value: Promise<client.Configuration> }>();

  /** The openid-client configuration for a tenant (discovery cached for an hour, renewed when the settings change). */
  async function configurationFor(s: TenantStaffOidcRow): Promise<client.Configuration> {
    const key = `${s.issuer}|${s.client_id}|${s.client_secret_enc}`;
    let entry = configurations.get(s.tenant_id);
    if (!entry || entry.key !== key || Date.now() - entry.at > 3600_000) {
      const http = config.env !== 'production' && s.issuer.startsWith('http:');
      entry = {
        key, at: Date.now(),
        value: client.discovery(new URL(s.issuer), s.client_id, { id_token_signed_response_alg: 'RS256' }, client.ClientSecretBasic(cipher.decrypt(s.client_secret_enc)), {
          execute: [client.enableNonRepudiationChecks, ...(http ? [client.allowInsecureRequests] : [])], timeout: 10,
        }),
      };
      configurations.set(s.tenant_id, entry);
    }
    try {
      return await entry.value;
    } catch (error) {
      configurations.delete(s.tenant_id);
      throw error;
    }
  }

  const failure = async (req: FastifyRequest, reply: FastifyReply, code: StaffRefusal, reason: string, tenantId: string | null, actorId: string | null = null) => {
    req.log.warn({ event: 'staff_oidc_login_refused', code, reason, reqId: req.id }, 'staff login through the authority provider refused');
    await recordAudit(db, {
      tenantId, actorType: actorId ? 'staff' : 'anonymous', actorId, action: 'staff.login_failed', details: { method: 'oidc', code, reason }, requestId: req.id,
    });
    return reply.page(FAILURE, { pageTitle: req.t('identity.staffOidc.failure.title'), message: req.t(`identity.staffOidc.failure.${code}` as MessageKey) }, STATUS[code]);
  };

  const choosePage = async (req: FastifyRequest, reply: FastifyReply, form = emptyForm({ weiter: staffReturnPath((req.query as Record<string, unknown>).weiter) }), status = 200) => {
    const tenants = await listTenantsWithStaffOidc(db);
    return reply.page(CHOOSE, {
      pageTitle: req.t('identity.staffOidc.title'),
      tenants: tenants.map((t) => ({ value: t.slug, label: t.name })),
      errorCount: form.errors.length,
      ...form,
    }, status);
  };

  app.get('/verwaltung/anmelden/behoerde', async (req, reply) => choosePage(req, reply));

  app.post('/verwaltung/anmelden/behoerde', { config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (req, reply) => {
    const result = validateForm(chooseForm, req.body, req.t);
    if (!result.ok) return choosePage(req, reply, result, 400);
    const settings = await findTenantStaffOidc(db, result.value.tenant);
    if (!settings) {
      const message = req.t('identity.staffOidc.tenant.required');
      return choosePage(req, reply, { errors: [{ field: 'tenant', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, tenant: message }, values: { tenant: result.value.tenant, weiter: staffReturnPath(result.value.weiter) } }, 400);
    }
    let cfg: client.Configuration;
    try {
      cfg = await configurationFor(settings);
    } catch (error) {
      req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'authority OpenID provider unreachable');
      return failure(req, reply, 'unavailable', 'discovery_failed', settings.tenant_id);
    }
    const pending: StaffOidcPending = {
      tenant: settings.slug, state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier(),
      returnPath: staffReturnPath(result.value.weiter), expiresAt: Date.now() + LIFETIME_MS,
    };
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: `${baseUrlOf(req)}${CALLBACK}`, response_type: 'code', scope: 'openid email profile',
      state: pending.state, nonce: pending.nonce, code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier), code_challenge_method: 'S256',
    });
    req.session.staffOidcPending = [...(req.session.staffOidcPending ?? []).filter((p) => p.expiresAt > Date.now()), pending].slice(-3);
    return reply.redirect(url.href, 303);
  });

  app.get(CALLBACK, async (req, reply) => {
    const state = (req.query as Record<string, unknown>).state;
    const all = req.session.staffOidcPending ?? [];
    const pending = typeof state === 'string' ? all.find((p) => p.state === state) : undefined;
    if (!pending) return failure(req, reply, 'invalid', 'state', null);
    req.session.staffOidcPending = all.filter((p) => p !== pending);
    const settings = await findTenantStaffOidc(db, pending.tenant);
    if (!settings) return failure(req, reply, 'unavailable', 'not_configured', null);
    if (pending.expiresAt < Date.now()) return failure(req, reply, 'expired', 'login_expired', settings.tenant_id);
    let claims: Record<string, unknown> | undefined;
    try {
      const cfg = await configurationFor(settings);
      const current = new URL(`${baseUrlOf(req)}${CALLBACK}`);
      current.search = new URL(req.url, 'http://x').search;
      const tokens = await client.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      claims = tokens.claims() as Record<string, unknown> | undefined;
    } catch (error) {
      const c = classify(error);
      return failure(req, reply, c.code, c.reason, settings.tenant_id);
    }
    const email = claims?.[settings.email_claim];
    if (typeof email !== 'string' || email.length > 254) return failure(req, reply, 'invalid', 'no_email_claim', settings.tenant_id);
    const account = await findStaffMemberByEmail(db, settings.tenant_id, email);
    if (!account) return failure(req, reply, 'unknown_account', 'unknown_account', settings.tenant_id);
    if (account.locked_until && account.locked_until > new Date()) return failure(req, reply, 'locked', 'locked', settings.tenant_id, account.id);
    const amr = Array.isArray(claims?.amr) ? (claims.amr as unknown[]).filter((v): v is string => typeof v === 'string') : [];
    const mfaValues = settings.mfa_amr_values.split(/\s+/).filter(Boolean);
    const mfaByIdp = amr.some((v) => mfaValues.includes(v));
    return completeStaffOidcLogin(req, reply, { db, staffId: account.id, tenantId: settings.tenant_id, mfaByIdp, returnPath: pending.returnPath });
  });
}

/**
 * The one place where an authority login becomes a staff session. When the provider asserted a
 * second factor (`mfaByIdp`), the session is complete; otherwise the staff module's TOTP step
 * follows, exactly as after a correct password.
 */
export async function completeStaffOidcLogin(req: FastifyRequest, reply: FastifyReply, input: { db: Db; staffId: string; tenantId: string; mfaByIdp: boolean; returnPath: string }): Promise<FastifyReply> {
  // A new session id at the moment of login defeats session fixation.
  await req.session.regenerate();
  if (!input.mfaByIdp) {
    // The authority's provider did not assert a second factor: the portal's TOTP step follows, as
    // after a correct password (the staff module completes the login there).
    const account = await input.db.selectFrom('staff_accounts').select('totp_confirmed_at').where('id', '=', input.staffId).executeTakeFirst();
    req.session.staffPending = { id: input.staffId, next: input.returnPath, at: Date.now() };
    req.session.staffLoginMethod = 'oidc';
    req.session.staffMfaByIdp = false;
    req.log.info({ event: 'staff_login_first_factor', method: 'oidc', reqId: req.id }, 'authority login done; second factor follows');
    return reply.redirect(account?.totp_confirmed_at ? '/verwaltung/anmelden/code' : '/verwaltung/anmelden/einrichten', 303);
  }
  req.session.staffId = input.staffId;
  req.session.staffLoginMethod = 'oidc';
  req.session.staffMfaByIdp = input.mfaByIdp;
  await recordAudit(input.db, {
    tenantId: input.tenantId, actorType: 'staff', actorId: input.staffId, action: 'staff.login', details: { method: 'oidc', mfaByIdp: input.mfaByIdp }, requestId: req.id,
  });
  req.log.info({ event: 'staff_login', method: 'oidc', mfaByIdp: input.mfaByIdp, reqId: req.id }, 'staff logged in through the authority provider');
  return reply.redirect(input.returnPath, 303);
}
