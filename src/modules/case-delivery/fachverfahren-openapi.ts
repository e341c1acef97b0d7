/**
 * The specialist procedures' API in the OpenAPI 3.1 document (merged by modules/api/openapi.ts):
 * the two POST operations with their bearer security scheme, request bodies derived from the zod
 * schemas the routes validate with, answers and problem+json errors, in the request's language.
 */
import { z } from 'zod';
import { errorCatalog } from '../../platform/http/errors.ts';
import type { Translate } from '../../platform/i18n/i18n.ts';
import { localizedJsonSchema } from '../../platform/i18n/localize-schema.ts';
import { casePath, decisionBody, statusBody } from './case-delivery.schemas.ts';
import { FACHVERFAHREN_API_BASE } from './fachverfahren-api.routes.ts';

type Schema = Record<string, unknown>;

/** The security scheme's name in `components.securitySchemes`. */
export const FACHVERFAHREN_SECURITY_SCHEME = 'fachverfahrenToken';
export const FACHVERFAHREN_TAG = 'fachverfahren';

const EXAMPLE_CASE = '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f';
const EXAMPLE_DECISION = '8d0f4b6e-2c1a-4e9b-b7d3-5a6c7e8f9a0b';


const jsonSchema = localizedJsonSchema;

export interface FachverfahrenOpenApi {
  tag: { name: string; description: string };
  paths: Record<string, { post: Record<string, unknown> }>;
  schemas: Record<string, Schema>;
  securitySchemes: Record<string, Schema>;
}

