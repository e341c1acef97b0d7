/**
 * Citizen login through SAML 2.0 (BundID/BayernID): choosing the login (/anmelden), the request to
 * the identity provider, the assertion consumer (/saml/acs), logout and the account page; in demo
 * installations also the embedded demo identity provider.
 */
import { apiTokenRoutes } from './api-tokens.routes.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { createDemoIdp } from './demo-idp/demo-idp.ts';
import { demoIdpRoutes } from './demo-idp/demo-idp.routes.ts';
import { loadIdpMetadata, type IdentityProvider } from './idp-metadata.ts';
import { acsForm, loginStartForm, safeReturnPath, sloMessage } from './identity.schemas.ts';
import { requireCitizen, type Citizen } from './identity.policy.ts';
import { deleteSessionsOfAccounts, findAccountsOfSamlSubject, findCitizenAccount } from './identity.repository.ts';
import { findMembership } from './organisation.repository.ts';
import { loadOrCreateKeyMaterial, readKeyMaterial, type KeyMaterial } from './key-material.ts';
import { deriveBpk2Key, deriveSamlSubjectKey, logInCitizen, type CitizenAddress } from './log-in-citizen.ts';
import { parseTrustLevel, type TrustLevel } from './saml-profile.ts';
import { createServiceProvider, type AssertedIdentity, type IncomingSamlMessage, type OutgoingSamlMessage, type RefusalCode, type SamlSubject } from './service-provider.ts';
import { createDemoOidcProvider } from './demo-idp/demo-oidc-provider.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import { createCapturingTextMessageSender } from '../../platform/sms/sms.ts';
import { accountRoutes, registerIdentityPersonalData } from './account.routes.ts';
import { staffOidcRoutes } from './staff-oidc/staff-oidc.routes.ts';
import { staffOidcSettingsRoutes } from './staff-oidc/staff-oidc-settings.routes.ts';
import { organisationRoutes, registerOrganisationPersonalData } from './organisation.routes.ts';
import { createRelyingParty, type PendingOidcLogin } from './oidc-relying-party.ts';

declare module 'fastify' {
  interface FastifyRequest {
    citizen: Citizen | null;
  }
  interface Session {
    citizenId?: string;
    citizenLevel?: TrustLevel;
    /** How the citizen logged in (for logout). */
    citizenLoginMethod?: 'saml' | 'oidc';
    /** A SAML login: what its single logout needs (the NameID encrypted; `subjectKey`, its keyed hash, finds the session again). */
    samlLogin?: SamlLoginState;
    /** The organisation the citizen acts for (business account); checked against the membership on every request. */
    actingOrganisationId?: string;
    /** OpenID Connect logins started in this browser and not yet answered (a few, for several tabs). */
    oidcPending?: PendingOidcLogin[];
  }
}

/** Kept in the session of a SAML login for its single logout (no personal data in clear). */
interface SamlLoginState {
  subjectKey: string;
  nameIdEnc: string;
  nameIdFormat: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  sessionIndex?: string;
}

export interface IdentityDeps {
  config: Config;
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
}

const ACS_PATH = '/saml/acs';
const SLO_PATH = '/saml/slo';
const OIDC_CALLBACK_PATH = '/oidc/callback';
/** At most this many OpenID Connect logins wait in one session (the oldest is dropped). */
const MAX_PENDING_OIDC = 5;
const METADATA_TTL_MS = 60 * 60_000;

/** "Given Family", or whichever part is there. */
function displayName(cipher: FieldCipher, account: { given_name_enc: string | null; family_name_enc: string | null }): string {
  return [cipher.decryptOptional(account.given_name_enc), cipher.decryptOptional(account.family_name_enc)].filter(Boolean).join(' ');
}

/**
 * Identifies the logged-in citizen on every request. Call on the root instance (not inside a
 * plugin), so that the hook covers every module's routes. A staff viewer, if any, keeps the header.
 */
export function registerCitizenIdentity(app: FastifyInstance, { db, cipher }: { db: Db; cipher: FieldCipher }): void {
  app.decorateRequest('citizen', null);
  app.addHook('preHandler', async (req) => {
    const citizenId = req.session?.citizenId;
    const level = parseTrustLevel(req.session?.citizenLevel);
    if (!citizenId || !level) return;
    const account = await findCitizenAccount(db, citizenId);
    if (!account) return;
    const acting = req.session.actingOrganisationId ? await findMembership(db, req.session.actingOrganisationId, account.id) : undefined;
    req.citizen = {
      id: account.id, level, displayName: displayName(cipher, account), loginMethod: req.session.citizenLoginMethod ?? 'saml',
      organisationId: acting?.organisation_id ?? null, organisationName: acting ? cipher.decrypt(acting.name_enc) : null,
    };
    req.viewer ??= { kind: 'citizen', displayName: req.citizen.organisationName ? `${req.citizen.displayName} (${req.citizen.organisationName})` : req.citizen.displayName };
  });
}

