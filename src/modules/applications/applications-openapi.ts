/**
 * The applications API in the OpenAPI 3.1 document (merged by modules/api/openapi.ts): the
 * operations with the citizen's bearer token, request bodies from the zod schemas the routes
 * validate with, answers and problem+json errors, in the request's language.
 */
import { z } from 'zod';
import { isMessageKey, type Translate } from '../../platform/i18n/i18n.ts';
import { startBody, stepBody } from './applications.api.ts';

type Schema = Record<string, unknown>;

export const APPLICATIONS_SECURITY_SCHEME = 'citizenToken';
export const APPLICATIONS_TAG = 'applications';

function localize(value: unknown, t: Translate): unknown {
  if (Array.isArray(value)) return value.map((v) => localize(v, t));
  if (value === null || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$schema' || key === '$id') continue;
    out[key] = key === 'description' && typeof v === 'string' && isMessageKey(v) ? t(v) : localize(v, t);
  }
  return out;
}
const jsonSchema = (schema: z.ZodType, t: Translate) => localize(z.toJSONSchema(schema, { io: 'input' }), t) as Schema;

const EXAMPLE_ID = '6c1f8e2a-4b3d-4e5f-9a7b-1c2d3e4f5a6b';
const STATUS = ['draft', 'submitted', 'in_progress', 'waiting', 'decided', 'closed', 'withdrawn', 'rejected'];

