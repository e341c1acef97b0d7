/**
 * The public, read-only JSON API for mobile apps and other portals (no cookies or sessions needed),
 * its OpenAPI 3.1 document and the readable documentation page, and the XZuFi-style export of a
 * municipality's services. Errors under /api/ are application/problem+json (platform/http/web.ts);
 * a refused parameter is named in `invalidParams`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../../app-deps.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { findMunicipality } from '../municipalities/index.ts';
import { describeEndpoints, describeProblemExample } from './api-docs.ts';
import { municipalityPath, responsibilityQuery, serviceFormQuery, serviceListQuery, servicePath, serviceQuery } from './api.schemas.ts';
import { describeServiceForm } from './describe-service-form.ts';
import { describeService } from './describe-service.ts';
import { findResponsibility } from './find-responsibility.ts';
import { listServicesForApi } from './list-services.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { parseParams } from './present.ts';
import { exportXzufi } from './xzufi/export-xzufi.ts';

/**
 * Registers the public read-only catalogue endpoints under /api/v1. They run on the lean API
 * platform (platform/http/api-platform.ts), not the web platform: no sessions or cookies.
 */
export async function publicApiRoutes(app: FastifyInstance, { db, config, catalogCache, formVersions }: Pick<AppDeps, 'db' | 'config' | 'catalogCache' | 'formVersions'>): Promise<void> {
  // Answers are derived from the catalogue only: cached per instance as their JSON text (serialised
  // once, not per request), dropped when the catalogue changes.
  const cached = async <T>(reply: FastifyReply, kind: string, locale: string, params: unknown, load: () => Promise<T>) =>
    reply.type('application/json; charset=utf-8')
      .send(await catalogCache.get(`api:${kind}:${locale}:${JSON.stringify(params)}`, async () => JSON.stringify(await load())));

  // Public catalogue data: a reverse proxy or the client may keep an answer for a minute.
  app.addHook('onSend', async (req, reply) => {
    if (req.method === 'GET' && reply.statusCode === 200 && req.url.startsWith('/api/v1/')) reply.header('cache-control', 'public, max-age=60');
  });

  app.get('/api/v1/services', async (req, reply) => {
    const params = parseParams(serviceListQuery, req.query);
    return cached(reply, 'services', req.locale, params, () => listServicesForApi(db, params));
  });

  app.get('/api/v1/services/:leikaKey', async (req, reply) => {
    const { leikaKey } = parseParams(servicePath, req.params);
    const { ags } = parseParams(serviceQuery, req.query);
    return cached(reply, 'service', req.locale, [leikaKey, ags], () => describeService(db, leikaKey, ags));
  });

  // Not cached per instance: a new form version may be taken without a catalogue change.
  app.get('/api/v1/services/:leikaKey/form', async (req) => {
    const { leikaKey } = parseParams(servicePath, req.params);
    const { ags } = parseParams(serviceFormQuery, req.query);
    return describeServiceForm(db, formVersions, leikaKey, ags);
  });

  app.get('/api/v1/responsibility', async (req, reply) => {
    const { leikaKey, ags } = parseParams(responsibilityQuery, req.query);
    return cached(reply, 'responsibility', req.locale, [leikaKey, ags], () => findResponsibility(db, leikaKey, ags));
  });

  app.get('/api/v1/municipalities/:ags/xzufi.xml', async (req, reply) => {
    const { ags } = parseParams(municipalityPath, req.params);
    const municipality = await findMunicipality(db, ags);
    if (!municipality) throw new DomainError('NOT_FOUND');
    const xml = await exportXzufi(db, municipality, { publicUrl: config.publicUrl });
    return reply.type('application/xml; charset=utf-8')
      .header('content-disposition', `inline; filename="xzufi-${municipality.ags}.xml"`)
      .send(xml);
  });

}

/** Registers /api/openapi.json and the documentation page /api/docs (web platform: the page has the layout). */
export async function apiRoutes(app: FastifyInstance, { config }: AppDeps): Promise<void> {
  // The document follows the request's language (?lang=en), like every text of the portal.
  app.get('/api/openapi.json', async (req) => buildOpenApiDocument(req.t, { publicUrl: config.publicUrl }));

  app.get('/api/docs', async (req, reply) => {
    const document = buildOpenApiDocument(req.t, { publicUrl: config.publicUrl });
    return reply.page('modules/api/views/docs.njk', {
      pageTitle: req.t('api.docs.title'),
      info: document.info,
      openapiUrl: req.locale === 'de' ? '/api/openapi.json' : `/api/openapi.json?lang=${req.locale}`,
      endpoints: describeEndpoints(document, req.t),
      errorExample: describeProblemExample(document),
    });
  });
}
