/**
 * SQL for the case trail: per-tenant hash chains in `case_trail`, the newest entry of each chain in
 * `case_trail_heads` (its row lock serialises appends per tenant).
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import type { CaseTrailActorType, TrustLevel } from '../../platform/db/schema.ts';
import { GENESIS_HASH, type CaseTrailDetails, type HashedEntry } from './case-trail-hash.ts';

/** One entry of a case trail as stored: the hashed content and its hash. */
export interface CaseTrailEntry extends HashedEntry {
  hash: string;
}

/** The newest entry of a tenant's chain (seq 0 and the genesis hash before the first entry). */
export interface CaseTrailHead {
  seq: number;
  hash: string;
}

const entryColumns = ['tenant_id', 'seq', 'case_id', 'action', 'actor_type', 'actor_id', 'trust_level', 'details', 'created_at', 'prev_hash', 'hash'] as const;

interface EntryRow {
  tenant_id: string;
  seq: string | number;
  case_id: string;
  action: string;
  actor_type: CaseTrailActorType;
  actor_id: string | null;
  trust_level: TrustLevel | null;
  details: CaseTrailDetails;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

function toEntry(row: EntryRow): CaseTrailEntry {
  return {
    tenantId: row.tenant_id,
    // int8 arrives as a number on both drivers (see database.ts); Number() also covers a string.
    seq: Number(row.seq),
    caseId: row.case_id,
    action: row.action,
    actorType: row.actor_type,
    actorId: row.actor_id,
    trustLevel: row.trust_level,
    details: row.details,
    createdAt: row.created_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Locks the tenant's head row for the rest of the transaction and returns it; creates it (seq 0)
 * before the tenant's first entry. Concurrent appenders of the tenant wait here.
 */
export async function lockHead(tx: Tx, tenantId: string): Promise<CaseTrailHead> {
  const select = () => tx.selectFrom('case_trail_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).forUpdate().executeTakeFirst();
  let head = await select();
  if (!head) {
    // Two first appends at once: the second insert waits for the first and then does nothing.
    await tx.insertInto('case_trail_heads').values({ tenant_id: tenantId, seq: 0, hash: GENESIS_HASH })
      .onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
    head = await select();
  }
  if (!head) throw new Error('case trail: head row vanished');
  return { seq: Number(head.seq), hash: head.hash };
}

/**
 * Appends an entry and moves the head to it, in one statement (the head row must be locked by
 * `lockHead`, and stays locked until commit: one round trip less under that lock).
 */
export async function insertEntryAndMoveHead(tx: Tx, entry: CaseTrailEntry): Promise<void> {
  await tx.with('appended', (db) => db.insertInto('case_trail').values({
    tenant_id: entry.tenantId,
    seq: entry.seq,
    case_id: entry.caseId,
    action: entry.action,
    actor_type: entry.actorType,
    actor_id: entry.actorId,
    trust_level: entry.trustLevel,
    details: JSON.stringify(entry.details),
    created_at: entry.createdAt,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  }))
    // PostgreSQL runs a data-modifying CTE whether or not the main statement reads it.
    .updateTable('case_trail_heads').set({ seq: entry.seq, hash: entry.hash }).where('tenant_id', '=', entry.tenantId)
    .execute();
}

/** The entries of one case, oldest first. */
export async function selectEntriesOfCase(db: Db | Tx, tenantId: string, caseId: string): Promise<CaseTrailEntry[]> {
  const rows = await db.selectFrom('case_trail').select(entryColumns)
    .where('tenant_id', '=', tenantId).where('case_id', '=', caseId).orderBy('seq').execute();
  return rows.map(toEntry);
}

/** The entries of one case with the given action recorded after `since`, oldest first. */
export async function selectRecentActionsOfCase(db: Db | Tx, tenantId: string, caseId: string, action: string, since: Date): Promise<CaseTrailEntry[]> {
  const rows = await db.selectFrom('case_trail').select(entryColumns)
    .where('tenant_id', '=', tenantId).where('case_id', '=', caseId).where('action', '=', action).where('created_at', '>', since)
    .orderBy('seq').execute();
  return rows.map(toEntry);
}

/** Tenants that have a head or any entry, by id (each check is one index probe per tenant). */
export async function selectTenantsWithTrail(db: Db, onlyTenantId?: string): Promise<string[]> {
  let query = db.selectFrom('tenants').select('id')
    .where((eb) => eb.or([
      eb.exists(eb.selectFrom('case_trail_heads').select('tenant_id').whereRef('case_trail_heads.tenant_id', '=', 'tenants.id')),
      eb.exists(eb.selectFrom('case_trail').select('tenant_id').whereRef('case_trail.tenant_id', '=', 'tenants.id')),
    ]))
    .orderBy('id');
  if (onlyTenantId) query = query.where('id', '=', onlyTenantId);
  return (await query.execute()).map((r) => r.id);
}

/** The tenant's head, or undefined when it has none. */
export async function selectHead(db: Db, tenantId: string): Promise<CaseTrailHead | undefined> {
  const row = await db.selectFrom('case_trail_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
}

/** At most `limit` entries of the tenant with afterSeq < seq <= uptoSeq, by seq (a keyset page). */
export async function selectEntriesPage(db: Db, tenantId: string, afterSeq: number, uptoSeq: number, limit: number): Promise<CaseTrailEntry[]> {
  const rows = await db.selectFrom('case_trail').select(entryColumns)
    .where('tenant_id', '=', tenantId).where('seq', '>', String(afterSeq)).where('seq', '<=', String(uptoSeq))
    .orderBy('seq').limit(limit).execute();
  return rows.map(toEntry);
}

/** The highest seq of the tenant's entries, or 0. */
export async function selectMaxSeq(db: Db, tenantId: string): Promise<number> {
  const row = await db.selectFrom('case_trail').select((eb) => eb.fn.max('seq').as('max')).where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.max == null ? 0 : Number(row.max);
}
