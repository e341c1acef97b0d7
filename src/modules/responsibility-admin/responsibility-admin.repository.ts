/**
 * SQL of the responsibility pages: overrides of the authority finder (per service and area), the
 * authorities they name, and the areas they apply to. The catalogue is not tenant-owned; instead
 * every list is filtered by the staff member's area scope (state-wide, some districts, some
 * municipalities), so that an administrator never sees or changes overrides outside it.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { AreaKind } from '../../platform/db/schema.ts';
import type { NewAuthorityInput, OverrideRef } from './responsibility-admin.schemas.ts';

/** The areas a staff member may manage: everything, or the areas of some districts and municipalities. */
export interface AreaScope {
  stateWide: boolean;
  /** Districts (5-digit keys) whose district, associations and municipalities are in scope. */
  districtKeys: readonly string[];
  /** Municipalities (AGS) in scope on their own. */
  municipalityAgs: readonly string[];
}

/** An area an override may apply to, as found in the reference data. */
export interface Area {
  kind: AreaKind;
  code: string;
  name: string;
  /** The districts the area lies in (none for a Regierungsbezirk, which spans several). */
  districtKeys: string[];
  /** For a district: a Landkreis or a kreisfreie Stadt. */
  districtKind: 'landkreis' | 'kreisfreie_stadt' | null;
}

/** An override with the names of its service, area and authority. */
export interface OverrideRow {
  leikaKey: string;
  serviceName: string;
  areaKind: AreaKind;
  areaCode: string;
  areaName: string | null;
  districtKind: 'landkreis' | 'kreisfreie_stadt' | null;
  authorityKey: string;
  /** Null when the override names an authority without an `authorities` row. */
  authorityName: string | null;
}

/** An authority with contact data, as offered in the form. */
export interface AuthorityOption {
  key: string;
  name: string;
  city: string | null;
}

/** Strips the "(VGem)" the Destatis extract appends to the names of Verwaltungsgemeinschaften. */
function associationName(name: string): string {
  return name.replace(/\s*\(VGem\)$/, '');
}

/**
 * A condition: the area given by `kind` and `code` (SQL expressions) is in `scope`. A district
 * scope covers the district itself and the associations and municipalities in it.
 */
