/**
 * The demo identity provider's pages (registered only in demo mode; refused in production by the
 * configuration): metadata, the single sign-on endpoint (HTTP-POST and HTTP-Redirect binding), the
 * choice of a BundID test person and level, and the signed answer posted back to the portal.
 * It only answers this portal's own assertion consumer URL, so it cannot be used to post elsewhere.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../../platform/http/errors.ts';
import { validateForm } from '../../../platform/http/forms.ts';
import { demoIdpAnswerForm, demoOidcAnswerForm } from '../identity.schemas.ts';
import { TRUST_LEVELS, type TrustLevel } from '../saml-profile.ts';
import { buildSignedResponse } from './build-response.ts';
import { DEMO_IDP_ENTITY_ID, DEMO_IDP_SSO_PATH, parseAuthnRequest, type DemoIdp } from './demo-idp.ts';
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
}

const ssoQuery = z.object({ SAMLRequest: z.string().min(1).max(100_000), RelayState: z.string().max(80).optional() });

export async function demoIdpRoutes(app: FastifyInstance, { idp, oidc, acrValues, baseUrlOf }: DemoIdpRouteOptions): Promise<void> {
  /** Only the portal's own assertion consumer is answered. */
  const acsAllowed = (req: FastifyRequest, acsUrl: string) => acsUrl === `${baseUrlOf(req)}/saml/acs`;

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
    const xml = buildSignedResponse({
      idpEntityId: DEMO_IDP_ENTITY_ID, audience: input.audience, acsUrl: input.acsUrl, inResponseTo: input.requestId, person, level: input.level,
      organisation: input.organisation ? findTestOrganisation(input.organisation) ?? null : null,
    }, await idp.keys());
    return reply.page('modules/identity/demo-idp/views/post-response.njk', {
      pageTitle: req.t('identity.demoIdp.post.title'),
      acsUrl: input.acsUrl,
      samlResponse: Buffer.from(xml, 'utf8').toString('base64'),
      relayState: input.relayState,
    });
  });

  if (oidc) await oidcRoutes(app, oidc, acrValues, baseUrlOf, choosePage);
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
