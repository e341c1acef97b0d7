/**
 * SQL for tenants: the authorities the platform is operated for.
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TenantKind } from '../../platform/db/schema.ts';
import { bumpCacheVersion } from '../../platform/cache/versioned-cache.ts';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  kind: TenantKind;
  municipality_ags: string | null;
  district_key: string | null;
  connected_at: Date | null;
}

export interface NewTenant {
  slug: string;
  name: string;
  kind: TenantKind;
  municipalityAgs?: string | null;
  districtKey?: string | null;
  connectedAt?: Date | null;
}

const columns = ['id', 'slug', 'name', 'kind', 'municipality_ags', 'district_key', 'connected_at'] as const;

/** Inserts a tenant, or returns the existing one with the same slug (idempotent seeding). */
export async function upsertTenant(db: Db | Tx, tenant: NewTenant): Promise<Tenant> {
  await db
    .insertInto('tenants')
    .values({
      slug: tenant.slug,
      name: tenant.name,
      kind: tenant.kind,
      municipality_ags: tenant.municipalityAgs ?? null,
      district_key: tenant.districtKey ?? null,
      connected_at: tenant.connectedAt ?? null,
    })
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  // Which authorities are on the platform is part of what the catalogue's finder answers.
  await bumpCacheVersion(db, 'catalog');
  return db.selectFrom('tenants').select(columns).where('slug', '=', tenant.slug).executeTakeFirstOrThrow();
}

/** Tenants onboarded to the platform, by name. */
export async function listConnectedTenants(db: Db): Promise<Tenant[]> {
  return db.selectFrom('tenants').select(columns).where('connected_at', 'is not', null).orderBy('name').execute();
}

export async function findTenantOfDistrict(db: Db, districtKey: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').select(columns).where('kind', '=', 'district_office').where('district_key', '=', districtKey).executeTakeFirst();
}

export async function findTenantOfMunicipality(db: Db, ags: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').select(columns).where('municipality_ags', '=', ags).executeTakeFirst();
}

/** The tenants of a municipality and (when given) of its district office. */
export async function findTenantsOfArea(db: Db, ags: string, districtKey: string | null): Promise<Tenant[]> {
  return db.selectFrom('tenants').select(columns)
    .where((eb) => eb.or([
      eb('municipality_ags', '=', ags),
      ...(districtKey ? [eb.and([eb('kind', '=', 'district_office'), eb('district_key', '=', districtKey)])] : []),
    ]))
    .execute();
}

export async function findTenantsByIds(db: Db, ids: string[]): Promise<Tenant[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('tenants').select(columns).where('id', 'in', ids).orderBy('name').execute();
}