export interface ApplicationsOpenApi {
  tag: { name: string; description: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  schemas: Record<string, Schema>;
  securitySchemes: Record<string, Schema>;
}

/** The paths, schemas and security scheme of the applications API. */
export function describeApplicationsApi(t: Translate): ApplicationsOpenApi {
  const idParameter = { name: 'id', in: 'path', required: true, description: t('api.applications.doc.param.id'), schema: { type: 'string', format: 'uuid' }, example: EXAMPLE_ID };
  const stepParameter = { name: 'stepId', in: 'path', required: true, description: t('api.applications.doc.param.stepId'), schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,80}$' }, example: 'halter' };
  const problem = (description: string, schema = 'Problem') => ({ description, content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
  const common = {
    401: problem(t('api.applications.doc.response.unauthorized')),
    404: problem(t('api.doc.response.notFound')),
  };
  const json = (description: string, schema: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
  const op = (operationId: string, key: string, parameters: unknown[], responses: Record<string, unknown>, body?: { schema: string; example: unknown; type?: string }) => ({
    operationId, tags: [APPLICATIONS_TAG], summary: t(`api.applications.doc.op.${key}.summary` as 'api.applications.doc.op.list.summary'),
    description: t(`api.applications.doc.op.${key}.description` as 'api.applications.doc.op.list.description'),
    security: [{ [APPLICATIONS_SECURITY_SCHEME]: [] }], parameters,
    ...(body ? { requestBody: { required: true, content: { [body.type ?? 'application/json']: { schema: body.type ? { type: 'object', additionalProperties: { type: 'string', format: 'binary' } } : { $ref: `#/components/schemas/${body.schema}` }, ...(body.type ? {} : { example: body.example }) } } } } : {}),
    responses: { ...responses, ...common },
  });
  const invalid = problem(t('api.applications.doc.response.invalid'));
  return {
    tag: { name: APPLICATIONS_TAG, description: t('api.applications.doc.tag') },
    securitySchemes: { [APPLICATIONS_SECURITY_SCHEME]: { type: 'http', scheme: 'bearer', description: t('api.applications.doc.security') } },
    schemas: {
      ApplicationStart: jsonSchema(startBody, t),
      ApplicationStep: jsonSchema(stepBody, t),
      ApplicationSummaryList: {
        type: 'object', required: ['items'],
        properties: { items: { type: 'array', items: { type: 'object', required: ['id', 'status', 'procedure', 'authority', 'href'], properties: {
          id: { type: 'string', format: 'uuid' }, reference: { type: ['string', 'null'] }, status: { enum: STATUS }, procedure: { type: 'string' }, authority: { type: 'string' },
          updatedAt: { type: 'string', format: 'date-time' }, href: { type: 'string' },
        } } } },
      },
      Application: {
        type: 'object', description: t('api.applications.doc.schema.application'),
        required: ['id', 'status', 'procedure', 'authority', 'steps', 'answers', 'history'],
        properties: {
          id: { type: 'string', format: 'uuid' }, reference: { type: ['string', 'null'], description: t('api.applications.doc.field.reference') }, status: { enum: STATUS },
          procedure: { type: 'object' }, authority: { type: 'object' }, ags: { type: 'string' }, form: { type: 'object', description: t('api.applications.doc.field.form') },
          currentStep: { type: ['string', 'null'] }, steps: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } } },
          answers: { type: 'object', description: t('api.applications.doc.field.answers') }, feeCents: { type: 'integer' },
          history: { type: 'array', items: { type: 'object', properties: { status: { enum: STATUS }, at: { type: 'string', format: 'date-time' }, trustLevel: { type: ['string', 'null'] } } } },
          links: { type: 'object' },
        },
      },
      StepSaved: { type: 'object', required: ['saved', 'nextStep', 'complete'], properties: { saved: { const: true }, nextStep: { type: ['string', 'null'] }, complete: { type: 'boolean' } } },
      Files: { type: 'object', required: ['files'], properties: { files: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, uploadId: { type: 'string', format: 'uuid' }, fileName: { type: 'string' }, mediaType: { type: 'string' }, sizeBytes: { type: 'integer' } } } } } },
      Submission: { type: 'object', required: ['reference', 'alreadySubmitted', 'application'], properties: { reference: { type: 'string' }, alreadySubmitted: { type: 'boolean' }, application: { $ref: '#/components/schemas/Application' } } },
    },
    paths: {
      '/api/v1/applications': {
        get: op('listApplications', 'list', [], { 200: json(t('api.applications.doc.response.list'), 'ApplicationSummaryList') }),
        post: op('startApplication', 'start', [], {
          200: json(t('api.applications.doc.response.resumed'), 'Application'), 201: json(t('api.applications.doc.response.started'), 'Application'),
          400: problem(t('api.doc.response.badRequest')), 403: problem(t('api.applications.level.title')), 409: problem(t('api.applications.notResponsible.title')),
        }, { schema: 'ApplicationStart', example: { procedureId: EXAMPLE_ID, ags: '09463000', startKey: 'app-7f3a9c21', prefill: true } }),
      },
      '/api/v1/applications/{id}': {
        get: op('getApplication', 'get', [idParameter], { 200: json(t('api.applications.doc.response.application'), 'Application') }),
      },
      '/api/v1/applications/{id}/steps/{stepId}': {
        put: op('saveApplicationStep', 'step', [idParameter, stepParameter], {
          200: json(t('api.applications.doc.response.step'), 'StepSaved'), 400: problem(t('api.doc.response.badRequest')), 403: problem(t('api.applications.level.title')),
          409: problem(t('api.applications.submitted.title')), 422: invalid,
        }, { schema: 'ApplicationStep', example: { values: { familienname: 'Schmidt', geburtsdatum: '11.02.1969', anschrift: { street: 'Rankestr.', houseNumber: '13', postcode: '96450', city: 'Coburg', country: 'DE' } } } }),
      },
      '/api/v1/applications/{id}/steps/{stepId}/files': {
        post: op('uploadApplicationFiles', 'files', [idParameter, stepParameter], {
          201: json(t('api.applications.doc.response.files'), 'Files'), 400: problem(t('api.doc.response.badRequest')), 409: problem(t('api.applications.submitted.title')), 422: invalid,
        }, { schema: 'Files', example: null, type: 'multipart/form-data' }),
      },
      '/api/v1/applications/{id}/submission': {
        post: op('submitApplication', 'submit', [idParameter], {
          200: json(t('api.applications.doc.response.submitted'), 'Submission'), 402: problem(t('api.applications.payment.title')), 403: problem(t('api.applications.level.title')),
          409: problem(t('api.applications.notResponsible.title')), 422: invalid,
        }),
      },
    },
  };
}
