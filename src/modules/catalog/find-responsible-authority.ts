/**
 * The authority finder: which authority is responsible for a service in a municipality. An override
 * for the service and area wins (the most specific area first); otherwise the default rule with the
 * longest matching LeiKa prefix; otherwise a default by LeiKa type. The rule's level is then resolved
 * for the municipality: a Gemeinde in a Verwaltungsgemeinschaft is served by the association, a
 * kreisfreie Stadt is its own district office, a Große Kreisstadt takes some district tasks.
 */
import { sql } from 'kysely';
import type { VersionedCache } from '../../platform/cache/versioned-cache.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { ResponsibilityLevel } from '../../platform/db/schema.ts';
import { slugify } from './import-catalog.ts';

export interface ResponsibleAuthority {
  key: string;
  name: string;
  level: ResponsibilityLevel;
  /** Why: the rule or override that decided. */
  basis: 'override' | 'rule' | 'leika_type';
  note: string | null;
  contact: {
    street: string | null; postcode: string | null; city: string | null; phone: string | null;
    email: string | null; website: string | null; openingHours: string | null;
  } | null;
  /** The tenant of that authority, when it is connected to the platform. */
  tenantId: string | null;
}

interface Area {
  ags: string;
  ars: string;
  name: string;
  kind: string;
  district_key: string;
  district_name: string;
  regierungsbezirk: string;
  association_name: string | null;
}

// LeiKa types: 1 federal law, federal execution; 2/3 federal law, executed in the Land (in Bavaria
// mostly by the district offices); 4 state law; 5 municipal law.
function levelForType(leikaType: string | null): ResponsibilityLevel {
  if (leikaType === '5') return 'municipality';
  if (leikaType === '1') return 'state';
  return 'district';
}

function municipalityAuthorityName(a: Area): string {
  if (a.ags === '09162000') return 'Landeshauptstadt München';
  if (a.kind === 'gemeinde') return `Gemeinde ${a.name}`;
  if (a.kind === 'markt') return `Markt ${a.name}`;
  return `Stadt ${a.name}`;
}

/** Resolves a level to the authority for this area. */
export function authorityFor(level: ResponsibilityLevel, area: Area, stateAuthorityName: string | null): { key: string; name: string } {
  const independent = area.kind === 'kreisfreie_stadt';
  const own = { key: `municipality:${area.ags}`, name: municipalityAuthorityName(area) };
  const district = { key: `district:${area.district_key}`, name: `Landratsamt ${area.district_name}` };
  switch (level) {
    case 'municipality':
      return area.association_name
        ? { key: `association:${area.ars.slice(0, 9)}`, name: `Verwaltungsgemeinschaft ${area.association_name.replace(/\s*\(VGem\)$/, '')}` }
        : own;
    case 'district':
      return independent ? own : district;
    case 'district_or_major_town':
      return independent || area.kind === 'grosse_kreisstadt' ? own : district;
    case 'state': {
      const name = stateAuthorityName ?? 'Zuständige Landes- oder Bundesbehörde';
      return { key: `state:${slugify(name).slice(0, 40)}`, name };
    }
  }
}

/** Finds the responsible authority, or undefined when the service or municipality is unknown. */
/**
 * The finder's answer through the catalogue's cache, under one key per service and municipality
 * that every caller shares. In a transaction, pass the transaction (see `VersionedCache.get`).
 */
export function findResponsibleAuthorityCached(cache: VersionedCache, db: Db | Tx, leikaKey: string, ags: string): Promise<ResponsibleAuthority | undefined> {
  return cache.get(`authority:${leikaKey}:${ags}`, () => findResponsibleAuthority(db, leikaKey, ags), db.isTransaction ? db as Tx : undefined);
}

