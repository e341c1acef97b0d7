/**
 * What the documentation page (/api/docs) shows, read from the OpenAPI document: per endpoint the
 * method, path, texts, a parameter table, the responses, an example request and its answer.
 */
import type { Translate } from '../../platform/i18n/i18n.ts';
import { publicGet, type MediaType, type OpenApiDocument, type Parameter, type Response } from './openapi.ts';

export interface EndpointView {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  parameters: { name: string; location: string; required: boolean; type: string; description: string; details: string[] }[];
  responses: { status: string; description: string; contentType: string }[];
  exampleRequest: string;
  exampleResponse: { contentType: string; body: string } | null;
}

/** The endpoints of the document, in its order. */
export function describeEndpoints(document: OpenApiDocument, t: Translate): EndpointView[] {
  // The page shows the public read-only API; the token-protected operations are in the document.
  return Object.entries(document.paths).flatMap(([path, item]) => (publicGet(item) ? [{ path, op: publicGet(item)! }] : [])).map(({ path, op }) => {
    const responses = Object.entries(op.responses).map(([status, r]) => ({ status, response: resolve(document, r) }));
    const ok = responses.find((r) => r.status === '200')?.response;
    const [contentType, media] = Object.entries(ok?.content ?? {})[0] ?? [];
    return {
      id: op.operationId,
      method: 'GET',
      path,
      summary: op.summary,
      description: op.description,
      parameters: op.parameters.map((p) => describeParameter(p, t)),
      responses: responses.map(({ status, response }) => ({
        status, description: response.description, contentType: Object.keys(response.content ?? {}).join(', '),
      })),
      exampleRequest: op['x-example-request'],
      exampleResponse: contentType && media ? { contentType, body: formatExample(media) } : null,
    };
  });
}

function resolve(document: OpenApiDocument, r: Response | { $ref: string }): Response {
  if (!('$ref' in r)) return r;
  const name = r.$ref.replace('#/components/responses/', '');
  const found = document.components.responses[name];
  if (!found) throw new Error(`unresolved reference ${r.$ref}`);
  return found;
}

function formatExample(media: MediaType): string {
  return typeof media.example === 'string' ? media.example.trim() : JSON.stringify(media.example, null, 2);
}

function describeParameter(p: Parameter, t: Translate): EndpointView['parameters'][number] {
  const s = p.schema as {
    type?: string | string[]; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number; pattern?: string; default?: unknown;
  };
  const details: string[] = [];
  if (s.enum) details.push(t('api.docs.allowed', { values: s.enum.map(String).join(', ') }));
  if (s.minimum !== undefined && s.maximum !== undefined) details.push(t('api.docs.range', { min: String(s.minimum), max: String(s.maximum) }));
  if (s.maxLength !== undefined) details.push(t('api.docs.maxLength', { max: String(s.maxLength) }));
  if (s.pattern) details.push(t('api.docs.pattern', { pattern: s.pattern }));
  if (s.default !== undefined) details.push(t('api.docs.default', { value: String(s.default) }));
  if (p.example !== undefined) details.push(t('api.docs.example', { value: String(p.example) }));
  return {
    name: p.name,
    location: p.in === 'path' ? t('api.docs.in.path') : t('api.docs.in.query'),
    required: p.required,
    type: Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? ''),
    description: p.description ?? '',
    details,
  };
}

/** The example 400 answer (problem+json with invalidParams), formatted for the page. */
export function describeProblemExample(document: OpenApiDocument): string {
  const media = document.components.responses.BadRequest?.content?.['application/problem+json'];
  return media ? formatExample(media) : '';
}
