/**
 * SQL for the service catalogue: topics, life events, services, online procedures, local texts.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';

export async function listTopics(db: Db) {
  return db.selectFrom('topics as t')
    .select(['t.id', 't.name', 't.slug'])
    .select((eb) => eb.selectFrom('ozg_services as o').innerJoin('services as s', 's.ozg_service_id', 'o.id')
      .select(eb.fn.countAll<number>().as('n')).whereRef('o.topic_id', '=', 't.id').as('service_count'))
    .orderBy('t.name').execute();
}

export async function findTopicBySlug(db: Db, slug: string) {
  return db.selectFrom('topics').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function listLifeEvents(db: Db, topicId?: number) {
  let q = db.selectFrom('life_events').selectAll().orderBy('name');
  if (topicId) q = q.where('topic_id', '=', topicId);
  return q.execute();
}

export async function findLifeEventBySlug(db: Db, slug: string) {
  return db.selectFrom('life_events as l').innerJoin('topics as t', 't.id', 'l.topic_id')
    .select(['l.id', 'l.name', 'l.slug', 'l.audience', 't.name as topic_name', 't.slug as topic_slug'])
    .where('l.slug', '=', slug).executeTakeFirst();
}

/** The OZG services of a life event with their general (top-level) LeiKa services. */
export async function listServicesOfLifeEvent(db: Db, lifeEventId: number) {
  return db.selectFrom('ozg_services as o').innerJoin('services as s', 's.ozg_service_id', 'o.id')
    .select(['o.id as ozg_id', 'o.name as ozg_name', 's.leika_key', 's.name'])
    .where('o.life_event_id', '=', lifeEventId)
    // General services end in 000 (the "Verrichtung" level); the variants follow on the service page.
    .where(sql<boolean>`s.leika_key LIKE '%000'`)
    .orderBy('o.name').orderBy('s.name').execute();
}

/** Services with their OZG service, topic and life event. */
function selectServiceDetails(db: Db) {
  return db.selectFrom('services as s')
    .leftJoin('ozg_services as o', 'o.id', 's.ozg_service_id')
    .leftJoin('topics as t', 't.id', 'o.topic_id')
    .leftJoin('life_events as l', 'l.id', 'o.life_event_id')
    .selectAll('s')
    .select(['o.name as ozg_service_name', 'o.id as ozg_id', 't.name as topic_name', 't.slug as topic_slug', 'l.name as life_event_name', 'l.slug as life_event_slug']);
}

export async function findService(db: Db, leikaKey: string) {
  return selectServiceDetails(db).where('s.leika_key', '=', leikaKey).executeTakeFirst();
}

/** Other services of the same LeiKa "Leistungsobjekt" (first 8 digits): the variants of a service. */
export async function listRelatedServices(db: Db, leikaKey: string) {
  return db.selectFrom('services').select(['leika_key', 'name'])
    .where('leika_key', 'like', `${leikaKey.slice(0, 8)}%`).where('leika_key', '<>', leikaKey)
    .orderBy('leika_key').limit(30).execute();
}

/** The active online procedures of these tenants for one service, by name (see `listOnlineProceduresFor`). */
export async function listOnlineProcedures(db: Db, leikaKey: string, tenantIds: string[]) {
  return listOnlineProceduresFor(db, tenantIds, [leikaKey]);
}

export async function findLocalText(db: Db, tenantId: string, leikaKey: string) {
  return db.selectFrom('local_service_texts').selectAll().where('tenant_id', '=', tenantId).where('leika_key', '=', leikaKey).executeTakeFirst();
}

export interface NewOnlineProcedure {
  leikaKey: string;
  name: string;
  kind: 'internal' | 'external';
  url: string | null;
  maturityModel: '1' | '2';
  maturityLevel: number;
  createdBy?: string | null;
}

