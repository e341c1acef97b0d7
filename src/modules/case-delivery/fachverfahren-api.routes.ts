/**
 * The API through which a specialist procedure (Fachverfahren) reports back on the cases delivered
 * to it: a status change, and the decision. Authenticated with the bearer token of an integration
 * client; the token names the tenant, and another tenant's case is "not found" (404), never
 * "forbidden". Errors are application/problem+json: 401 without a valid token, 404 for an unknown
 * case, 409 for a transition the workflow does not allow (naming `from` and `to`), 422 naming each
 * invalid field (`invalidParams`; also a decision text the case page would not issue: a refusal
 * without reasons or legal remedy, a `[[…]]` gap left), 400 for a body that is not a JSON object.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import type { CaseStatus, DecisionOutcome, TrustLevel } from '../../platform/db/schema.ts';
import { DomainError, invalidParamsOf } from '../../platform/http/errors.ts';
import type { DecisionTextProblem } from '../cases/index.ts';
import { findTenantCase } from './case-delivery.repository.ts';
import { casePath, decisionBody, statusBody } from './case-delivery.schemas.ts';
import { authenticateIntegrationClient } from './authenticate-integration-client.ts';

/** The cases module's workflow, as this API needs it (bound in app.ts to `changeCaseStatus` / `issueIntegrationDecision` with the cases deps). */
export interface CaseReporting {
  changeCaseStatus(input: {
    tenantId: string; caseId: string; to: CaseStatus;
    actor: { type: 'staff' | 'integration' | 'system' | 'citizen'; id: string | null; trustLevel?: TrustLevel | null };
    reason?: string;
  }): Promise<{ ok: true; status: CaseStatus } | { ok: false; code: 'NOT_FOUND' } | { ok: false; code: 'ILLEGAL_TRANSITION'; from: CaseStatus } | { ok: false; code: 'REASON_REQUIRED' }>;
  issueIntegrationDecision(input: {
    tenantId: string; caseId: string; clientId: string; outcome: DecisionOutcome;
    title: string; body: string; feeCents: number; idempotencyKey: string;
  }): Promise<{ ok: true; decisionId: string; alreadyIssued: boolean } | { ok: false; code: 'NOT_FOUND' | 'ILLEGAL_TRANSITION' } | { ok: false; code: 'TEXT_INCOMPLETE'; problems: DecisionTextProblem[] }>;
}

let caseReporting: CaseReporting | undefined;

/**
 * Binds the cases module's workflow (app.ts does this once; a second call replaces the first).
 * Until then the API answers 500: it cannot act without the workflow.
 */
export function registerCaseReporting(reporting: CaseReporting): void {
  caseReporting = reporting;
}

function reporting(): CaseReporting {
  if (!caseReporting) throw new Error('case reporting is not registered (registerCaseReporting in app.ts)');
  return caseReporting;
}

export const FACHVERFAHREN_API_BASE = '/api/v1/fachverfahren/vorgaenge';

/** A problem+json answer in the shape of the platform's (platform/http/web.ts), for statuses its catalog does not have. */
function sendProblem(req: FastifyRequest, reply: FastifyReply, status: 409 | 422, code: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return reply.code(status).type('application/problem+json').send({
    type: 'about:blank', title, status, detail, code, instance: req.url.split('?')[0], ...extra, requestId: req.id,
  });
}

/** Why a decision's text is not issued, for `invalidParams`. */
function textProblemReason(req: FastifyRequest, problem: DecisionTextProblem): string {
  if (problem.code === 'GAP_LEFT') return req.t('caseDelivery.api.body.gapLeft', { gap: problem.gap });
  return req.t(problem.code === 'REASONS_MISSING' ? 'caseDelivery.api.body.reasonsMissing' : 'caseDelivery.api.body.remedyMissing');
}

