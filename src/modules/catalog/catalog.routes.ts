/**
 * Public catalogue pages: service search with filters for the chosen municipality, topics and life
 * events to browse, and the service page with the responsible authority and its online procedures.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { VersionedCache } from '../../platform/cache/versioned-cache.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { findMunicipality } from '../municipalities/index.ts';
import {
  findLifeEventBySlug, findLocalText, findService, findTopicBySlug, listLifeEvents, listOnlineProcedures, listRelatedServices,
  listServicesOfLifeEvent, listTopics,
} from './catalog.repository.ts';
import { ags as agsSchema, leikaKey as leikaKeySchema, serviceSearchQuery } from './catalog.schemas.ts';
import { findResponsibleAuthorityCached, tenantsServing } from './find-responsible-authority.ts';
import { searchServices } from './search-services.ts';

export const MUNICIPALITY_COOKIE = 'gemeinde';

/** The municipality the visitor chose: `?ags=` wins over the remembered choice. */
export async function chosenMunicipality(db: Db, req: FastifyRequest) {
  const fromQuery = agsSchema.safeParse((req.query as Record<string, unknown>)?.ags);
  const fromCookie = agsSchema.safeParse(req.cookies[MUNICIPALITY_COOKIE]);
  const code = fromQuery.success ? fromQuery.data : fromCookie.success ? fromCookie.data : undefined;
  return code ? findMunicipality(db, code) : undefined;
}

