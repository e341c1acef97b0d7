/**
 * Input schemas of the case-delivery module: the admin page's forms (a delivery target, an
 * integration client) and the specialist procedures' API bodies. Messages are catalog keys.
 */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

/** RSA keys for FIT-Connect encryption have at least this many bits (standards.md: 4096). */
export const MIN_RSA_BITS = 4096;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * True for an address a delivery may go to: https with a host name and no credentials; outside
 * production also http to this machine (loopback), for the demo and tests.
 */
export function isDeliveryUrl(value: string, allowLoopbackHttp: boolean): boolean {
  if (/\s/.test(value) || value.length > 2000) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  if (url.protocol === 'https:') return url.hostname.includes('.') || url.hostname === 'localhost';
  return allowLoopbackHttp && url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * Why a text is not the public encryption key of a FIT-Connect destination, or null when it is one:
 * a JWK (JSON) of an RSA public key of at least 4096 bits for RSA-OAEP-256 encryption.
 */
export function jwkProblem(text: string): 'caseDelivery.target.jwk.invalid' | 'caseDelivery.target.jwk.private' | 'caseDelivery.target.jwk.weak' | null {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    return 'caseDelivery.target.jwk.invalid';
  }
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return 'caseDelivery.target.jwk.invalid';
  const k = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in k)) return 'caseDelivery.target.jwk.private';
  if (k.kty !== 'RSA' || typeof k.n !== 'string' || typeof k.e !== 'string') return 'caseDelivery.target.jwk.invalid';
  if (k.alg !== undefined && k.alg !== 'RSA-OAEP-256') return 'caseDelivery.target.jwk.invalid';
  if (k.use !== undefined && k.use !== 'enc') return 'caseDelivery.target.jwk.invalid';
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('wrapKey'))) return 'caseDelivery.target.jwk.invalid';
  if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid.length > 200)) return 'caseDelivery.target.jwk.invalid';
  try {
    const key = createPublicKey({ key: k as import('node:crypto').JsonWebKey, format: 'jwk' });
    if (key.asymmetricKeyType !== 'rsa') return 'caseDelivery.target.jwk.invalid';
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return 'caseDelivery.target.jwk.weak';
  } catch {
    return 'caseDelivery.target.jwk.invalid';
  }
  return null;
}

/** The public members of a checked JWK (what is stored). */
export function publicJwkOf(text: string): Record<string, unknown> {
  const k = JSON.parse(text) as Record<string, unknown>;
  const out: Record<string, unknown> = { kty: 'RSA', n: k.n, e: k.e, alg: 'RSA-OAEP-256', use: 'enc' };
  if (typeof k.kid === 'string') out.kid = k.kid;
  return out;
}

/** The form that adds a delivery target; the address rule depends on the environment. */
export function targetForm(allowLoopbackHttp: boolean) {
  return z.object({
    kind: z.enum(['webhook', 'fit_connect'], 'caseDelivery.target.kind.required'),
    targetName: z.string().trim().min(1, 'caseDelivery.target.name.required').max(200, 'caseDelivery.target.name.tooLong'),
    url: z.string().trim().refine((v) => isDeliveryUrl(v, allowLoopbackHttp), allowLoopbackHttp ? 'caseDelivery.target.url.invalidLocal' : 'caseDelivery.target.url.invalid'),
    procedureId: z.union([z.literal(''), z.uuid('caseDelivery.target.procedure.invalid')]).default(''),
    secret: z.string().trim().max(500, 'caseDelivery.target.secret.invalid').default(''),
    destinationId: z.string().trim().max(200).default(''),
    jwk: z.string().trim().max(20_000, 'caseDelivery.target.jwk.invalid').default(''),
  }).superRefine((v, ctx) => {
    if (v.kind === 'webhook' && v.secret !== '' && v.secret.length < 32) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'caseDelivery.target.secret.invalid' });
    }
    if (v.kind === 'fit_connect') {
      if (!z.uuid().safeParse(v.destinationId).success) ctx.addIssue({ code: 'custom', path: ['destinationId'], message: 'caseDelivery.target.destinationId.invalid' });
      const problem = v.jwk === '' ? 'caseDelivery.target.jwk.required' : jwkProblem(v.jwk);
      if (problem) ctx.addIssue({ code: 'custom', path: ['jwk'], message: problem });
    }
  });
}
export type TargetInput = z.infer<ReturnType<typeof targetForm>>;

/** The form field order (for the error summary). */
export const TARGET_FIELDS = ['kind', 'targetName', 'url', 'procedureId', 'secret', 'destinationId', 'jwk'] as const;

export const clientForm = z.object({
  clientName: z.string().trim().min(1, 'caseDelivery.client.name.required').max(200, 'caseDelivery.client.name.tooLong'),
});

export const targetIdParam = z.object({ targetId: z.uuid() });
export const clientIdParam = z.object({ clientId: z.uuid() });

// ---- The specialist procedures' API ----

/** POST /api/v1/fachverfahren/vorgaenge/{caseId}/… */
export const casePath = z.object({
  caseId: z.uuid('caseDelivery.api.caseId.invalid').meta({ description: 'caseDelivery.api.doc.param.caseId', examples: ['3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f'] }),
});

/**
 * Statuses a specialist procedure may report as a plain change (the workflow decides from which
 * status): start processing, reject as inadmissible (with a reason), close. "decided" comes with
 * the decision (…/bescheid); waiting for the applicant comes with a request for information.
 */
export const REPORTABLE_STATUSES = ['in_progress', 'rejected', 'closed'] as const;

export const statusBody = z.object({
  status: z.enum(REPORTABLE_STATUSES, 'caseDelivery.api.status.invalid').meta({ description: 'caseDelivery.api.doc.field.status' }),
  reason: z.string('caseDelivery.api.reason.invalid').trim().max(500, 'caseDelivery.api.reason.invalid').optional()
    .meta({ description: 'caseDelivery.api.doc.field.reason' }),
}).meta({ description: 'caseDelivery.api.doc.schema.statusChange' });

export const decisionBody = z.object({
  outcome: z.enum(['granted', 'refused', 'partially_granted', 'other'], 'caseDelivery.api.outcome.invalid').meta({ description: 'caseDelivery.api.doc.field.outcome' }),
  title: z.string('caseDelivery.api.title.invalid').trim().min(1, 'caseDelivery.api.title.invalid').max(200, 'caseDelivery.api.title.invalid')
    .meta({ description: 'caseDelivery.api.doc.field.title' }),
  body: z.string('caseDelivery.api.body.invalid').trim().min(1, 'caseDelivery.api.body.invalid').max(50_000, 'caseDelivery.api.body.invalid')
    .meta({ description: 'caseDelivery.api.doc.field.body' }),
  feeCents: z.number('caseDelivery.api.feeCents.invalid').int('caseDelivery.api.feeCents.invalid').min(0, 'caseDelivery.api.feeCents.invalid')
    .max(100_000_000, 'caseDelivery.api.feeCents.invalid').meta({ description: 'caseDelivery.api.doc.field.feeCents' }),
  idempotencyKey: z.string('caseDelivery.api.idempotencyKey.invalid').regex(/^[\w.:-]{8,100}$/, 'caseDelivery.api.idempotencyKey.invalid')
    .meta({ description: 'caseDelivery.api.doc.field.idempotencyKey' }),
}).meta({ description: 'caseDelivery.api.doc.schema.decision' });