/** Registers POST …/{caseId}/status and POST …/{caseId}/bescheid. */
export async function fachverfahrenApiRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;

  /** The client and the tenant's case named in the URL. @throws DomainError UNAUTHENTICATED, NOT_FOUND */
  async function clientAndCase(req: FastifyRequest, reply: FastifyReply) {
    const client = await authenticateIntegrationClient(db, req.headers.authorization);
    if (!client) {
      void reply.header('www-authenticate', 'Bearer realm="fachverfahren"');
      throw new DomainError('UNAUTHENTICATED');
    }
    const path = casePath.safeParse(req.params);
    if (!path.success) throw new DomainError('NOT_FOUND');
    const found = await findTenantCase(db, client.tenantId, path.data.caseId);
    if (!found) throw new DomainError('NOT_FOUND');
    return { client, caseRow: found };
  }

  /** The body checked against `schema`; a non-object body is a 400, invalid fields a 422. */
  function parseBody<T>(req: FastifyRequest, reply: FastifyReply, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }): T | undefined {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new DomainError('BAD_REQUEST');
    const parsed = schema.safeParse(req.body);
    if (parsed.success) return parsed.data;
    void sendProblem(req, reply, 422, 'UNPROCESSABLE', req.t('caseDelivery.api.unprocessable.title'), req.t('caseDelivery.api.unprocessable.detail'), {
      invalidParams: invalidParamsOf(parsed.error).map((p) => ({ name: p.name, reason: req.t(p.reason) })),
    });
    return undefined;
  }

  function illegal(req: FastifyRequest, reply: FastifyReply, from: CaseStatus, to: CaseStatus) {
    return sendProblem(req, reply, 409, 'ILLEGAL_TRANSITION', req.t('caseDelivery.api.conflict.title'), req.t('caseDelivery.api.conflict.detail', { from, to }), { from, to });
  }

  app.post(`${FACHVERFAHREN_API_BASE}/:caseId/status`, async (req, reply) => {
    const { client, caseRow } = await clientAndCase(req, reply);
    const body = parseBody(req, reply, statusBody);
    if (!body) return reply;
    const changed = await reporting().changeCaseStatus({
      tenantId: client.tenantId, caseId: caseRow.id, to: body.status, actor: { type: 'integration', id: client.id, trustLevel: null },
      ...(body.reason ? { reason: body.reason } : {}),
    });
    if (!changed.ok) {
      if (changed.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
      if (changed.code === 'REASON_REQUIRED') {
        return sendProblem(req, reply, 422, 'UNPROCESSABLE', req.t('caseDelivery.api.unprocessable.title'), req.t('caseDelivery.api.unprocessable.detail'), {
          invalidParams: [{ name: 'reason', reason: req.t('caseDelivery.api.reason.required') }],
        });
      }
      return illegal(req, reply, changed.from, body.status);
    }
    return { caseId: caseRow.id, status: changed.status };
  });

  app.post(`${FACHVERFAHREN_API_BASE}/:caseId/bescheid`, async (req, reply) => {
    const { client, caseRow } = await clientAndCase(req, reply);
    const body = parseBody(req, reply, decisionBody);
    if (!body) return reply;
    const issued = await reporting().issueIntegrationDecision({ tenantId: client.tenantId, caseId: caseRow.id, clientId: client.id, ...body });
    if (!issued.ok) {
      if (issued.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
      if (issued.code === 'TEXT_INCOMPLETE') {
        return sendProblem(req, reply, 422, 'UNPROCESSABLE', req.t('caseDelivery.api.unprocessable.title'), req.t('caseDelivery.api.unprocessable.detail'), {
          invalidParams: issued.problems.map((p) => ({ name: 'body', reason: textProblemReason(req, p) })),
        });
      }
      const current = await findTenantCase(db, client.tenantId, caseRow.id);
      return illegal(req, reply, current?.status ?? caseRow.status, 'decided');
    }
    return reply.code(issued.alreadyIssued ? 200 : 201).send({ caseId: caseRow.id, decisionId: issued.decisionId, alreadyIssued: issued.alreadyIssued });
  });
}
