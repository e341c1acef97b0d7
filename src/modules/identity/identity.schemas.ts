import { z } from 'zod';

/** Where to go after login or a redirect to the login: a path on this site only (never `//host`). */
export function safeReturnPath(value: unknown, fallback = '/konto'): string {
  return typeof value === 'string' && value.length <= 500 && /^\/(?![/\\])[\w\-./~%]*(\?[\w\-.=&%]*)?$/.test(value) ? value : fallback;
}

/** The login choice posted from /anmelden. */
export const loginStartForm = z.object({
  niveau: z.enum(['niedrig', 'substantiell', 'hoch']).catch('niedrig'),
  weiter: z.string().max(500).optional(),
});

/** The assertion consumer's body (HTTP-POST binding). */
export const acsForm = z.object({
  SAMLResponse: z.string().min(1).max(200_000).regex(/^[A-Za-z0-9+/=\s]+$/),
  RelayState: z.string().max(80).optional(),
});

const samlMessage = z.string().min(1).max(200_000).regex(/^[A-Za-z0-9+/=\s]+$/);

/** A logout message at a single logout endpoint (HTTP-POST form, or the query of HTTP-Redirect): a request or a response. */
export const sloMessage = z.object({
  SAMLRequest: samlMessage.optional(),
  SAMLResponse: samlMessage.optional(),
  RelayState: z.string().max(80).optional(),
  SigAlg: z.string().max(200).optional(),
  Signature: z.string().max(2_000).optional(),
}).refine((m) => (m.SAMLRequest === undefined) !== (m.SAMLResponse === undefined), { message: 'exactly one of SAMLRequest and SAMLResponse' });

/** The demo identity provider's choice of person and level. */
export const demoIdpAnswerForm = z.object({
  person: z.string({ error: 'identity.demoIdp.person.required' }).regex(/^U\d{2}$/, 'identity.demoIdp.person.required'),
  level: z.enum(['niedrig', 'substantiell', 'hoch'], { error: 'identity.demoIdp.level.required' }),
  organisation: z.string().regex(/^(ORG-DEMO-\d{4})?$/).optional().default(''),
  requestId: z.string().min(1).max(200),
  acsUrl: z.string().min(1).max(500),
  audience: z.string().min(1).max(500),
  requestedLevel: z.enum(['niedrig', 'substantiell', 'hoch']),
  relayState: z.string().max(80).optional().default(''),
});

/** The demo identity provider's choice on its OpenID Connect login page. */
export const demoOidcAnswerForm = z.object({
  person: z.string({ error: 'identity.demoIdp.person.required' }).regex(/^U\d{2}$/, 'identity.demoIdp.person.required'),
  level: z.enum(['niedrig', 'substantiell', 'hoch'], { error: 'identity.demoIdp.level.required' }),
  requestedLevel: z.enum(['niedrig', 'substantiell', 'hoch']).catch('niedrig'),
  organisation: z.string().regex(/^(ORG-DEMO-\d{4})?$/).optional().default(''),
});