export async function findResponsibleAuthority(db: Db | Tx, leikaKey: string, ags: string): Promise<ResponsibleAuthority | undefined> {
  const [service, area] = await Promise.all([
    db.selectFrom('services').select(['leika_key', 'leika_type']).where('leika_key', '=', leikaKey).executeTakeFirst(),
    db.selectFrom('municipalities as m').innerJoin('districts as d', 'd.key', 'm.district_key')
      .select(['m.ags', 'm.ars', 'm.name', 'm.kind', 'm.district_key', 'd.name as district_name', 'm.regierungsbezirk', 'm.association_name'])
      .where('m.ags', '=', ags).executeTakeFirst(),
  ]);
  if (!service || !area) return undefined;

  const override = await db.selectFrom('responsibility_overrides').select(['authority_key', 'area_kind'])
    .where('leika_key', '=', leikaKey)
    .where((eb) => eb.or([
      eb.and([eb('area_kind', '=', 'municipality'), eb('area_code', '=', area.ags)]),
      eb.and([eb('area_kind', '=', 'association'), eb('area_code', '=', area.ars.slice(0, 9))]),
      eb.and([eb('area_kind', '=', 'district'), eb('area_code', '=', area.district_key)]),
      eb.and([eb('area_kind', '=', 'region'), eb('area_code', '=', area.regierungsbezirk)]),
    ]))
    .orderBy(sql`CASE area_kind WHEN 'municipality' THEN 0 WHEN 'association' THEN 1 WHEN 'district' THEN 2 ELSE 3 END`)
    .executeTakeFirst();

  let key: string; let name: string; let level: ResponsibilityLevel; let basis: ResponsibleAuthority['basis']; let note: string | null = null;
  if (override) {
    const row = await db.selectFrom('authorities').select(['key', 'name']).where('key', '=', override.authority_key).executeTakeFirst();
    key = override.authority_key;
    name = row?.name ?? override.authority_key;
    level = key.startsWith('state:') ? 'state' : key.startsWith('district:') ? 'district' : 'municipality';
    basis = 'override';
  } else {
    const rule = await db.selectFrom('responsibility_rules').selectAll()
      .where(sql<boolean>`${leikaKey} LIKE leika_prefix || '%'`)
      .orderBy(sql`length(leika_prefix)`, 'desc').executeTakeFirst();
    level = rule?.level ?? levelForType(service.leika_type);
    ({ key, name } = authorityFor(level, area, rule?.authority_name ?? null));
    basis = rule ? 'rule' : 'leika_type';
    note = rule?.note ?? null;
  }

  const [contact, tenant] = await Promise.all([
    db.selectFrom('authorities').selectAll().where('key', '=', key).executeTakeFirst(),
    tenantOfAuthority(db, key),
  ]);
  return {
    key, name: contact?.name ?? name, level, basis, note,
    contact: contact ? {
      street: contact.street, postcode: contact.postcode, city: contact.city, phone: contact.phone,
      email: contact.email, website: contact.website, openingHours: contact.opening_hours,
    } : null,
    tenantId: contact?.tenant_id ?? tenant,
  };
}

/** The connected tenant behind an authority key, if any. */
async function tenantOfAuthority(db: Db, key: string): Promise<string | null> {
  const [kind, code] = key.split(':') as [string, string];
  let query = db.selectFrom('tenants').select('id').where('connected_at', 'is not', null);
  if (kind === 'municipality') query = query.where('municipality_ags', '=', code);
  else if (kind === 'district') query = query.where('kind', '=', 'district_office').where('district_key', '=', code);
  else return null;
  return (await query.executeTakeFirst())?.id ?? null;
}

/** Tenants whose online procedures serve a municipality's residents: itself, its district office, and statewide authorities. */
export async function tenantsServing(db: Db, ags: string): Promise<string[]> {
  const rows = await db.selectFrom('tenants as t')
    .select('t.id')
    .where('t.connected_at', 'is not', null)
    .where((eb) => eb.or([
      eb('t.municipality_ags', '=', ags),
      eb.and([
        eb('t.kind', '=', 'district_office'),
        eb('t.district_key', '=', eb.selectFrom('municipalities').select('district_key').where('ags', '=', ags).where('kind', '<>', 'kreisfreie_stadt')),
      ]),
      eb('t.kind', 'in', ['state_authority', 'ministry']),
    ]))
    .execute();
  return rows.map((r) => r.id);
}
