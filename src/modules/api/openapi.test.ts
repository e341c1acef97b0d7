import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { z } from 'zod';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html } from '../../../test/support/http.ts';
import { DigitalesAmtList, MunicipalityList, Problem, Responsibility, ServiceDetail, ServiceForm, ServiceList } from './api.schemas.ts';
import { exampleXzufi } from './openapi-examples.ts';
import { publicGet, type OpenApiDocument, type Operation } from './openapi.ts';
import { validateXml } from '../../../test/support/xmllint.ts';
import { XZUFI_SCHEMA_PATH } from './xzufi/export-xzufi.ts';

let app: TestApp;
let document: OpenApiDocument;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  document = (await app.server.inject('/api/openapi.json')).json();
});
after(async () => { await app.dispose(); });

/** The zod schema behind each documented JSON body. */
const bodySchemas: Record<string, z.ZodType> = { ServiceList, ServiceDetail, ServiceForm, Responsibility, MunicipalityList, DigitalesAmtList, Problem };

/** Every GET route registered in Fastify, read from its route tree (`printRoutes`). */
function registeredGetRoutes(): string[] {
  const tree = app.server.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)(?:└── |├── )(.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    // Four characters of indentation per level; a node's path is its parent's plus its own segment.
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(depth === 0 ? match[2]! : `${stack[depth - 1]!}${match[2]!}`);
    if (match[3]!.split(', ').includes('GET')) routes.push(stack[depth]!);
  }
  return routes;
}

/** The public GET operations by path; the token-protected ones are tested in modules/applications and modules/case-delivery. */
function getOperations(doc: OpenApiDocument): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) => (publicGet(item) ? [[path, publicGet(item)!] as [string, Operation]] : []));
}

/** Every documented GET path, public or not. */
const documentedGetPaths = (doc: OpenApiDocument): string[] => Object.entries(doc.paths).filter(([, item]) => item.get).map(([path]) => path);

/** `/api/v1/services/{leikaKey}` -> `/api/v1/services/:leikaKey` */
const fastifyPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');

test('the document is valid OpenAPI 3.1 (checked by swagger-parser against the official schema)', async () => {
  assert.equal(document.openapi, '3.1.0');
  // validate() dereferences in place: give it a copy.
  const api = await SwaggerParser.validate(structuredClone(document) as never);
  assert.equal(api.info.title, 'Digitales Amt Bayern – öffentliche Schnittstelle');
  const broken = structuredClone(document) as unknown as { paths: Record<string, { get: { responses: unknown } }> };
  broken.paths['/api/v1/services']!.get.responses = 'none';
  await assert.rejects(SwaggerParser.validate(broken as never), 'the validator does reject an invalid document');
});

test('every /api/v1 route registered in Fastify is documented, and every documented path is served', () => {
  const registered = registeredGetRoutes();
  for (const path of ['/api/v1/services', '/api/v1/services/:leikaKey', '/leistungen/:leikaKey', '/api/v1/municipalities/:ags/xzufi.xml']) {
    assert.ok(registered.includes(path), `the route tree is read correctly: ${path} in ${registered.join(' ')}`);
  }
  // Each path read from the tree is a real route (wildcards such as the static files' are printed in short).
  for (const path of registered.filter((p) => !p.includes('*'))) assert.ok(app.server.hasRoute({ method: 'GET', url: path }), path);
  const documented = documentedGetPaths(document).map((path) => fastifyPath(path));
  const api = registered.filter((path) => path.startsWith('/api/v1/'));
  assert.deepEqual(api.filter((path) => !documented.includes(path)), [], 'undocumented /api/v1 routes');
  assert.deepEqual(documented.filter((path) => !registered.includes(path)), [], 'documented paths nobody serves');
});

test('every parameter a route validates is documented, with its rules from the same zod schema', () => {
  const services = publicGet(document.paths['/api/v1/services']!)!;
  assert.deepEqual(services.parameters.map((p) => p.name), ['q', 'ags', 'themenfeld', 'lage', 'online', 'limit', 'offset']);
  const limit = services.parameters.find((p) => p.name === 'limit')!;
  assert.deepEqual({ ...limit.schema }, { type: 'integer', minimum: 1, maximum: 100, default: 20 });
  assert.equal(services.parameters.find((p) => p.name === 'ags')!.schema.pattern, '^09\\d{6}$');
  const responsibility = publicGet(document.paths['/api/v1/responsibility']!)!.parameters;
  assert.deepEqual(responsibility.map((p) => [p.name, p.required]), [['leikaKey', true], ['ags', true]]);
  const service = publicGet(document.paths['/api/v1/services/{leikaKey}']!)!.parameters;
  assert.deepEqual(service.map((p) => [p.name, p.in, p.required]), [['leikaKey', 'path', true], ['ags', 'query', false]]);
  for (const [, op] of getOperations(document)) {
    for (const p of op.parameters) assert.ok(p.description && !p.description.startsWith('api.'), `${op.operationId} ${p.name} is described`);
  }
});