function inScope(kind: Expression<unknown> | RawBuilder<unknown>, code: Expression<unknown> | RawBuilder<unknown>, scope: AreaScope): RawBuilder<SqlBool> {
  if (scope.stateWide) return sql<SqlBool>`true`;
  const parts: RawBuilder<SqlBool>[] = [];
  if (scope.municipalityAgs.length) parts.push(sql`(${kind} = 'municipality' AND ${code} IN (${sql.join(scope.municipalityAgs)}))`);
  if (scope.districtKeys.length) {
    const districts = sql.join(scope.districtKeys);
    parts.push(sql`(${kind} = 'district' AND ${code} IN (${districts}))`);
    parts.push(sql`(${kind} = 'municipality' AND ${code} IN (SELECT ags::text FROM municipalities WHERE district_key IN (${districts})))`);
    parts.push(sql`(${kind} = 'association' AND ${code} IN (SELECT substr(ars, 1, 9) FROM municipalities WHERE association_name IS NOT NULL AND district_key IN (${districts})))`);
  }
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` OR `)})` : sql<SqlBool>`false`;
}

/** The service's name, or undefined for an unknown LeiKa key. */
export async function findServiceName(db: Db | Tx, leikaKey: string): Promise<string | undefined> {
  return (await db.selectFrom('services').select('name').where('leika_key', '=', leikaKey).executeTakeFirst())?.name;
}

/**
 * The area of `kind` with `code`, or undefined when there is none: a municipality by AGS, a
 * Verwaltungsgemeinschaft by the first nine digits of its members' ARS, a district by its key, a
 * Regierungsbezirk by its name.
 */
export async function findArea(db: Db | Tx, kind: AreaKind, code: string): Promise<Area | undefined> {
  switch (kind) {
    case 'municipality': {
      const m = await db.selectFrom('municipalities').select(['ags', 'name', 'district_key']).where('ags', '=', code).executeTakeFirst();
      return m && { kind, code: m.ags, name: m.name, districtKeys: [m.district_key], districtKind: null };
    }
    case 'association': {
      const members = await db.selectFrom('municipalities').select(['association_name', 'district_key'])
        .where(sql<SqlBool>`substr(ars, 1, 9) = ${code}`).where('association_name', 'is not', null).execute();
      const first = members[0];
      return first && {
        kind, code, name: associationName(first.association_name ?? ''),
        districtKeys: [...new Set(members.map((m) => m.district_key))], districtKind: null,
      };
    }
    case 'district': {
      const d = await db.selectFrom('districts').select(['key', 'name', 'kind']).where('key', '=', code).executeTakeFirst();
      return d && { kind, code: d.key, name: d.name, districtKeys: [d.key], districtKind: d.kind };
    }
    case 'region': {
      // By name, ignoring case ("oberfranken"); the stored spelling is returned.
      const r = await db.selectFrom('districts').select('regierungsbezirk').where(sql<string>`lower(regierungsbezirk)`, '=', code.toLowerCase()).limit(1).executeTakeFirst();
      return r && { kind, code: r.regierungsbezirk, name: r.regierungsbezirk, districtKeys: [], districtKind: null };
    }
  }
}

function selectOverrides(db: Db | Tx) {
  return db.selectFrom('responsibility_overrides as o')
    .innerJoin('services as s', 's.leika_key', 'o.leika_key')
    .leftJoin('authorities as a', 'a.key', 'o.authority_key')
    .leftJoin('municipalities as m', (j) => j.on(sql<SqlBool>`o.area_kind = 'municipality' AND m.ags = o.area_code`))
    .leftJoin('districts as d', (j) => j.on(sql<SqlBool>`o.area_kind = 'district' AND d.key = o.area_code`))
    .select([
      'o.leika_key as leikaKey', 's.name as serviceName', 'o.area_kind as areaKind', 'o.area_code as areaCode',
      'o.authority_key as authorityKey', 'a.name as authorityName', 'd.kind as districtKind',
      sql<string | null>`CASE o.area_kind WHEN 'municipality' THEN m.name WHEN 'district' THEN d.name
        WHEN 'association' THEN (SELECT min(x.association_name) FROM municipalities x WHERE substr(x.ars, 1, 9) = o.area_code AND x.association_name IS NOT NULL)
        ELSE o.area_code END`.as('areaName'),
    ]);
}

function withAssociationName<T extends { areaKind: AreaKind; areaName: string | null }>(row: T): T {
  return row.areaKind === 'association' && row.areaName ? { ...row, areaName: associationName(row.areaName) } : row;
}

/** The overrides of areas in `scope`, by service name and area, at most `limit`; and how many there are. */
export async function listOverrides(db: Db, scope: AreaScope, limit: number): Promise<{ total: number; items: OverrideRow[] }> {
  const filter = inScope(sql.ref('o.area_kind'), sql.ref('o.area_code'), scope);
  const [items, count] = await Promise.all([
    selectOverrides(db).where(filter)
      .orderBy('s.name').orderBy('o.leika_key')
      .orderBy(sql`CASE o.area_kind WHEN 'municipality' THEN 0 WHEN 'association' THEN 1 WHEN 'district' THEN 2 ELSE 3 END`)
      .orderBy('o.area_code').limit(limit).execute(),
    db.selectFrom('responsibility_overrides as o').select(sql<number>`count(*)::int`.as('n')).where(filter).executeTakeFirstOrThrow(),
  ]);
  return { total: Number(count.n), items: items.map(withAssociationName) };
}

/** The override `ref` if its area is in `scope`, else undefined. */
export async function findOverride(db: Db | Tx, scope: AreaScope, ref: OverrideRef): Promise<OverrideRow | undefined> {
  const row = await selectOverrides(db)
    .where('o.leika_key', '=', ref.leikaKey).where('o.area_kind', '=', ref.areaKind).where('o.area_code', '=', ref.areaCode)
    .where(inScope(sql.ref('o.area_kind'), sql.ref('o.area_code'), scope))
    .executeTakeFirst();
  return row && withAssociationName(row);
}

/** Adds an override; false when the service already has one for this area (nothing written). */
export async function insertOverride(tx: Tx, ref: OverrideRef, authorityKey: string): Promise<boolean> {
  const row = await tx.insertInto('responsibility_overrides')
    .values({ leika_key: ref.leikaKey, area_kind: ref.areaKind, area_code: ref.areaCode, authority_key: authorityKey })
    .onConflict((oc) => oc.columns(['leika_key', 'area_kind', 'area_code']).doNothing())
    .returning('authority_key').executeTakeFirst();
  return row !== undefined;
}

/** Deletes the override `ref` if its area is in `scope`; returns the authority it named, or undefined when none was deleted. */
export async function deleteOverride(tx: Tx, scope: AreaScope, ref: OverrideRef): Promise<string | undefined> {
  const row = await tx.deleteFrom('responsibility_overrides')
    .where('leika_key', '=', ref.leikaKey).where('area_kind', '=', ref.areaKind).where('area_code', '=', ref.areaCode)
    .where(inScope(sql.ref('area_kind'), sql.ref('area_code'), scope))
    .returning('authority_key').executeTakeFirst();
  return row?.authority_key;
}

/** The authorities with an `authorities` row whose own area is in `scope`, and every state authority, by name. */
export async function listAuthorities(db: Db, scope: AreaScope): Promise<AuthorityOption[]> {
  return db.selectFrom('authorities as a').select(['a.key', 'a.name', 'a.city'])
    .where(sql<SqlBool>`(a.key LIKE 'state:%' OR ${inScope(sql`split_part(a.key, ':', 1)`, sql`split_part(a.key, ':', 2)`, scope)})`)
    .orderBy('a.name').orderBy('a.key').execute();
}

/** The authority with `key`, or undefined when it has no `authorities` row. */
export async function findAuthority(db: Db | Tx, key: string): Promise<AuthorityOption | undefined> {
  return db.selectFrom('authorities').select(['key', 'name', 'city']).where('key', '=', key).executeTakeFirst();
}

/** Creates an authority with its contact data; false when the key is taken (nothing written). */
export async function insertAuthority(tx: Tx, key: string, a: NewAuthorityInput): Promise<boolean> {
  const row = await tx.insertInto('authorities').values({
    key, name: a.name, street: a.street, postcode: a.postcode, city: a.city, phone: a.phone, email: a.email,
    website: a.website, opening_hours: a.openingHours, tenant_id: null,
  }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
  return row !== undefined;
}

/** The areas of a scope that is not state-wide, for the form's hint: its districts, associations and municipalities by name. */
export async function listAreasInScope(db: Db, scope: AreaScope): Promise<Area[]> {
  if (scope.stateWide) return [];
  const districtKeys = [...scope.districtKeys];
  const [districts, municipalities] = await Promise.all([
    districtKeys.length ? db.selectFrom('districts').select(['key', 'name', 'kind']).where('key', 'in', districtKeys).orderBy('name').execute() : [],
    db.selectFrom('municipalities').select(['ags', 'ars', 'name', 'district_key', 'association_name'])
      .where((eb) => eb.or([
        ...(districtKeys.length ? [eb('district_key', 'in', districtKeys)] : []),
        ...(scope.municipalityAgs.length ? [eb('ags', 'in', [...scope.municipalityAgs])] : []),
      ]))
      .orderBy('name').execute(),
  ]);
  const associations = new Map<string, Area>();
  for (const m of municipalities) {
    if (m.association_name && districtKeys.includes(m.district_key)) {
      const code = m.ars.slice(0, 9);
      if (!associations.has(code)) associations.set(code, { kind: 'association', code, name: associationName(m.association_name), districtKeys: [m.district_key], districtKind: null });
    }
  }
  return [
    ...districts.map((d): Area => ({ kind: 'district', code: d.key, name: d.name, districtKeys: [d.key], districtKind: d.kind })),
    ...[...associations.values()].sort((a, b) => a.name.localeCompare(b.name, 'de')),
    ...municipalities.map((m): Area => ({ kind: 'municipality', code: m.ags, name: m.name, districtKeys: [m.district_key], districtKind: null })),
  ];
}

/** The Regierungsbezirke, by name. */
export async function listRegions(db: Db): Promise<string[]> {
  return (await db.selectFrom('districts').select('regierungsbezirk').distinct().orderBy('regierungsbezirk').execute()).map((r) => r.regierungsbezirk);
}