/** Lets this page's form post to `action` (another origin: the identity provider). */
function allowFormTarget(reply: FastifyReply, action: string): void {
  const csp = reply.raw.getHeader('content-security-policy');
  if (typeof csp === 'string') reply.header('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${new URL(action).origin}`));
}

const FAILURE_STATUS: Record<RefusalCode, number> = { invalid: 400, expired: 400, level: 401, cancelled: 401, unavailable: 503 };

export async function identityRoutes(app: FastifyInstance, { config, db, cipher, mail }: IdentityDeps): Promise<void> {
  const bpk2Key = deriveBpk2Key(config.encryptionKey);
  const demoIdp = config.saml.demoIdp ? createDemoIdp(config.saml.keyDir) : null;

  let spKeys: Promise<KeyMaterial> | undefined;
  // Read (or, without configured files, generated) at first use; a failed read is tried again next time.
  const keys = () => (spKeys ??= (config.saml.spKeyFile && config.saml.spCertFile
    ? readKeyMaterial(config.saml.spKeyFile, config.saml.spCertFile)
    : loadOrCreateKeyMaterial(config.saml.keyDir, 'sp', 'Digitales Amt Service Provider (Demo)'))
    .catch((error: unknown) => { spKeys = undefined; throw error; }));

  // Configured metadata is loaded at first use and again after an hour; a failed load is retried next time.
  let metadata: { at: number; idp: Promise<IdentityProvider> } | undefined;
  const identityProvider = async (baseUrl: string): Promise<IdentityProvider | null> => {
    const source = config.saml.idpMetadata;
    if (!source) return demoIdp ? demoIdp.describe(baseUrl) : null;
    if (!metadata || Date.now() - metadata.at > METADATA_TTL_MS) metadata = { at: Date.now(), idp: loadIdpMetadata(source) };
    try {
      return await metadata.idp;
    } catch (error) {
      metadata = undefined;
      throw error;
    }
  };

  const sp = createServiceProvider({ db, entityId: config.saml.spEntityId, keys, identityProvider, subjectHashKey: deriveSamlSubjectKey(config.encryptionKey) });

  const offersOidc = config.oidc.enabled && config.citizenLoginMethods.includes('oidc');
  const offersSaml = config.citizenLoginMethods.includes('saml');
  const redirectUriOf = (baseUrl: string) => config.oidc.redirectUri ?? `${baseUrl}${OIDC_CALLBACK_PATH}`;
  const demoOidc = demoIdp && !config.oidc.issuer
    ? createDemoOidcProvider({
      keys: demoIdp.keys, secret: config.sessionSecret, clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret,
      acrValues: config.oidc.acrValues, redirectUri: redirectUriOf, trustProxy: config.trustProxy,
    })
    : null;
  const rp = createRelyingParty({
    config: config.oidc,
    defaultIssuer: (baseUrl) => demoOidc?.issuer(baseUrl) ?? null,
    allowHttp: config.env !== 'production',
  });

  /** The external base URL: PUBLIC_URL (always in production), else what this request was sent to. */
  const baseUrlOf = (req: FastifyRequest) => config.publicUrl ?? `${req.protocol}://${req.host}`;

  const failure = async (req: FastifyRequest, reply: FastifyReply, code: RefusalCode, reason: string, method: 'saml' | 'oidc' = 'saml'): Promise<FastifyReply> => {
    req.log.warn({ event: 'citizen_login_refused', method, code, reason, reqId: req.id }, 'citizen login refused');
    await recordAudit(db, { actorType: 'anonymous', action: 'citizen.login_failed', details: { method, code, reason }, requestId: req.id });
    return reply.page('modules/identity/views/failure.njk', {
      pageTitle: req.t('identity.failure.title'),
      message: req.t(`identity.failure.${code}` as MessageKey),
    }, FAILURE_STATUS[code]);
  };

  app.get('/anmelden', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const level = parseTrustLevel(query.niveau);
    return reply.page('modules/identity/views/login.njk', {
      pageTitle: req.t('identity.login.title'),
      requiredLevel: level ?? null,
      values: { niveau: level ?? 'niedrig', weiter: safeReturnPath(query.weiter) },
      offersSaml,
      offersOidc,
    });
  });

  /** The identity was confirmed: account created or updated, new session id, level and method recorded. */
  const completeLogin = async (req: FastifyRequest, reply: FastifyReply, identity: AssertedIdentity, level: TrustLevel, returnPath: string, method: 'saml' | 'oidc', saml?: { subject: SamlSubject; subjectKey: string }) => {
    const previous = req.session.citizenId;
    const { accountId: citizenId, organisationId } = await logInCitizen({ db, cipher, bpk2Key }, identity, level, req.id, method);
    // A new session id at the moment of login defeats session fixation.
    await req.session.regenerate();
    req.session.citizenId = citizenId;
    req.session.actingOrganisationId = organisationId ?? undefined;
    req.session.citizenLevel = level;
    req.session.citizenLoginMethod = method;
    if (saml) {
      const { nameId, ...rest } = saml.subject;
      req.session.samlLogin = { subjectKey: saml.subjectKey, nameIdEnc: cipher.encrypt(nameId), ...rest };
    }
    req.log.info({ event: 'citizen_login', method, level, reqId: req.id }, 'citizen logged in');
    // A step-up that logged in another person does not continue the first person's task.
    return reply.redirect(previous && previous !== citizenId ? '/konto' : safeReturnPath(returnPath), 303);
  };

  app.post('/anmelden/oidc', async (req, reply) => {
    const parsed = loginStartForm.safeParse(req.body ?? {});
    if (!parsed.success || !offersOidc) throw new DomainError('BAD_REQUEST');
    let started: Awaited<ReturnType<typeof rp.start>>;
    try {
      started = await rp.start({ baseUrl: baseUrlOf(req), level: parsed.data.niveau, returnPath: safeReturnPath(parsed.data.weiter) });
    } catch (error) {
      req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'OpenID Connect login could not be started');
      return failure(req, reply, 'unavailable', 'start_failed', 'oidc');
    }
    if (!started) return failure(req, reply, 'unavailable', 'not_configured', 'oidc');
    const pending = (req.session.oidcPending ?? []).filter((p) => p.expiresAt > Date.now());
    req.session.oidcPending = [...pending, started.pending].slice(-MAX_PENDING_OIDC);
    return reply.redirect(started.url, 303);
  });

  // A top-level GET from the provider: the Lax session cookie comes along, and with it the pending login.
  app.get(OIDC_CALLBACK_PATH, async (req, reply) => {
    const state = (req.query as Record<string, unknown>).state;
    const all = req.session.oidcPending ?? [];
    const pending = typeof state === 'string' ? all.find((p) => p.state === state) : undefined;
    if (!pending) return failure(req, reply, 'invalid', 'state', 'oidc');
    // Used once, whatever the outcome.
    req.session.oidcPending = all.filter((p) => p !== pending);
    const baseUrl = baseUrlOf(req);
    const result = await rp.finish({ baseUrl, callbackUrl: new URL(req.url, baseUrl), pending });
    if (!result.ok) return failure(req, reply, result.code, result.reason, 'oidc');
    const { identity, level, returnPath } = result.value;
    return completeLogin(req, reply, identity, level, returnPath, 'oidc');
  });

  app.post('/anmelden/bundid', async (req, reply) => {
    const parsed = loginStartForm.safeParse(req.body ?? {});
    if (!parsed.success) throw new DomainError('BAD_REQUEST');
    const input = parsed.data;
    const baseUrl = baseUrlOf(req);
    let form: Awaited<ReturnType<typeof sp.startLogin>>;
    try {
      form = await sp.startLogin({ baseUrl, acsUrl: `${baseUrl}${ACS_PATH}`, level: input.niveau, returnPath: safeReturnPath(input.weiter) });
    } catch (error) {
      req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'SAML login could not be started');
      return failure(req, reply, 'unavailable', 'start_failed');
    }
    if (!form) return failure(req, reply, 'unavailable', 'not_configured');
    allowFormTarget(reply, form.action);
    return reply.page('modules/identity/views/post-to-idp.njk', { pageTitle: req.t('identity.redirect.title'), form });
  });

  // Cross-site POST from the identity provider: no CSRF token (exempted in platform/http/web.ts)
  // and, with SameSite=Lax, no session cookie. The signed assertion, bound to a request id we
  // stored and accepted once, is what protects it.
  app.post(ACS_PATH, async (req, reply) => {
    const parsed = acsForm.safeParse(req.body ?? {});
    if (!parsed.success) return failure(req, reply, 'invalid', 'malformed');
    let result: Awaited<ReturnType<typeof sp.consumeResponse>>;
    try {
      result = await sp.consumeResponse({ baseUrl: baseUrlOf(req), samlResponse: parsed.data.SAMLResponse });
    } catch (error) {
      req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'SAML response could not be checked');
      return failure(req, reply, 'unavailable', 'check_failed');
    }
    if (!result.ok) return failure(req, reply, result.code, result.reason);
    const { identity, level, returnPath, subject, subjectKey } = result.value;
    return completeLogin(req, reply, identity, level, returnPath, 'saml', { subject, subjectKey });
  });

  /** Sends a logout message to the identity provider through the browser (a self-posting form, or a redirect). */
  const sendToIdp = (req: FastifyRequest, reply: FastifyReply, message: OutgoingSamlMessage) => {
    if (message.binding === 'redirect') return reply.redirect(message.url, 303);
    allowFormTarget(reply, message.action);
    return reply.page('modules/identity/views/post-to-idp.njk', {
      pageTitle: req.t('identity.logoutRedirect.title'), text: req.t('identity.logoutRedirect.text'), form: message,
    });
  };

  app.post('/abmelden', async (req, reply) => {
    const citizenId = req.session.citizenId;
    if (citizenId) await recordAudit(db, { actorType: 'citizen', actorId: citizenId, action: 'citizen.logout', requestId: req.id });
    const method = req.session.citizenLoginMethod;
    const samlLogin = req.session.samlLogin;
    // The local session ends first, whatever the login service answers.
    await req.session.destroy();
    req.citizen = null;
    req.viewer = null;
    if (citizenId && method === 'saml' && samlLogin) {
      // SAML single logout: a signed LogoutRequest to the identity provider, answered at /saml/slo.
      const baseUrl = baseUrlOf(req);
      const { nameIdEnc, subjectKey: _key, ...rest } = samlLogin;
      let message: OutgoingSamlMessage | null = null;
      try {
        message = await sp.startLogout({ baseUrl, sloUrl: `${baseUrl}${SLO_PATH}`, subject: { nameId: cipher.decrypt(nameIdEnc), ...rest } });
      } catch (error) {
        req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'SAML single logout could not be started');
      }
      // Without single logout at the identity provider the page says that its session may remain.
      return message ? sendToIdp(req, reply, message) : reply.redirect('/abgemeldet', 303);
    }
    // OpenID Connect: the provider's session is ended too when it offers RP-initiated logout.
    const endSession = citizenId && method === 'oidc' ? await rp.endSessionUrl(baseUrlOf(req)) : null;
    return reply.redirect(endSession ?? '/abgemeldet', 303);
  });

  const logoutFailure = async (req: FastifyRequest, reply: FastifyReply, code: 'refused' | 'invalid' | 'expired', reason: string, initiator: 'sp' | 'idp') => {
    req.log.warn({ event: 'citizen_logout_refused', method: 'saml', initiator, code, reason, reqId: req.id }, 'SAML logout message refused');
    await recordAudit(db, { actorType: 'anonymous', action: 'citizen.logout_failed', details: { method: 'saml', initiator, code, reason }, requestId: req.id });
    return reply.page('modules/identity/views/logout-failure.njk', {
      pageTitle: req.t(initiator === 'idp' ? 'identity.logoutFailure.requestTitle' : 'identity.logoutFailure.title'),
      message: req.t(initiator === 'idp' ? 'identity.logoutFailure.request' : `identity.logoutFailure.${code}`),
      // True in our own logout (the session ended at /abmelden); not said to someone still logged in.
      localEnded: initiator === 'sp' && !req.citizen,
    }, 400);
  };

  /** The logout message of this request: a posted form or the query of a redirect; null when malformed. */
  const sloMessageOf = (req: FastifyRequest): IncomingSamlMessage | null => {
    const parsed = sloMessage.safeParse((req.method === 'POST' ? req.body : req.query) ?? {});
    if (!parsed.success) return null;
    const m = parsed.data;
    if (req.method === 'POST') {
      return { binding: 'post', ...(m.SAMLRequest ? { SAMLRequest: m.SAMLRequest } : {}), ...(m.SAMLResponse ? { SAMLResponse: m.SAMLResponse } : {}), ...(m.RelayState ? { RelayState: m.RelayState } : {}) };
    }
    const query = Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return { binding: 'redirect', query, rawQuery: req.url.slice(req.url.indexOf('?') + 1) };
  };

  // The identity provider's single logout messages, by HTTP-POST (cross-site, no CSRF token:
  // exempted in platform/http/web.ts like the ACS; the signature protects it) or HTTP-Redirect.
  const singleLogout = async (req: FastifyRequest, reply: FastifyReply) => {
    const message = sloMessageOf(req);
    if (!message) return logoutFailure(req, reply, 'invalid', 'malformed', req.method === 'POST' && (req.body as Record<string, unknown> | undefined)?.SAMLRequest ? 'idp' : 'sp');
    const baseUrl = baseUrlOf(req);
    const sloUrl = `${baseUrl}${SLO_PATH}`;
    const isRequest = message.binding === 'post' ? message.SAMLRequest !== undefined : message.query.SAMLRequest !== undefined;

    if (!isRequest) {
      // The answer to our LogoutRequest; the local session already ended at /abmelden.
      let result: Awaited<ReturnType<typeof sp.consumeLogoutResponse>>;
      try {
        result = await sp.consumeLogoutResponse({ baseUrl, sloUrl, message });
      } catch (error) {
        req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'SAML LogoutResponse could not be checked');
        result = { ok: false, code: 'invalid', reason: 'check_failed' };
      }
      if (!result.ok) return logoutFailure(req, reply, result.code, result.reason, 'sp');
      req.log.info({ event: 'citizen_single_logout', initiator: 'sp', reqId: req.id }, 'citizen logged out at the identity provider too');
      return reply.redirect('/abgemeldet/bundid', 303);
    }

    // Logout started at the identity provider: every session of the person ends here.
    let result: Awaited<ReturnType<typeof sp.consumeLogoutRequest>>;
    try {
      result = await sp.consumeLogoutRequest({ baseUrl, sloUrl, message });
    } catch (error) {
      req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'SAML LogoutRequest could not be checked');
      result = { ok: false, reason: 'check_failed' };
    }
    if (!result.ok) return logoutFailure(req, reply, 'invalid', result.reason, 'idp');
    const accounts = await findAccountsOfSamlSubject(db, result.subjectKey, result.sessionIndexes);
    const ended = await deleteSessionsOfAccounts(db, accounts);
    for (const accountId of accounts) {
      await recordAudit(db, { actorType: 'system', action: 'citizen.logout', subjectType: 'citizen_account', subjectId: accountId, details: { method: 'saml', initiator: 'idp' }, requestId: req.id });
    }
    req.log.info({ event: 'citizen_single_logout', initiator: 'idp', accounts: accounts.length, sessions: ended, reqId: req.id }, 'citizen sessions ended by the identity provider');
    // This browser's session, if it came along (HTTP-Redirect), is one of them: not saved again.
    if (req.session?.citizenId && accounts.includes(req.session.citizenId)) await req.session.destroy();
    req.citizen = null;
    req.viewer = null;
    const answer = await result.answer(true);
    return answer ? sendToIdp(req, reply, answer) : reply.redirect('/abgemeldet/bundid', 303);
  };
  app.post(SLO_PATH, singleLogout);
  app.get(SLO_PATH, singleLogout);

  const loggedOut = (provider: 'saml' | 'oidc' | null) => async (req: FastifyRequest, reply: FastifyReply) =>
    reply.page('modules/identity/views/logged-out.njk', { pageTitle: req.t('identity.loggedOut.title'), provider });
  app.get('/abgemeldet', loggedOut(null));
  // Where the OpenID provider sends the browser back after ending its session.
  app.get('/abgemeldet/anmeldedienst', loggedOut('oidc'));
  // Where a confirmed SAML single logout ends.
  app.get('/abgemeldet/bundid', loggedOut('saml'));

  app.get('/saml/metadata', async (req, reply) =>
    reply.type('application/samlmetadata+xml; charset=utf-8').send(await sp.metadata(`${baseUrlOf(req)}${ACS_PATH}`, `${baseUrlOf(req)}${SLO_PATH}`)));

  registerIdentityPersonalData();
  const sms = config.demo ? createCapturingTextMessageSender(cipher) : null;
  await app.register(accountRoutes, { config, db, cipher, mail, sms, baseUrlOf });
  await app.register(staffOidcRoutes, { config, db, cipher, baseUrlOf });
  await app.register(staffOidcSettingsRoutes, { config, db, cipher });
  registerOrganisationPersonalData();
  await app.register(organisationRoutes, { db, cipher, mail, baseUrlOf });
  await app.register(apiTokenRoutes, { db });

  if (demoIdp) {
    await app.register(demoIdpRoutes, {
      idp: demoIdp, oidc: demoOidc, acrValues: config.oidc.acrValues, baseUrlOf, secureCookies: config.secureCookies,
      serviceProvider: { entityId: config.saml.spEntityId, certificate: async () => (await keys()).certificatePem },
    });
  }
}
