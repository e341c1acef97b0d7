/**
 * The demo identity provider's pages (registered only in demo mode; refused in production by the
 * configuration): metadata, the single sign-on endpoint (HTTP-POST and HTTP-Redirect binding), the
 * choice of a BundID test person and level, and the signed answer posted back to the portal.
 * It only answers this portal's own assertion consumer URL, so it cannot be used to post elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../../platform/http/errors.ts';
import { validateForm } from '../../../platform/http/forms.ts';
import { demoIdpAnswerForm, demoOidcAnswerForm, sloMessage } from '../identity.schemas.ts';
import { signSamlMessage } from '../saml-signing.ts';
import { TRUST_LEVELS, type TrustLevel } from '../saml-profile.ts';
import { buildSignedResponse, newSamlId } from './build-response.ts';
import { DEMO_IDP_ENTITY_ID, DEMO_IDP_SLO_PATH, DEMO_IDP_SSO_PATH, parseAuthnRequest, type DemoIdp } from './demo-idp.ts';
import { findTestOrganisation, findTestPerson, listTestOrganisations, listTestPersons } from './test-persons.ts';
import { accountIdOf, DEMO_OIDC_LOGIN_PATH, DEMO_OIDC_PREFIX, type DemoOidcProvider } from './demo-oidc-provider.ts';

const CHOOSE = 'modules/identity/demo-idp/views/choose.njk';
const SAML_FORM = { formAction: '/demo-idp/antwort', hiddenFields: ['requestId', 'acsUrl', 'audience', 'requestedLevel', 'relayState'] };

export interface DemoIdpRouteOptions {
  idp: DemoIdp;
  /** The OpenID Connect side; null when it is not served. */
  oidc: DemoOidcProvider | null;
  acrValues: Record<TrustLevel, string>;
  baseUrlOf(req: FastifyRequest): string;
  /** The portal as service provider: the only one the demo identity provider answers (its certificate checks its logout messages). */
  serviceProvider: { entityId: string; certificate(): Promise<string> };
  secureCookies: boolean;
}

const POST_RESPONSE = 'modules/identity/demo-idp/views/post-response.njk';
const SESSIONS = 'modules/identity/demo-idp/views/sessions.njk';
/** The demo identity provider's own cookie: which browser its sessions were made in. */
const BROWSER_COOKIE = 'demo_idp_browser';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
/** How long the demo identity provider waits for the portal's answer to its LogoutRequest. */
const LOGOUT_LIFETIME_MS = 10 * 60_000;