test('each example request answers 200 with a body of the documented schema, and each example matches it too', async () => {
  for (const [path, op] of getOperations(document)) {
    const res = await app.server.inject(op['x-example-request']);
    assert.equal(res.statusCode, 200, `${op['x-example-request']}: ${res.body.slice(0, 300)}`);
    assert.ok(op['x-example-request'].startsWith(path.replace(/\{\w+\}.*$/, '')), `${path}: the example is a request to it`);
    const ok = op.responses['200'] as { content: Record<string, { schema: { $ref?: string }; example: unknown }> };
    const [contentType, media] = Object.entries(ok.content)[0]!;
    assert.equal(res.headers['content-type'], `${contentType}; charset=utf-8`, path);
    if (contentType !== 'application/json') continue;
    const schema = bodySchemas[media.schema.$ref!.replace('#/components/schemas/', '')]!;
    const body: unknown = res.json();
    assert.deepEqual(schema.parse(body), body, `${path}: the answer has exactly the documented fields`);
    assert.deepEqual(schema.parse(media.example), media.example, `${path}: the example has exactly the documented fields`);
  }
  for (const [name, response] of Object.entries(document.components.responses)) {
    const example = response.content?.['application/problem+json']?.example;
    assert.deepEqual(Problem.parse(example), example, name);
  }
  assert.deepEqual(await validateXml(exampleXzufi, XZUFI_SCHEMA_PATH), { valid: true, errors: '' }, 'the XML example is valid against the export schema');
});

test('errors, parameter and schema texts are in the request\'s language', async () => {
  const en: OpenApiDocument = (await app.server.inject('/api/openapi.json?lang=en')).json();
  assert.equal(en.info.title, 'Digitales Amt Bavaria – public API');
  assert.equal(publicGet(en.paths['/api/v1/services']!)!.summary, 'Search or list services');
  const refused = (await app.server.inject('/api/v1/services?limit=0&lang=en')).json() as z.output<typeof Problem>;
  const example = en.components.responses.BadRequest!.content!['application/problem+json']!.example as z.output<typeof Problem>;
  assert.equal(example.title, refused.title, 'the example error is the one sent, in English');
  assert.notEqual(example.title, (document.components.responses.BadRequest!.content!['application/problem+json']!.example as { title: string }).title);
  const schemaText = JSON.stringify(en.components.schemas);
  assert.doesNotMatch(schemaText, /"description":"api\./, 'every description key is translated');
  assert.match(schemaText, /Whether the service is offered online/);
});

test('the documentation page lists each endpoint with parameters, example request and answer, without scripts of its own', async () => {
  const res = await app.server.inject('/api/docs');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  const doc = html(res);
  assert.equal(doc.querySelector('h1')!.text, 'Schnittstelle für Apps und Portale');
  const headings = doc.querySelectorAll('section.endpoint h2').map((h) => h.text.replace(/\s+/g, ' ').trim());
  assert.deepEqual(headings, getOperations(document).map(([path]) => `GET ${path}`));
  for (const section of doc.querySelectorAll('section.endpoint')) {
    const path = section.querySelector('h2 code')!.text;
    const op = publicGet(document.paths[path]!)!;
    const rows = section.querySelector('table.api-table--parameters')?.querySelectorAll('tbody th[scope=row]').map((th) => th.text) ?? [];
    assert.deepEqual(rows, op.parameters.map((p) => p.name), `${path}: a row per parameter`);
    assert.ok(section.querySelector(`a[href="${op['x-example-request']}"]`), `${path}: the example request`);
    assert.ok(section.querySelectorAll('pre.code-block').length === 2, `${path}: example request and answer`);
  }
  assert.ok(doc.querySelector('a[href="/api/openapi.json"]'));
  assert.deepEqual(doc.querySelectorAll('script').map((s) => s.getAttribute('src')), ['/static/app.js'], 'only the site\'s own script');
  assert.match(doc.querySelector('#errors + p + pre')!.text, /&quot;invalidParams&quot;|"invalidParams"/);

  const en = html(await app.server.inject('/api/docs?lang=en'));
  assert.equal(en.querySelector('h1')!.text, 'API for apps and portals');
  assert.ok(en.querySelector('a[href="/api/openapi.json?lang=en"]'));
});
