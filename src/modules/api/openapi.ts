/**
 * The OpenAPI 3.1 document of every /api/v1 endpoint (GET /api/openapi.json), in the request's
 * language. Parameter and body schemas are derived with z.toJSONSchema from the zod schemas the
 * routes validate with (api.schemas.ts); texts are catalog keys. Each operation carries an example
 * request (`x-example-request`) and an example answer, shown on /api/docs and checked by the tests.
 */
import { z } from 'zod';
import { isMessageKey, type Translate } from '../../platform/i18n/i18n.ts';
import { describeFachverfahrenApi } from '../case-delivery/index.ts';
import { describeApplicationsApi } from '../applications/index.ts';
import { municipalitySearchQuery } from '../municipalities/index.ts';
import {
  apiComponents, type DigitalesAmtList, type MunicipalityList, municipalityPath, type Problem, responsibilityQuery,
  type ResponsibilityBody, type ServiceDetailBody, serviceFormQuery, type ServiceFormBody, serviceListQuery, type ServiceListBody, servicePath, serviceQuery,
} from './api.schemas.ts';
import {
  exampleDigitalesAmt, exampleMunicipalities, exampleProblems, exampleResponsibility, exampleServiceDetail, exampleServiceForm, exampleServiceList, exampleXzufi,
} from './openapi-examples.ts';

// The part of OpenAPI 3.1 this document uses (schemas are JSON Schema 2020-12).
type Schema = Record<string, unknown>;
interface Reference { $ref: string }
export interface Parameter { name: string; in: 'query' | 'path'; required: boolean; description?: string; schema: Schema; example?: unknown }
export interface MediaType { schema: Schema | Reference; example?: unknown }
export interface Response { description: string; content?: Record<string, MediaType> }
export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  parameters: Parameter[];
  responses: Record<string, Response | Reference>;
  /** A request that works on the demo data; /api/docs shows it and the tests send it. */
  'x-example-request': string;
}
/** A POST operation of the specialist procedures' API, documented by modules/case-delivery (with security and request body). */
export type WriteOperation = Record<string, unknown>;
/** The public read-only API has GET operations (no security); the specialist procedures' and the applications API (bearer tokens) others. */
export type PathItem = { get?: Operation | WriteOperation; post?: WriteOperation; put?: WriteOperation };
/** The public GET operation of a path (no security requirement), if it has one: what /api/docs shows. */
export function publicGet(item: PathItem): Operation | undefined {
  const op = item.get;
  return op && !('security' in op) ? op as Operation : undefined;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers?: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response>; securitySchemes: Record<string, Schema> };
}

/** Replaces every `description` that is a catalog key with its text, and drops JSON Schema's document keywords. */
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

/** The parameters of a zod object schema (query or path), each with its JSON Schema, description and example. */
function parametersOf(schema: z.ZodObject, location: 'query' | 'path', t: Translate): Parameter[] {
  const json = localize(z.toJSONSchema(schema, { io: 'input' }), t) as { properties: Record<string, Schema>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, examples, ...rest } = property as Schema & { description?: string; examples?: unknown[] };
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: { ...rest, ...(examples ? { examples } : {}) },
      ...(examples?.[0] !== undefined ? { example: examples[0] } : {}),
    };
  });
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function json<T>(description: string, schemaId: string, example: T): Response {
  return { description, content: { 'application/json': { schema: ref(schemaId), example } } };
}

const errors = (...statuses: ('400' | '404')[]) => Object.fromEntries([
  ...statuses.map((s) => [s, { $ref: `#/components/responses/${s === '400' ? 'BadRequest' : 'NotFound'}` }]),
  ['429', { $ref: '#/components/responses/TooManyRequests' }],
]) as Record<string, Reference>;

// The finder page's `ziel` is accepted there too but means nothing to an API client.
const municipalityQuery = z.object({ q: municipalitySearchQuery.shape.q.meta({ description: 'api.doc.param.municipalityQ', examples: ['Coburg'] }) });