/** The paths, schemas and security scheme of the specialist procedures' API. */
export function describeFachverfahrenApi(t: Translate): FachverfahrenOpenApi {
  const caseParameter = (() => {
    const json = jsonSchema(casePath, t) as { properties: { caseId: Schema & { description?: string; examples?: unknown[] } } };
    const { description, examples, ...schema } = json.properties.caseId;
    return { name: 'caseId', in: 'path', required: true, description, schema, example: examples?.[0] ?? EXAMPLE_CASE };
  })();
  const problem = (status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}) => ({
    type: 'about:blank', title, status, detail, code, instance: `${FACHVERFAHREN_API_BASE}/${EXAMPLE_CASE}/status`, ...extra,
    requestId: 'b1946ac9-2d0e-4f5a-8c1b-3e7d9f2a6c4b',
  });
  const catalogProblem = (code: 'UNAUTHENTICATED' | 'NOT_FOUND' | 'BAD_REQUEST') =>
    problem(errorCatalog[code].status, code, t(errorCatalog[code].titleKey), t(errorCatalog[code].messageKey));
  const problemResponse = (description: string, example: unknown, schema = 'Problem') => ({
    description, content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${schema}` }, example } },
  });
  const errors = {
    400: problemResponse(t('caseDelivery.api.doc.response.unprocessable'), catalogProblem('BAD_REQUEST')),
    401: problemResponse(t('caseDelivery.api.doc.response.unauthorized'), catalogProblem('UNAUTHENTICATED')),
    404: problemResponse(t('api.doc.response.notFound'), catalogProblem('NOT_FOUND')),
    409: problemResponse(t('caseDelivery.api.doc.response.conflict'), problem(409, 'ILLEGAL_TRANSITION', t('caseDelivery.api.conflict.title'),
      t('caseDelivery.api.conflict.detail', { from: 'decided', to: 'in_progress' }), { from: 'decided', to: 'in_progress' }), 'TransitionProblem'),
    422: problemResponse(t('caseDelivery.api.doc.response.unprocessable'), problem(422, 'UNPROCESSABLE', t('caseDelivery.api.unprocessable.title'),
      t('caseDelivery.api.unprocessable.detail'), { invalidParams: [{ name: 'status', reason: t('caseDelivery.api.status.invalid') }] })),
  };
  const operation = (id: string, summary: string, description: string, body: { schema: string; example: unknown }, ok: Record<string, unknown>, ownErrors: Record<string, unknown> = {}) => ({
    operationId: id, tags: [FACHVERFAHREN_TAG], summary, description,
    security: [{ [FACHVERFAHREN_SECURITY_SCHEME]: [] }],
    parameters: [caseParameter],
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${body.schema}` }, example: body.example } } },
    responses: { ...ok, ...errors, ...ownErrors },
  });
  // A decision's 422 shows the check of its text (the one the case page applies), not a malformed field.
  const decisionTextProblem = {
    422: problemResponse(t('caseDelivery.api.doc.response.unprocessable'), {
      ...problem(422, 'UNPROCESSABLE', t('caseDelivery.api.unprocessable.title'), t('caseDelivery.api.unprocessable.detail'),
        { invalidParams: [{ name: 'body', reason: t('caseDelivery.api.body.reasonsMissing') }, { name: 'body', reason: t('caseDelivery.api.body.remedyMissing') }] }),
      instance: `${FACHVERFAHREN_API_BASE}/${EXAMPLE_CASE}/bescheid`,
    }),
  };
  return {
    tag: { name: FACHVERFAHREN_TAG, description: t('caseDelivery.api.doc.tag') },
    securitySchemes: {
      [FACHVERFAHREN_SECURITY_SCHEME]: { type: 'http', scheme: 'bearer', description: t('caseDelivery.api.doc.security') },
    },
    schemas: {
      StatusChange: jsonSchema(statusBody, t),
      StatusResult: jsonSchema(z.object({
        caseId: z.uuid(), status: z.enum(['submitted', 'in_progress', 'waiting', 'decided', 'closed', 'withdrawn', 'rejected']),
      }).meta({ description: 'caseDelivery.api.doc.schema.statusResult' }), t),
      Decision: jsonSchema(decisionBody, t),
      DecisionResult: jsonSchema(z.object({
        caseId: z.uuid(),
        decisionId: z.uuid().meta({ description: 'caseDelivery.api.doc.field.decisionId' }),
        alreadyIssued: z.boolean().meta({ description: 'caseDelivery.api.doc.field.alreadyIssued' }),
      }).meta({ description: 'caseDelivery.api.doc.schema.decisionResult' }), t),
      TransitionProblem: {
        allOf: [{ $ref: '#/components/schemas/Problem' }, {
          type: 'object', required: ['from', 'to'],
          properties: { from: { type: 'string' }, to: { type: 'string' } },
        }],
        description: t('caseDelivery.api.doc.response.conflict'),
      },
    },
    paths: {
      [`${FACHVERFAHREN_API_BASE}/{caseId}/status`]: {
        post: operation('reportCaseStatus', t('caseDelivery.api.doc.op.status.summary'), t('caseDelivery.api.doc.op.status.description'),
          { schema: 'StatusChange', example: { status: 'in_progress', reason: 'Akte im Fachverfahren angelegt' } },
          { 200: { description: t('caseDelivery.api.doc.response.status'), content: { 'application/json': { schema: { $ref: '#/components/schemas/StatusResult' }, example: { caseId: EXAMPLE_CASE, status: 'in_progress' } } } } }),
      },
      [`${FACHVERFAHREN_API_BASE}/{caseId}/bescheid`]: {
        post: operation('reportCaseDecision', t('caseDelivery.api.doc.op.decision.summary'), t('caseDelivery.api.doc.op.decision.description'),
          { schema: 'Decision', example: { outcome: 'granted', title: 'Baugenehmigung', body: 'Die Baugenehmigung wird erteilt …', feeCents: 12000, idempotencyKey: 'fv-2026-000123' } },
          {
            200: { description: t('caseDelivery.api.doc.field.alreadyIssued'), content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionResult' }, example: { caseId: EXAMPLE_CASE, decisionId: EXAMPLE_DECISION, alreadyIssued: true } } } },
            201: { description: t('caseDelivery.api.doc.response.decision'), content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionResult' }, example: { caseId: EXAMPLE_CASE, decisionId: EXAMPLE_DECISION, alreadyIssued: false } } } },
          }, decisionTextProblem),
      },
    },
  };
}
