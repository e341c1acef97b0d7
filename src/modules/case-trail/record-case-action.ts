/**
 * Appends one action to the tenant's case trail: who (actor type and id), when, what (action and
 * details: ids and codes only, no personal data), from which level of authentication.
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import type { CaseTrailActorType, TrustLevel } from '../../platform/db/schema.ts';
import { hashEntry, type CaseTrailDetails } from './case-trail-hash.ts';
import { insertEntryAndMoveHead, lockHead } from './case-trail.repository.ts';

/** One case action to record: tenant and case, what, by whom, with which level of authentication. */
export interface CaseAction {
  tenantId: string;
  caseId: string;
  action: string;
  actorType: CaseTrailActorType;
  actorId: string | null;
  trustLevel: TrustLevel | null;
  details?: CaseTrailDetails;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTOR_TYPES = new Set<string>(['citizen', 'staff', 'system', 'integration']);
const TRUST_LEVELS = new Set<string>(['niedrig', 'substantiell', 'hoch']);

/** Refuses what could not be stored and read back exactly as hashed. */
function checkAction(entry: CaseAction): void {
  if (!UUID.test(entry.tenantId) || !UUID.test(entry.caseId)) throw new TypeError('case trail: tenantId and caseId must be UUIDs');
  if (!entry.action) throw new TypeError('case trail: action is empty');
  if (!ACTOR_TYPES.has(entry.actorType)) throw new TypeError('case trail: unknown actor type');
  if (entry.trustLevel !== null && !TRUST_LEVELS.has(entry.trustLevel)) throw new TypeError('case trail: unknown trust level');
  for (const [key, value] of Object.entries(entry.details ?? {})) {
    if (value === undefined) continue;
    const ok = value === null || typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new TypeError(`case trail: detail ${key} is not a string, finite number, boolean or null`);
    // jsonb refuses NUL in strings and keys.
    if ((typeof value === 'string' && value.includes('\u0000')) || key.includes('\u0000')) throw new TypeError(`case trail: detail ${key} holds a NUL character`);
  }
  for (const text of [entry.action, entry.actorId ?? '']) if (text.includes('\u0000')) throw new TypeError('case trail: NUL character');
}

/**
 * Appends the action as the next entry of the tenant's chain and returns its seq and hash. Runs in
 * the given transaction (so the entry commits or rolls back with the action it records), or in a
 * transaction of its own when given the database. Concurrent appends of one tenant wait for each
 * other on the head row, so the chain stays gap-free.
 * Details with the value undefined are left out (as JSON leaves them out).
 * Throws TypeError for input that cannot be recorded (not UUIDs, unknown actor type or trust level,
 * details that are not flat strings, finite numbers, booleans or null).
 */
export async function recordCaseAction(tx: Db | Tx, entry: CaseAction): Promise<{ seq: number; hash: string }> {
  checkAction(entry);
  if (!tx.isTransaction) return tx.transaction().execute((inner) => append(inner, entry));
  return append(tx as Tx, entry);
}

async function append(tx: Tx, action: CaseAction): Promise<{ seq: number; hash: string }> {
  // PostgreSQL prints UUIDs in lower case: hash what will be read back.
  const tenantId = action.tenantId.toLowerCase();
  const head = await lockHead(tx, tenantId);
  const content = {
    tenantId,
    seq: head.seq + 1,
    caseId: action.caseId.toLowerCase(),
    action: action.action,
    actorType: action.actorType,
    actorId: action.actorId,
    trustLevel: action.trustLevel,
    // A copy (later changes by the caller do not alter what is hashed and stored), without
    // undefined values, which JSON (and so jsonb) leaves out.
    details: Object.fromEntries(Object.entries(action.details ?? {}).filter(([, v]) => v !== undefined)) as CaseTrailDetails,
    // Taken after the lock, in JS with millisecond precision, so created_at follows the chain
    // order and the stored timestamp is exactly the hashed one.
    createdAt: new Date(),
    prevHash: head.hash,
  };
  const hash = hashEntry(content);
  await insertEntryAndMoveHead(tx, { ...content, hash });
  return { seq: content.seq, hash };
}
