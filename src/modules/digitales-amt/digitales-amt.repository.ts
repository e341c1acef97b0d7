/**
 * SQL for the Digitales Amt distinction: counts of online procedures per municipality tenant and
 * the recorded awards (`digitales_amt_awards`, one row per tenant).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import { DIGITALES_AMT_THRESHOLD } from './digitales-amt.rules.ts';

// Services (distinct LeiKa keys) with an active online procedure; joined as `p`.
const serviceCount = sql<number>`count(DISTINCT p.leika_key)::int`;
// Holds the distinction: an award is recorded (joined as `a`) and the count reaches the threshold.
const holds = sql<boolean>`(a.tenant_id IS NOT NULL AND count(DISTINCT p.leika_key) >= ${DIGITALES_AMT_THRESHOLD})`;

/** Current counts of every connected municipality tenant (or of one tenant, when it is one). */
export async function countServicesOnline(db: Db | Tx, tenantId?: string): Promise<{ tenant_id: string; count: number }[]> {
  let q = db.selectFrom('tenants as t')
    .leftJoin('online_procedures as p', (join) => join.onRef('p.tenant_id', '=', 't.id').on('p.active', '=', true))
    .select(['t.id as tenant_id', serviceCount.as('count')])
    .where('t.kind', '=', 'municipality')
    .where('t.connected_at', 'is not', null)
    .groupBy('t.id');
  if (tenantId) q = q.where('t.id', '=', tenantId);
  return q.execute();
}

/** The recorded awards (of one tenant, or all), locked until the transaction ends. */
export async function lockAwards(tx: Tx, tenantId?: string): Promise<{ tenant_id: string; procedure_count: number; confirmed_at: Date | null }[]> {
  let q = tx.selectFrom('digitales_amt_awards').select(['tenant_id', 'procedure_count', 'confirmed_at']).forUpdate();
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return q.execute();
}

/** Records an award (qualified now); false when one exists already. */
export async function insertAward(tx: Tx, tenantId: string, procedureCount: number): Promise<boolean> {
  const row = await tx.insertInto('digitales_amt_awards')
    .values({ tenant_id: tenantId, procedure_count: procedureCount, qualified_at: new Date() })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .returning('tenant_id').executeTakeFirst();
  return row !== undefined;
}

/** Sets the count of a recorded award to the current one. */
export async function updateAwardCount(tx: Tx, tenantId: string, procedureCount: number): Promise<void> {
  await tx.updateTable('digitales_amt_awards').set({ procedure_count: procedureCount }).where('tenant_id', '=', tenantId).execute();
}

/** Records the ministry's confirmation (an award already confirmed keeps its first confirmation). */
export async function markAwardConfirmed(tx: Tx, tenantId: string, staffId: string): Promise<void> {
  await tx.updateTable('digitales_amt_awards')
    .set({ confirmed_at: new Date(), confirmed_by: staffId })
    .where('tenant_id', '=', tenantId).where('confirmed_at', 'is', null)
    .execute();
}

export interface Standing {
  tenant_id: string;
  ags: string;
  name: string;
  count: number;
  qualified_at: Date | null;
  confirmed_at: Date | null;
  /** An award is recorded and the current count reaches the threshold. */
  holds: boolean;
}

/** Connected municipality tenants with their current count and award; `holders` narrows to those holding the distinction. */
function standings(db: Db, holders: boolean) {
  let q = db.selectFrom('tenants as t')
    .innerJoin('municipalities as m', 'm.ags', 't.municipality_ags')
    .leftJoin('online_procedures as p', (join) => join.onRef('p.tenant_id', '=', 't.id').on('p.active', '=', true))
    .leftJoin('digitales_amt_awards as a', 'a.tenant_id', 't.id')
    .select(['t.id as tenant_id', 'm.ags', 'm.name', 'a.qualified_at', 'a.confirmed_at', serviceCount.as('count')])
    .select(holds.as('holds'))
    .where('t.kind', '=', 'municipality')
    .where('t.connected_at', 'is not', null)
    // Primary keys: the other columns of these tables depend on them.
    .groupBy(['t.id', 'm.ags', 'a.tenant_id']);
  if (holders) q = q.having(holds);
  return q;
}

/** Every connected municipality tenant, by AGS (the open data). */
export async function listStandings(db: Db): Promise<Standing[]> {
  return standings(db, false).orderBy('m.ags').execute();
}

/** The municipalities holding the distinction: most services first, then by name. */
export async function listHolders(db: Db): Promise<Standing[]> {
  return standings(db, true).orderBy('count', 'desc').orderBy('m.name').orderBy('m.ags').execute();
}

/** The distinction of the municipality with this AGS, when it holds it. */
export async function findHolder(db: Db, ags: string): Promise<Standing | undefined> {
  return standings(db, true).where('m.ags', '=', ags).executeTakeFirst();
}

export interface AwardRecord {
  tenant_id: string;
  ags: string;
  name: string;
  count: number;
  qualified_at: Date;
  confirmed_at: Date | null;
  confirmed_by_name: string | null;
}

/** Every recorded award with the current count and who confirmed it (for the ministry). */
export async function listAwards(db: Db): Promise<AwardRecord[]> {
  return db.selectFrom('digitales_amt_awards as a')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .innerJoin('municipalities as m', 'm.ags', 't.municipality_ags')
    .leftJoin('online_procedures as p', (join) => join.onRef('p.tenant_id', '=', 't.id').on('p.active', '=', true))
    .leftJoin('staff_accounts as s', 's.id', 'a.confirmed_by')
    .select(['a.tenant_id', 'm.ags', 'm.name', 'a.qualified_at', 'a.confirmed_at', 's.display_name as confirmed_by_name', serviceCount.as('count')])
    .where('t.kind', '=', 'municipality')
    .groupBy(['a.tenant_id', 't.id', 'm.ags', 's.id'])
    .orderBy('count', 'desc').orderBy('m.name')
    .execute();
}

/** One recorded award of a municipality tenant, locked until the transaction ends. */
export async function lockAward(tx: Tx, tenantId: string) {
  return tx.selectFrom('digitales_amt_awards as a')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .innerJoin('municipalities as m', 'm.ags', 't.municipality_ags')
    .select(['a.tenant_id', 'a.confirmed_at', 'm.ags', 'm.name'])
    .where('a.tenant_id', '=', tenantId).where('t.kind', '=', 'municipality')
    .forUpdate('a')
    .executeTakeFirst();
}
