import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { decisionBody, statusBody } from './case-delivery.schemas.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => { await app.dispose(); });

interface Doc {
  paths: Record<string, { get?: unknown; post?: {
    operationId: string; security: Record<string, string[]>[]; parameters: { name: string; in: string; required: boolean }[];
    requestBody: { content: { 'application/json': { schema: { $ref: string }; example: unknown } } };
    responses: Record<string, { content: Record<string, { schema: { $ref: string }; example: Record<string, unknown> }> }>;
  } }>;
  components: { schemas: Record<string, { properties?: Record<string, { description?: string }>; required?: string[] }>; securitySchemes: Record<string, { type: string; scheme: string; description: string }> };
}

const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

test('every POST route of the specialist procedures\' API is documented with the bearer scheme, and the document stays valid OpenAPI 3.1', async () => {
  const doc: Doc = (await app.server.inject('/api/openapi.json')).json();
  await SwaggerParser.validate(structuredClone(doc) as never);
  const posts = app.routes.filter((r) => r.method === 'POST' && r.url.startsWith('/api/v1/fachverfahren/')).map((r) => r.url).sort();
  assert.deepEqual(posts, ['/api/v1/fachverfahren/vorgaenge/:caseId/bescheid', '/api/v1/fachverfahren/vorgaenge/:caseId/status']);
  const documented = Object.entries(doc.paths).filter(([path, item]) => item.post && path.startsWith('/api/v1/fachverfahren/')).map(([path]) => fastifyPath(path)).sort();
  assert.deepEqual(documented, posts);
  assert.deepEqual(doc.components.securitySchemes.fachverfahrenToken && { ...doc.components.securitySchemes.fachverfahrenToken, description: 'x' }, { type: 'http', scheme: 'bearer', description: 'x' });
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!item.post || !path.startsWith('/api/v1/fachverfahren/')) continue;
    assert.deepEqual(item.post.security, [{ fachverfahrenToken: [] }], path);
    assert.deepEqual(item.post.parameters.map((p) => [p.name, p.in, p.required]), [['caseId', 'path', true]], path);
    assert.deepEqual(Object.keys(item.post.responses).filter((s) => s >= '400').sort(), ['400', '401', '404', '409', '422'], path);
    assert.deepEqual(item.post.responses['409']!.content['application/problem+json']!.example.code, 'ILLEGAL_TRANSITION');
  }
});

test('request bodies are derived from the schemas the routes validate with, and their examples pass them', async () => {
  const doc: Doc = (await app.server.inject('/api/openapi.json')).json();
  const status = doc.paths['/api/v1/fachverfahren/vorgaenge/{caseId}/status']!.post!;
  const decision = doc.paths['/api/v1/fachverfahren/vorgaenge/{caseId}/bescheid']!.post!;
  assert.equal(status.requestBody.content['application/json'].schema.$ref, '#/components/schemas/StatusChange');
  assert.deepEqual(Object.keys(doc.components.schemas.StatusChange!.properties!), Object.keys(statusBody.shape));
  assert.deepEqual(Object.keys(doc.components.schemas.Decision!.properties!), Object.keys(decisionBody.shape));
  assert.deepEqual(doc.components.schemas.Decision!.required!.sort(), ['body', 'feeCents', 'idempotencyKey', 'outcome', 'title']);
  const statusExample = status.requestBody.content['application/json'].example;
  assert.deepEqual(statusBody.parse(statusExample), statusExample);
  const decisionExample = decision.requestBody.content['application/json'].example;
  assert.deepEqual(decisionBody.parse(decisionExample), decisionExample);
  assert.equal(doc.components.schemas.StatusChange!.properties!.status!.description, 'Neuer Status des Vorgangs');
  // The decision's 422 documents the check of its text, and the body's description says what is checked.
  const textProblem = decision.responses['422']!.content['application/problem+json']!.example as { invalidParams: { name: string; reason: string }[] };
  assert.deepEqual(textProblem.invalidParams.map((p) => p.name), ['body', 'body']);
  assert.match(textProblem.invalidParams[0]!.reason, /„Gründe:“/);
  assert.match(doc.components.schemas.Decision!.properties!.body!.description!, /Rechtsbehelfsbelehrung:.*\[\[…\]\]/);

  const en: Doc = (await app.server.inject('/api/openapi.json?lang=en')).json();
  assert.equal(en.components.schemas.StatusChange!.properties!.status!.description, 'New status of the case');
  assert.match(en.components.securitySchemes.fachverfahrenToken!.description, /Access key/);
});
