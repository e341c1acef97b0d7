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
import { demoIdpAnswerForm } from '../identity.schemas.ts';
import { TRUST_LEVELS, type TrustLevel } from '../saml-profile.ts';
import { buildSignedResponse } from './build-response.ts';
import { DEMO_IDP_ENTITY_ID, DEMO_IDP_SSO_PATH, parseAuthnRequest, type DemoIdp } from './demo-idp.ts';
import { findTestPerson, listTestPersons } from './test-persons.ts';

const CHOOSE = 'modules/identity/demo-idp/views/choose.njk';

export interface DemoIdpRouteOptions {
  idp: DemoIdp;
  baseUrlOf(req: FastifyRequest): string;
}

const ssoQuery = z.object({ SAMLRequest: z.string().min(1).max(100_000), RelayState: z.string().max(80).optional() });

export async function demoIdpRoutes(app: FastifyInstance, { idp, baseUrlOf }: DemoIdpRouteOptions): Promise<void> {
  /** Only the portal's own assertion consumer is answered. */
  const acsAllowed = (req: FastifyRequest, acsUrl: string) => acsUrl === `${baseUrlOf(req)}/saml/acs`;

  const choosePage = (req: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: { errors: { field: string; message: string }[]; fieldErrors: Record<string, string> } = { errors: [], fieldErrors: {} }) =>
    reply.page(CHOOSE, {
      pageTitle: req.t('identity.demoIdp.title'),
      persons: listTestPersons().map((p) => ({ value: p.id, label: `${p.givenname} ${p.surname} (${p.id}, ${p.birthdate})` })),
      levels: TRUST_LEVELS.map((l) => ({ value: l, label: req.t(`identity.level.${l}`) })),
      requestedLevelLabel: req.t(`identity.level.${values.requestedLevel as TrustLevel}`),
      values,
      errorCount: errors.errors.length,
      ...errors,
    }, errors.errors.length ? 400 : 200);

  const receive = (req: FastifyRequest, reply: FastifyReply, input: unknown, binding: 'post' | 'redirect') => {
    const parsed = ssoQuery.safeParse(input);
    const request = parsed.success ? parseAuthnRequest(parsed.data.SAMLRequest, binding) : null;
    if (!parsed.success || !request || !acsAllowed(req, request.acsUrl)) throw new DomainError('BAD_REQUEST');
    return choosePage(req, reply, {
      requestId: request.id, acsUrl: request.acsUrl, audience: request.issuer, requestedLevel: request.requestedLevel,
      level: request.requestedLevel, relayState: parsed.data.RelayState ?? '', person: '',
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
    }, await idp.keys());
    return reply.page('modules/identity/demo-idp/views/post-response.njk', {
      pageTitle: req.t('identity.demoIdp.post.title'),
      acsUrl: input.acsUrl,
      samlResponse: Buffer.from(xml, 'utf8').toString('base64'),
      relayState: input.relayState,
    });
  });
}