/** Links an online procedure (idempotent per tenant, service and name). */
/** Inserts or updates the tenant's procedure of that name for the service; returns its id. */
export async function upsertOnlineProcedure(db: Db | Tx, tenantId: string, p: NewOnlineProcedure): Promise<string> {
  const row = await db.insertInto('online_procedures').values({
    tenant_id: tenantId, leika_key: p.leikaKey, name: p.name, kind: p.kind, url: p.url,
    maturity_model: p.maturityModel, maturity_level: p.maturityLevel, created_by: p.createdBy ?? null,
  }).onConflict((oc) => oc.columns(['tenant_id', 'leika_key', 'name']).doUpdateSet({
    kind: p.kind, url: p.url, maturity_model: p.maturityModel, maturity_level: p.maturityLevel, active: true, updated_at: new Date(),
  })).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function upsertAuthority(db: Db | Tx, a: {
  key: string; name: string; street?: string; postcode?: string; city?: string; phone?: string; email?: string;
  website?: string; openingHours?: string; tenantId?: string | null;
}): Promise<void> {
  const values = {
    name: a.name, street: a.street ?? null, postcode: a.postcode ?? null, city: a.city ?? null, phone: a.phone ?? null,
    email: a.email ?? null, website: a.website ?? null, opening_hours: a.openingHours ?? null, tenant_id: a.tenantId ?? null,
  };
  await db.insertInto('authorities').values({ key: a.key, ...values }).onConflict((oc) => oc.column('key').doUpdateSet(values)).execute();
}

/** Services that a municipality itself (or its association) is responsible for, by default rule. */
export async function listMunicipalServices(db: Db | Tx, limit: number): Promise<{ leika_key: string; name: string }[]> {
  return db.selectFrom('services as s').select(['s.leika_key', 's.name'])
    .where(({ exists, selectFrom }) => exists(selectFrom('responsibility_rules as r').select('r.leika_prefix')
      .where('r.level', '=', 'municipality').where(sql<boolean>`s.leika_key LIKE r.leika_prefix || '%'`)))
    .orderBy('s.leika_key').limit(limit).execute();
}

export interface ServiceListing {
  topicId?: number | undefined;
  lifeEventId?: number | undefined;
  /** Only services with an online procedure of one of `servingTenantIds`. */
  onlineOnly?: boolean;
  /** Tenants whose online procedures count (see `tenantsServing`). */
  servingTenantIds?: string[];
  limit: number;
  offset: number;
}

/** Services by name (all, or of a topic or life event), with the count of online procedures offered; the page and the total. */
export async function listServices(db: Db, listing: ServiceListing): Promise<{ total: number; items: { leika_key: string; name: string; topic_name: string | null; ozg_service_name: string | null; online_count: number }[] }> {
  const tenantIds = listing.servingTenantIds ?? [];
  const onlineCount = tenantIds.length
    ? sql<number>`(SELECT count(*)::int FROM online_procedures op WHERE op.leika_key = s.leika_key AND op.active AND op.tenant_id IN (${sql.join(tenantIds)}))`
    : sql<number>`0`;
  const result = await sql<{ leika_key: string; name: string; topic_name: string | null; ozg_service_name: string | null; online_count: number; total: number }>`
    WITH listed AS (
      SELECT s.leika_key, s.name, t.name AS topic_name, o.name AS ozg_service_name, ${onlineCount} AS online_count
      FROM services s
      LEFT JOIN ozg_services o ON o.id = s.ozg_service_id
      LEFT JOIN topics t ON t.id = o.topic_id
      WHERE true
        ${listing.topicId ? sql`AND o.topic_id = ${listing.topicId}` : sql``}
        ${listing.lifeEventId ? sql`AND o.life_event_id = ${listing.lifeEventId}` : sql``})
    SELECT leika_key, name, topic_name, ozg_service_name, online_count, count(*) OVER ()::int AS total
    FROM listed
    ${listing.onlineOnly ? sql`WHERE online_count > 0` : sql``}
    ORDER BY name, leika_key
    LIMIT ${listing.limit} OFFSET ${listing.offset}`.execute(db);
  return { total: result.rows[0]?.total ?? 0, items: result.rows.map(({ total: _total, ...row }) => row) };
}

/** Active online procedures of these tenants, for the given services (all services when `leikaKeys` is omitted); by service, then name. */
export async function listOnlineProceduresFor(db: Db, tenantIds: string[], leikaKeys?: string[]) {
  if (tenantIds.length === 0 || leikaKeys?.length === 0) return [];
  let query = db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select(['p.id', 'p.leika_key', 'p.name', 'p.kind', 'p.url', 'p.maturity_model', 'p.maturity_level', 't.name as tenant_name', 't.id as tenant_id'])
    // An internal procedure can be started here once a form is attached (applications module).
    .select((eb) => eb.exists(eb.selectFrom('application_procedures as ap').select('ap.online_procedure_id').whereRef('ap.online_procedure_id', '=', 'p.id')).as('applicable'))
    .where('p.active', '=', true).where('p.tenant_id', 'in', tenantIds);
  if (leikaKeys) query = query.where('p.leika_key', 'in', leikaKeys);
  return query.orderBy('p.leika_key').orderBy('p.name').orderBy('p.id').execute();
}

/** The services with these keys, with their OZG service, topic and life event (like `findService`), by key. */
export async function findServicesByKeys(db: Db, leikaKeys: string[]) {
  if (leikaKeys.length === 0) return [];
  return selectServiceDetails(db).where('s.leika_key', 'in', leikaKeys).orderBy('s.leika_key').execute();
}

/** The local service texts written by these tenants. */
export async function listLocalTextsOf(db: Db, tenantIds: string[]) {
  if (tenantIds.length === 0) return [];
  return db.selectFrom('local_service_texts').selectAll().where('tenant_id', 'in', tenantIds).orderBy('leika_key').execute();
}
