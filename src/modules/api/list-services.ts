/**
 * GET /api/v1/services: the service search (with `q`) or the catalogue by name (without), filtered
 * by topic and life event, and for a municipality with the online procedures offered there.
 */
import type { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { DomainError, type InvalidParam } from '../../platform/http/errors.ts';
import {
  findLifeEventBySlug, findTopicBySlug, listOnlineProceduresFor, listServices, searchServices, tenantsServing,
} from '../catalog/index.ts';
import { findMunicipality } from '../municipalities/index.ts';
import type { serviceListQuery, ServiceListBody } from './api.schemas.ts';
import { presentProcedure, servicePageUrl } from './present.ts';

/**
 * Lists or searches services.
 * @throws DomainError BAD_REQUEST naming `ags`, `themenfeld`, `lage` when unknown, or `online` without `ags`.
 */
export async function listServicesForApi(db: Db, query: z.output<typeof serviceListQuery>): Promise<ServiceListBody> {
  const [municipality, topic, lifeEvent] = await Promise.all([
    query.ags ? findMunicipality(db, query.ags) : undefined,
    query.themenfeld ? findTopicBySlug(db, query.themenfeld) : undefined,
    query.lage ? findLifeEventBySlug(db, query.lage) : undefined,
  ]);
  const onlineOnly = query.online === 'true' || query.online === '1';
  const refused: InvalidParam[] = [];
  if (query.ags && !municipality) refused.push({ name: 'ags', reason: 'api.param.ags.unknown' });
  if (query.themenfeld && !topic) refused.push({ name: 'themenfeld', reason: 'api.param.themenfeld.unknown' });
  if (query.lage && !lifeEvent) refused.push({ name: 'lage', reason: 'api.param.lage.unknown' });
  // "Online" means offered to a municipality's residents; without one the filter would mean nothing.
  if (onlineOnly && !query.ags) refused.push({ name: 'online', reason: 'api.param.online.needsAgs' });
  if (refused.length > 0) throw new DomainError('BAD_REQUEST', undefined, { invalidParams: refused });

  const servingTenantIds = municipality ? await tenantsServing(db, municipality.ags) : [];
  const filter = {
    topicId: topic?.id, lifeEventId: lifeEvent?.id, onlineOnly, servingTenantIds, limit: query.limit, offset: query.offset,
  };
  const result = query.q
    ? await searchServices(db, { q: query.q, ...filter })
    : await listServices(db, filter);

  const procedures = await listOnlineProceduresFor(db, servingTenantIds, result.items.filter((s) => s.online_count > 0).map((s) => s.leika_key));
  return {
    total: result.total,
    limit: query.limit,
    offset: query.offset,
    items: result.items.map((s) => ({
      leikaKey: s.leika_key,
      name: s.name,
      topic: s.topic_name,
      ozgService: s.ozg_service_name,
      online: municipality ? s.online_count > 0 : null,
      onlineProcedures: procedures.filter((p) => p.leika_key === s.leika_key).map((p) => presentProcedure(p, municipality?.ags)),
      url: servicePageUrl(s.leika_key, municipality?.ags),
    })),
  };
}