/** Builds the document; `publicUrl` (the portal's external address) becomes the server when configured. */
export function buildOpenApiDocument(t: Translate, options: { publicUrl?: string | undefined } = {}): OpenApiDocument {
  const schemas = localize(z.toJSONSchema(apiComponents, { io: 'input', uri: (id) => `#/components/schemas/${id}` }).schemas, t) as Record<string, Schema>;
  const problems = exampleProblems(t);
  // The specialist procedures' API (bearer token; modules/case-delivery) documents itself.
  const fachverfahren = describeFachverfahrenApi(t);
  const applications = describeApplicationsApi(t);
  return {
    openapi: '3.1.0',
    info: {
      title: t('api.doc.title'),
      version: '1.0.0',
      description: t('api.doc.description'),
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    ...(options.publicUrl ? { servers: [{ url: options.publicUrl }] } : {}),
    tags: [
      { name: 'services', description: t('api.doc.tag.services') },
      { name: 'municipalities', description: t('api.doc.tag.municipalities') },
      { name: 'digitales-amt', description: t('api.doc.tag.digitalesAmt') },
      applications.tag,
      fachverfahren.tag,
    ],
    paths: {
      '/api/v1/services': {
        get: {
          operationId: 'listServices', tags: ['services'],
          summary: t('api.doc.op.listServices.summary'), description: t('api.doc.op.listServices.description'),
          parameters: parametersOf(serviceListQuery, 'query', t),
          responses: { 200: json<ServiceListBody>(t('api.doc.response.serviceList'), 'ServiceList', exampleServiceList), ...errors('400') },
          'x-example-request': '/api/v1/services?q=Wohnsitz+anmelden&ags=09463000&limit=1',
        },
      },
      '/api/v1/services/{leikaKey}': {
        get: {
          operationId: 'getService', tags: ['services'],
          summary: t('api.doc.op.getService.summary'), description: t('api.doc.op.getService.description'),
          parameters: [...parametersOf(servicePath, 'path', t), ...parametersOf(serviceQuery, 'query', t)],
          responses: { 200: json<ServiceDetailBody>(t('api.doc.response.serviceDetail'), 'ServiceDetail', exampleServiceDetail), ...errors('400', '404') },
          'x-example-request': '/api/v1/services/99115005104000?ags=09463000',
        },
      },
      '/api/v1/services/{leikaKey}/form': {
        get: {
          operationId: 'getServiceForm', tags: ['services'],
          summary: t('api.doc.op.getServiceForm.summary'), description: t('api.doc.op.getServiceForm.description'),
          parameters: [...parametersOf(servicePath, 'path', t), ...parametersOf(serviceFormQuery, 'query', t)],
          responses: { 200: json<ServiceFormBody>(t('api.doc.response.serviceForm'), 'ServiceForm', exampleServiceForm), ...errors('400', '404') },
          'x-example-request': '/api/v1/services/99102013000000/form?ags=09463000',
        },
      },
      '/api/v1/responsibility': {
        get: {
          operationId: 'getResponsibility', tags: ['services'],
          summary: t('api.doc.op.getResponsibility.summary'), description: t('api.doc.op.getResponsibility.description'),
          parameters: parametersOf(responsibilityQuery, 'query', t),
          responses: { 200: json<ResponsibilityBody>(t('api.doc.response.responsibility'), 'Responsibility', exampleResponsibility), ...errors('400') },
          'x-example-request': '/api/v1/responsibility?leikaKey=99115005104000&ags=09473159',
        },
      },
      '/api/v1/municipalities': {
        get: {
          operationId: 'listMunicipalities', tags: ['municipalities'],
          summary: t('api.doc.op.listMunicipalities.summary'), description: t('api.doc.op.listMunicipalities.description'),
          parameters: parametersOf(municipalityQuery, 'query', t),
          responses: { 200: json<z.output<typeof MunicipalityList>>(t('api.doc.response.municipalityList'), 'MunicipalityList', exampleMunicipalities), ...errors('400') },
          'x-example-request': '/api/v1/municipalities?q=Coburg',
        },
      },
      '/api/v1/municipalities/{ags}/xzufi.xml': {
        get: {
          operationId: 'exportXzufi', tags: ['municipalities'],
          summary: t('api.doc.op.exportXzufi.summary'), description: t('api.doc.op.exportXzufi.description'),
          parameters: parametersOf(municipalityPath, 'path', t),
          responses: {
            200: { description: t('api.doc.response.xzufi'), content: { 'application/xml': { schema: { type: 'string' }, example: exampleXzufi } } },
            ...errors('400', '404'),
          },
          'x-example-request': '/api/v1/municipalities/09463000/xzufi.xml',
        },
      },
      '/api/v1/digitales-amt': {
        get: {
          operationId: 'listDigitalesAmt', tags: ['digitales-amt'],
          summary: t('api.doc.op.listDigitalesAmt.summary'), description: t('api.doc.op.listDigitalesAmt.description'),
          parameters: [],
          responses: { 200: json<z.output<typeof DigitalesAmtList>>(t('api.doc.response.digitalesAmt'), 'DigitalesAmtList', exampleDigitalesAmt), ...errors() },
          'x-example-request': '/api/v1/digitales-amt',
        },
      },
      ...applications.paths,
      ...fachverfahren.paths,
    },
    components: {
      schemas: { ...schemas, ...applications.schemas, ...fachverfahren.schemas },
      securitySchemes: { ...applications.securitySchemes, ...fachverfahren.securitySchemes },
      responses: {
        BadRequest: problemResponse(t('api.doc.response.badRequest'), problems.badRequest),
        NotFound: problemResponse(t('api.doc.response.notFound'), problems.notFound),
        TooManyRequests: problemResponse(t('api.doc.response.tooManyRequests'), problems.tooManyRequests),
      },
    },
  };
}

function problemResponse(description: string, example: z.output<typeof Problem>): Response {
  return { description, content: { 'application/problem+json': { schema: ref('Problem'), example } } };
}