export async function catalogRoutes(app: FastifyInstance, { db, config, catalogCache }: { db: Db; config: Config; catalogCache: VersionedCache }): Promise<void> {
  // Catalogue lookups are the same for every visitor: cached per instance until the catalogue changes.
  const serving = (ags: string) => catalogCache.get(`serving:${ags}`, () => tenantsServing(db, ags));
  const search = (args: Parameters<typeof searchServices>[1]) => catalogCache.get(`search:${JSON.stringify(args)}`, () => searchServices(db, args));
  const responsible = (leikaKey: string, ags: string) => findResponsibleAuthorityCached(catalogCache, db, leikaKey, ags);

  app.get('/leistungen', async (req, reply) => {
    const parsed = serviceSearchQuery.safeParse(req.query);
    if (!parsed.success) throw new DomainError('BAD_REQUEST');
    const query = parsed.data;
    const [municipality, topics] = await Promise.all([chosenMunicipality(db, req), listTopics(db)]);
    const topic = query.themenfeld ? topics.find((t) => t.slug === query.themenfeld) : undefined;
    const lifeEvents = await listLifeEvents(db, topic?.id);
    const lifeEvent = query.lage ? lifeEvents.find((l) => l.slug === query.lage) : undefined;
    const servingTenantIds = municipality ? await serving(municipality.ags) : [];
    const pageSize = 20;
    const result = query.q
      ? await search({
        q: query.q, topicId: topic?.id, lifeEventId: lifeEvent?.id, onlineOnly: query.online && servingTenantIds.length > 0,
        servingTenantIds, limit: pageSize, offset: (query.seite - 1) * pageSize,
      })
      : { total: 0, items: [] };
    const pages = Math.ceil(result.total / pageSize);
    const pageUrl = (n: number) => {
      const params = new URLSearchParams({ q: query.q, ...(topic ? { themenfeld: topic.slug } : {}), ...(lifeEvent ? { lage: lifeEvent.slug } : {}), ...(query.online ? { online: '1' } : {}), seite: String(n) });
      return `/leistungen?${params}`;
    };
    return reply.page('modules/catalog/views/search.njk', {
      pageTitle: query.q ? req.t('catalog.search.resultsTitle', { q: query.q }) : req.t('catalog.search.title'),
      query, topics, lifeEvents, topic, lifeEvent, municipality, result,
      page: query.seite, pages, prevUrl: query.seite > 1 ? pageUrl(query.seite - 1) : null, nextUrl: query.seite < pages ? pageUrl(query.seite + 1) : null,
    });
  });

  app.get('/themen', async (req, reply) =>
    reply.page('modules/catalog/views/topics.njk', { pageTitle: req.t('catalog.topics.title'), topics: await listTopics(db), lifeEvents: await listLifeEvents(db) }));

  app.get<{ Params: { slug: string } }>('/themen/:slug', async (req, reply) => {
    const topic = await findTopicBySlug(db, req.params.slug);
    if (!topic) throw new DomainError('NOT_FOUND');
    const lifeEvents = await listLifeEvents(db, topic.id);
    return reply.page('modules/catalog/views/topic.njk', {
      pageTitle: topic.name, topic,
      citizen: lifeEvents.filter((l) => l.audience === 'citizen'), business: lifeEvents.filter((l) => l.audience === 'business'),
    });
  });

  app.get<{ Params: { slug: string } }>('/lagen/:slug', async (req, reply) => {
    const lifeEvent = await findLifeEventBySlug(db, req.params.slug);
    if (!lifeEvent) throw new DomainError('NOT_FOUND');
    const rows = await listServicesOfLifeEvent(db, lifeEvent.id);
    const groups = new Map<string, { name: string; services: { leika_key: string; name: string }[] }>();
    for (const r of rows) {
      const g = groups.get(String(r.ozg_id)) ?? { name: r.ozg_name, services: [] };
      g.services.push({ leika_key: r.leika_key, name: r.name });
      groups.set(String(r.ozg_id), g);
    }
    return reply.page('modules/catalog/views/life-event.njk', { pageTitle: lifeEvent.name, lifeEvent, groups: [...groups.values()] });
  });

  app.get<{ Params: { leikaKey: string } }>('/leistungen/:leikaKey', async (req, reply) => {
    if (!leikaKeySchema.safeParse(req.params.leikaKey).success) throw new DomainError('NOT_FOUND');
    const service = await findService(db, req.params.leikaKey);
    if (!service) throw new DomainError('NOT_FOUND');
    const municipality = await chosenMunicipality(db, req);
    const [authority, related, servingTenantIds] = await Promise.all([
      municipality ? responsible(service.leika_key, municipality.ags) : undefined,
      listRelatedServices(db, service.leika_key),
      municipality ? serving(municipality.ags) : [],
    ]);
    const procedures = await listOnlineProcedures(db, service.leika_key, servingTenantIds);
    const localText = authority?.tenantId ? await findLocalText(db, authority.tenantId, service.leika_key) : undefined;
    return reply.page('modules/catalog/views/service.njk', {
      pageTitle: service.name, service, municipality, authority, procedures, localText, related,
      legalBasis: splitLegalBasis(service.legal_basis),
    });
  });

  // Remembers the chosen municipality. A preference like the language (no personal data, nothing
  // stored on the server), so a plain link sets it and no session or CSRF token is involved.
  app.get('/meine-gemeinde', async (req, reply) => {
    const query = z.object({ ags: agsSchema, zurueck: z.string().max(300).optional() }).safeParse(req.query);
    if (!query.success || !(await findMunicipality(db, query.data.ags))) throw new DomainError('BAD_REQUEST');
    reply.setCookie(MUNICIPALITY_COOKIE, query.data.ags, { path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies, maxAge: 365 * 24 * 3600 });
    return reply.redirect(safeLocalPath(query.data.zurueck) ?? `/gemeinden/${query.data.ags}`, 303);
  });
}

/** A path on this site (for redirects after a choice), or undefined. */
export function safeLocalPath(path: string | undefined): string | undefined {
  return path && /^\/(?!\/)[\w\-./?=&%+]*$/.test(path) ? path : undefined;
}

/** "§ 17 BMG [http://…]" -> text and link, for the legal basis list. */
export function splitLegalBasis(text: string | null): { text: string; url: string | null }[] {
  if (!text) return [];
  return [...text.matchAll(/([^[\]]+?)\s*(?:\[(https?:\/\/[^\]\s]+)\])?(?:,\s*|$)/g)]
    .map((m) => ({ text: (m[1] ?? '').trim().replace(/^,\s*/, ''), url: m[2] ?? null }))
    .filter((p) => p.text.length > 0);
}