/** The root element of a protocol message, if it is `localName`. */
function rootOf(xml: string, localName: string): Element | null {
  const doc = new DOMParser({ errorHandler: { error: () => undefined, fatalError: () => undefined } }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  return root && root.localName === localName && root.namespaceURI === SAMLP ? root : null;
}

const ssoQuery = z.object({ SAMLRequest: z.string().min(1).max(100_000), RelayState: z.string().max(80).optional() });

export async function demoIdpRoutes(app: FastifyInstance, { idp, oidc, acrValues, baseUrlOf, serviceProvider, secureCookies }: DemoIdpRouteOptions): Promise<void> {
  /** Only the portal's own assertion consumer is answered. */
  const acsAllowed = (req: FastifyRequest, acsUrl: string) => acsUrl === `${baseUrlOf(req)}/saml/acs`;

  const browserIdOf = (req: FastifyRequest, reply: FastifyReply | null): string | null => {
    const existing = req.cookies[BROWSER_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
    if (!reply) return null;
    const id = randomBytes(16).toString('base64url');
    reply.setCookie(BROWSER_COOKIE, id, { path: '/demo-idp', sameSite: 'lax', httpOnly: true, secure: secureCookies });
    return id;
  };

  const choosePage = (req: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: { errors: { field: string; message: string }[]; fieldErrors: Record<string, string> } = { errors: [], fieldErrors: {} }, form = SAML_FORM) =>
    reply.page(CHOOSE, {
      pageTitle: req.t('identity.demoIdp.title'),
      persons: listTestPersons().map((p) => ({ value: p.id, label: `${p.givenname} ${p.surname} (${p.id}, ${p.birthdate})` })),
      levels: TRUST_LEVELS.map((l) => ({ value: l, label: req.t(`identity.level.${l}`) })),
      organisations: [{ value: '', label: req.t('identity.demoIdp.noOrganisation') }, ...listTestOrganisations().map((o) => ({ value: o.id, label: `${o.name} (${o.id})` }))],
      requestedLevelLabel: req.t(`identity.level.${values.requestedLevel as TrustLevel}`),
      values,
      ...form,
      errorCount: errors.errors.length,
      ...errors,
    }, errors.errors.length ? 400 : 200);

  const receive = (req: FastifyRequest, reply: FastifyReply, input: unknown, binding: 'post' | 'redirect') => {
    const parsed = ssoQuery.safeParse(input);
    const request = parsed.success ? parseAuthnRequest(parsed.data.SAMLRequest, binding) : null;
    if (!parsed.success || !request || !acsAllowed(req, request.acsUrl)) throw new DomainError('BAD_REQUEST');
    return choosePage(req, reply, {
      requestId: request.id, acsUrl: request.acsUrl, audience: request.issuer, requestedLevel: request.requestedLevel,
      level: request.requestedLevel, relayState: parsed.data.RelayState ?? '', person: '', organisation: '',
    });
  };

  app.get('/demo-idp/metadata', async (req, reply) =>
    reply.type('application/samlmetadata+xml; charset=utf-8').send(await idp.metadata(baseUrlOf(req))));

  app.get(DEMO_IDP_SSO_PATH, async (req, reply) => receive(req, reply, req.query, 'redirect'));
  // Cross-site POST from a service provider: exempt from the portal's CSRF check (platform/http/web.ts).
  app.post(DEMO_IDP_SSO_PATH, async (req, reply) => receive(req, reply, req.body, 'post'));

  app.post('/demo-idp/antwort', async (req, reply) => {
    const result = validateForm(demoIdpAnswerForm, req.body, req.t);
    if (!result.ok) {
      const v = result.values;
      if (!v.requestId || !v.acsUrl || !acsAllowed(req, v.acsUrl) || !TRUST_LEVELS.includes(v.requestedLevel as TrustLevel)) throw new DomainError('BAD_REQUEST');
      return choosePage(req, reply, v, result);
    }
    const input = result.value;
    const person = findTestPerson(input.person);
    if (!acsAllowed(req, input.acsUrl) || !person) throw new DomainError('BAD_REQUEST');
    // The login is a session here too, ended by single logout.
    const nameId = newSamlId();
    const sessionIndex = newSamlId();
    const xml = buildSignedResponse({
      idpEntityId: DEMO_IDP_ENTITY_ID, audience: input.audience, acsUrl: input.acsUrl, inResponseTo: input.requestId, person, level: input.level,
      organisation: input.organisation ? findTestOrganisation(input.organisation) ?? null : null, nameId, sessionIndex,
    }, await idp.keys());
    idp.sessions.add({ browserId: browserIdOf(req, reply)!, personId: person.id, nameId, sessionIndex, spEntityId: input.audience });
    return reply.page(POST_RESPONSE, {
      pageTitle: req.t('identity.demoIdp.post.title'),
      text: req.t('identity.demoIdp.post.text'),
      action: input.acsUrl,
      field: 'SAMLResponse',
      samlMessage: Buffer.from(xml, 'utf8').toString('base64'),
      relayState: input.relayState,
    });
  });

  await singleLogoutRoutes(app, { idp, baseUrlOf, serviceProvider, browserIdOf });

  if (oidc) await oidcRoutes(app, oidc, acrValues, baseUrlOf, choosePage);
}

/**
 * Single logout at the demo identity provider (HTTP-POST binding, as BundID): the portal's signed
 * LogoutRequest ends the person's session here and is answered with a signed LogoutResponse; and
 * a logout started here (the sessions page) sends a signed LogoutRequest to the portal. The
 * portal's messages are checked with node-saml against its certificate (in node-saml's terms the
 * peer is the "idp"; logout messages are symmetric).
 */
async function singleLogoutRoutes(app: FastifyInstance, { idp, baseUrlOf, serviceProvider, browserIdOf }: {
  idp: DemoIdp; baseUrlOf(req: FastifyRequest): string; serviceProvider: DemoIdpRouteOptions['serviceProvider'];
  browserIdOf(req: FastifyRequest, reply: FastifyReply | null): string | null;
}): Promise<void> {
  /** LogoutRequests sent to the portal and not yet answered: id -> expiry. */
  const outstanding = new Map<string, number>();
  const spSloUrl = (req: FastifyRequest) => `${baseUrlOf(req)}/saml/slo`;
  const samlFor = async (req: FastifyRequest, cache: CacheProvider) => {
    const keys = await idp.keys();
    return new SAML({
      issuer: DEMO_IDP_ENTITY_ID,
      callbackUrl: `${baseUrlOf(req)}${DEMO_IDP_SLO_PATH}`,
      entryPoint: spSloUrl(req),
      logoutUrl: spSloUrl(req),
      idpCert: await serviceProvider.certificate(),
      idpIssuer: serviceProvider.entityId,
      privateKey: keys.privateKeyPem,
      publicCert: keys.certificatePem,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      // InResponseTo of a LogoutResponse is checked below (node-saml reads it only from a login Response).
      validateInResponseTo: ValidateInResponseTo.never,
      cacheProvider: cache,
      skipRequestCompression: true,
    });
  };
  const sessionsPage = (req: FastifyRequest, reply: FastifyReply, outcome: string | null, status = 200) => {
    const browserId = browserIdOf(req, null);
    return reply.page(SESSIONS, {
      pageTitle: req.t('identity.demoIdp.sessions.title'),
      outcome,
      sessions: (browserId ? idp.sessions.ofBrowser(browserId) : []).map((s) => {
        const p = findTestPerson(s.personId);
        return { sessionIndex: s.sessionIndex, label: p ? `${p.givenname} ${p.surname} (${p.id})` : s.personId };
      }),
    }, status);
  };
  const postToPortal = (req: FastifyRequest, reply: FastifyReply, field: 'SAMLRequest' | 'SAMLResponse', xml: string) =>
    reply.page(POST_RESPONSE, {
      pageTitle: req.t('identity.demoIdp.logout.title'),
      text: req.t('identity.demoIdp.logout.text'),
      action: spSloUrl(req),
      field,
      samlMessage: Buffer.from(xml, 'utf8').toString('base64'),
    });

  app.get('/demo-idp/sitzungen', async (req, reply) => sessionsPage(req, reply, null));

  // Logout started here: the session ends, and the portal is asked to end the person's sessions.
  app.post('/demo-idp/abmelden', async (req, reply) => {
    const parsed = z.object({ sessionIndex: z.string().min(1).max(100) }).safeParse(req.body ?? {});
    const browserId = browserIdOf(req, null);
    const session = parsed.success && browserId ? idp.sessions.take(browserId, parsed.data.sessionIndex) : undefined;
    if (!session) throw new DomainError('BAD_REQUEST');
    const now = Date.now();
    for (const [id, expires] of outstanding) if (expires < now) outstanding.delete(id);
    const saml = await samlFor(req, {
      async saveAsync(key) { outstanding.set(key, now + LOGOUT_LIFETIME_MS); return { value: key, createdAt: now }; },
      getAsync: async () => null,
      removeAsync: async () => null,
    });
    const request = await saml._generateLogoutRequest({ issuer: DEMO_IDP_ENTITY_ID, nameID: session.nameId, nameIDFormat: TRANSIENT, sessionIndex: session.sessionIndex });
    return postToPortal(req, reply, 'SAMLRequest', signSamlMessage(request, await idp.keys()));
  });

  // Cross-site POST from the portal: exempt from the portal's CSRF check (platform/http/web.ts);
  // only messages signed with the portal's key are taken.
  app.post(DEMO_IDP_SLO_PATH, async (req, reply) => {
    const parsed = sloMessage.safeParse(req.body ?? {});
    if (!parsed.success) throw new DomainError('BAD_REQUEST');
    const sloUrl = `${baseUrlOf(req)}${DEMO_IDP_SLO_PATH}`;
    if (parsed.data.SAMLRequest) {
      // The portal's LogoutRequest: end the session(s) of this NameID here and confirm.
      const saml = await samlFor(req, { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null });
      let profile;
      try {
        ({ profile } = await saml.validatePostRequestAsync({ SAMLRequest: parsed.data.SAMLRequest }));
      } catch {
        throw new DomainError('BAD_REQUEST');
      }
      const root = rootOf(Buffer.from(parsed.data.SAMLRequest, 'base64').toString('utf8'), 'LogoutRequest');
      if (!profile?.ID || !root || root.getAttribute('Destination') !== sloUrl) throw new DomainError('BAD_REQUEST');
      const indexes = Array.from(root.getElementsByTagNameNS(SAMLP, 'SessionIndex')).map((e) => (e as Element).textContent?.trim() ?? '').filter(Boolean);
      idp.sessions.end(profile.nameID, indexes);
      const response = saml._generateLogoutResponse({ issuer: serviceProvider.entityId, nameID: profile.nameID, nameIDFormat: profile.nameIDFormat, ID: profile.ID }, true);
      return postToPortal(req, reply, 'SAMLResponse', signSamlMessage(response, await idp.keys()));
    }
    // The portal's answer to a logout started here.
    const saml = await samlFor(req, {
      saveAsync: async () => null,
      getAsync: async (key) => ((outstanding.get(key) ?? 0) > Date.now() ? 'outstanding' : null),
      removeAsync: async () => null,
    });
    const xml = Buffer.from(parsed.data.SAMLResponse!, 'base64').toString('utf8');
    const root = rootOf(xml, 'LogoutResponse');
    try {
      const { loggedOut } = await saml.validatePostResponseAsync({ SAMLResponse: parsed.data.SAMLResponse! });
      if (!loggedOut || !root) throw new Error('not a LogoutResponse');
    } catch {
      return sessionsPage(req, reply, req.t('identity.demoIdp.sessions.failed'), 400);
    }
    const inResponseTo = root.getAttribute('InResponseTo') ?? '';
    const answered = outstanding.delete(inResponseTo);
    const status = root.getElementsByTagNameNS(SAMLP, 'StatusCode')[0]?.getAttribute('Value');
    const ok = answered && root.getAttribute('Destination') === sloUrl && status === SUCCESS;
    return sessionsPage(req, reply, req.t(ok ? 'identity.demoIdp.sessions.done' : 'identity.demoIdp.sessions.failed'), ok ? 200 : 400);
  });
}

type ChoosePage = (req: FastifyRequest, reply: FastifyReply, values: Record<string, string>,
  errors?: { errors: { field: string; message: string }[]; fieldErrors: Record<string, string> }, form?: typeof SAML_FORM) => FastifyReply;

/** The OpenID Connect side: the provider under its prefix, and its login page (the same picker). */
async function oidcRoutes(app: FastifyInstance, oidc: DemoOidcProvider, acrValues: Record<TrustLevel, string>, baseUrlOf: (req: FastifyRequest) => string, choosePage: ChoosePage): Promise<void> {
  // Everything under the prefix is oidc-provider's (discovery, jwks, auth, token, userinfo, end-session).
  // The token endpoint is called server to server, without our session: exempt from the CSRF check (platform/http/web.ts).
  const mount = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    (req.raw as typeof req.raw & { body?: unknown }).body = req.body;
    try {
      await oidc.handle(baseUrlOf(req), req.raw, reply.raw);
    } catch (error) {
      req.log.error({ err: { message: (error as Error).message }, reqId: req.id }, 'demo OpenID provider failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      reply.raw.end('demo OpenID provider failed');
    }
  };
  app.all(`${DEMO_OIDC_PREFIX}/*`, mount);

  const levelOfAcrValues = (acr: unknown): TrustLevel => {
    const first = typeof acr === 'string' ? acr.split(' ')[0] : undefined;
    return TRUST_LEVELS.find((l) => acrValues[l] === first) ?? 'niedrig';
  };
  const form = (uid: string) => ({ formAction: `${DEMO_OIDC_LOGIN_PATH}/${uid}`, hiddenFields: ['requestedLevel'] });
  const details = async (req: FastifyRequest, reply: FastifyReply) => {
    const provider = await oidc.provider(baseUrlOf(req));
    const uid = (req.params as { uid: string }).uid;
    try {
      const found = await provider.interactionDetails(req.raw, reply.raw);
      if (found.uid !== uid || found.prompt.name !== 'login' && found.prompt.name !== 'consent') throw new Error('other interaction');
      return { provider, details: found, uid };
    } catch {
      // No (or another) login in progress in this browser, or it expired.
      throw new DomainError('BAD_REQUEST');
    }
  };

  app.get(`${DEMO_OIDC_LOGIN_PATH}/:uid`, async (req, reply) => {
    const { details: d, uid } = await details(req, reply);
    const requestedLevel = levelOfAcrValues(d.params.acr_values);
    return choosePage(req, reply, { requestedLevel, level: requestedLevel, person: '' }, undefined, form(uid));
  });

  app.post(`${DEMO_OIDC_LOGIN_PATH}/:uid`, async (req, reply) => {
    const { provider, details: d, uid } = await details(req, reply);
    const result = validateForm(demoOidcAnswerForm, req.body, req.t);
    if (!result.ok) return choosePage(req, reply, { ...result.values, requestedLevel: levelOfAcrValues(d.params.acr_values) }, result, form(uid));
    const person = findTestPerson(result.value.person);
    if (!person) throw new DomainError('BAD_REQUEST');
    const organisation = result.value.organisation ? findTestOrganisation(result.value.organisation) : undefined;
    if (result.value.organisation && !organisation) throw new DomainError('BAD_REQUEST');
    const accountId = accountIdOf(person, organisation);
    const grant = new provider.Grant({ accountId, clientId: String(d.params.client_id) });
    grant.addOIDCScope(String(d.params.scope ?? 'openid'));
    const grantId = await grant.save();
    const to = await provider.interactionResult(req.raw, reply.raw, {
      login: { accountId, acr: acrValues[result.value.level], amr: result.value.level === 'niedrig' ? ['pwd'] : ['hwk'], remember: false },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
    return reply.redirect(to, 303);
  });
}
