/**
 * SQL for municipalities and districts (reference data, shared by all tenants).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { DistrictsTable, MunicipalitiesTable } from '../../platform/db/schema.ts';
import { foldPlaceName } from './search-text.ts';

export type Municipality = MunicipalitiesTable & { district_name: string; connected: boolean };
export type District = DistrictsTable;

const municipalityColumns = [
  'm.ags', 'm.ars', 'm.official_name', 'm.name', 'm.kind', 'm.district_key', 'm.regierungsbezirk',
  'm.association_name', 'm.area_km2', 'm.population', 'm.postcode', 'm.longitude', 'm.latitude', 'm.search_name',
] as const;

function selectMunicipalities(db: Db) {
  return db
    .selectFrom('municipalities as m')
    .innerJoin('districts as d', 'd.key', 'm.district_key')
    .select(municipalityColumns)
    .select('d.name as district_name')
    .select((eb) =>
      eb.exists(
        eb.selectFrom('tenants as t').select('t.id').whereRef('t.municipality_ags', '=', 'm.ags').where('t.connected_at', 'is not', null),
      ).$castTo<boolean>().as('connected'),
    );
}

/**
 * Finds municipalities by postcode (exact, then by its first digits) or by (part of) the name.
 * Exact and prefix name matches come first, then by population.
 */
export async function searchMunicipalities(db: Db, query: string, limit = 50): Promise<Municipality[]> {
  const trimmed = query.trim();
  if (/^\d{5}$/.test(trimmed)) {
    return selectMunicipalities(db).where('m.postcode', '=', trimmed).orderBy('m.population', 'desc').limit(limit).execute();
  }
  if (/^\d{2,4}$/.test(trimmed)) {
    return selectMunicipalities(db).where('m.postcode', 'like', `${trimmed}%`).orderBy('m.postcode').orderBy('m.population', 'desc').limit(limit).execute();
  }
  const folded = foldPlaceName(trimmed);
  if (folded.length === 0) return [];
  const pattern = `%${escapeLike(folded)}%`;
  return selectMunicipalities(db)
    .where('m.search_name', 'like', pattern)
    .orderBy(sql`CASE WHEN m.search_name = ${folded} THEN 0 WHEN m.search_name LIKE ${`${escapeLike(folded)}%`} THEN 1 ELSE 2 END`)
    .orderBy('m.population', 'desc')
    .limit(limit)
    .execute();
}

/** Municipalities whose postcode starts like `postcode` (for "no exact match" suggestions). */
export async function findNearbyPostcodes(db: Db, postcode: string, limit = 20): Promise<Municipality[]> {
  return selectMunicipalities(db).where('m.postcode', 'like', `${postcode.slice(0, 3)}%`).orderBy('m.postcode').limit(limit).execute();
}

export async function findMunicipality(db: Db, ags: string): Promise<Municipality | undefined> {
  return selectMunicipalities(db).where('m.ags', '=', ags).executeTakeFirst();
}

export async function listMunicipalitiesOfDistrict(db: Db, districtKey: string): Promise<Municipality[]> {
  return selectMunicipalities(db).where('m.district_key', '=', districtKey).orderBy('m.search_name').execute();
}

export async function findDistrict(db: Db, key: string): Promise<District | undefined> {
  return db.selectFrom('districts').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function listDistricts(db: Db): Promise<District[]> {
  return db.selectFrom('districts').selectAll().orderBy('regierungsbezirk').orderBy('search_name').execute();
}

/** Districts whose name matches (for the search page). */
export async function searchDistricts(db: Db, query: string, limit = 10): Promise<District[]> {
  const folded = foldPlaceName(query);
  if (folded.length === 0) return [];
  return db.selectFrom('districts').selectAll().where('search_name', 'like', `%${escapeLike(folded)}%`).orderBy('search_name').limit(limit).execute();
}

export async function countMunicipalities(db: Db): Promise<number> {
  const row = await db.selectFrom('municipalities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts or updates districts and municipalities (idempotent reference-data load). */
export async function upsertReferenceData(tx: Tx, districts: District[], municipalities: MunicipalitiesTable[]): Promise<void> {
  for (let i = 0; i < districts.length; i += 500) {
    await tx.insertInto('districts').values(districts.slice(i, i + 500))
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'), kind: eb.ref('excluded.kind'),
        regierungsbezirk: eb.ref('excluded.regierungsbezirk'), search_name: eb.ref('excluded.search_name'),
      })))
      .execute();
  }
  for (let i = 0; i < municipalities.length; i += 500) {
    await tx.insertInto('municipalities').values(municipalities.slice(i, i + 500))
      .onConflict((oc) => oc.column('ags').doUpdateSet((eb) => ({
        ars: eb.ref('excluded.ars'), official_name: eb.ref('excluded.official_name'), name: eb.ref('excluded.name'),
        kind: eb.ref('excluded.kind'), district_key: eb.ref('excluded.district_key'), regierungsbezirk: eb.ref('excluded.regierungsbezirk'),
        association_name: eb.ref('excluded.association_name'), area_km2: eb.ref('excluded.area_km2'), population: eb.ref('excluded.population'),
        postcode: eb.ref('excluded.postcode'), longitude: eb.ref('excluded.longitude'), latitude: eb.ref('excluded.latitude'),
        search_name: eb.ref('excluded.search_name'),
      })))
      .execute();
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
