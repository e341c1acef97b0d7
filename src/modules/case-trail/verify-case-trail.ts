/**
 * Verifies the case trail: recomputes every tenant's hash chain from the first entry to the head and
 * names the first broken link. Reads each chain in keyset pages (the next one while the current one
 * is hashed), so memory stays flat with millions of entries, and holds no transaction open while it runs.
 */
import type { Db } from '../../platform/db/database.ts';
import { GENESIS_HASH, hashEntry } from './case-trail-hash.ts';
import { selectEntriesPage, selectHead, selectMaxSeq, selectTenantsWithTrail } from './case-trail.repository.ts';

/**
 * Why a link is broken:
 * - `changed_entry`: the entry's content does not match its hash (it was changed);
 * - `missing_entry`: the seq named is missing (an entry was deleted, a gap in the chain);
 * - `wrong_prev_hash`: the entry does not point to the hash of the entry before it;
 * - `head_mismatch`: the tenant's head (newest seq and hash) does not match its last entry, is
 *   missing, or entries lie beyond it.
 */
export type CaseTrailBreakReason = 'changed_entry' | 'missing_entry' | 'wrong_prev_hash' | 'head_mismatch';

/** The result of a verification: entries found intact and, when a link is broken, the first one. */
export type CaseTrailVerification =
  | { ok: true; checked: number }
  | { ok: false; checked: number; tenantId: string; seq: number; reason: CaseTrailBreakReason };

/** What to verify and how much to read at once. */
export interface VerifyCaseTrailOptions {
  /** Only this tenant's chain. */
  tenantId?: string;
  /** Entries read per query (default 5,000). */
  batchSize?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Break = { seq: number; reason: CaseTrailBreakReason };

/**
 * Recomputes the chain of every tenant (or of one), in tenant id order, and returns how many entries
 * were found intact and, when a link is broken, the first one: tenant, seq and reason. Entries
 * appended while it runs are left for the next run. Throws only on database errors.
 */
export async function verifyCaseTrail(db: Db, options: VerifyCaseTrailOptions = {}): Promise<CaseTrailVerification> {
  const batchSize = options.batchSize ?? 5_000;
  let checked = 0;
  // No tenant has that id (and the database would refuse it as a uuid).
  if (options.tenantId !== undefined && !UUID.test(options.tenantId)) return { ok: true, checked };
  const tenants = await selectTenantsWithTrail(db, options.tenantId?.toLowerCase());
  for (const tenantId of tenants) {
    const result = await verifyTenant(db, tenantId, batchSize, () => { checked++; });
    if (result) return { ok: false, checked, tenantId, ...result };
  }
  return { ok: true, checked };
}

async function verifyTenant(db: Db, tenantId: string, batchSize: number, onIntact: () => void): Promise<Break | null> {
  // The head first: an append writes its entry and the head in one transaction, so every entry up
  // to the head seen here is committed; later appends lie beyond it.
  const head = await selectHead(db, tenantId);
  if (!head) return { seq: Math.max(1, await selectMaxSeq(db, tenantId)), reason: 'head_mismatch' };
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let page = await selectEntriesPage(db, tenantId, 0, head.seq, batchSize);
  for (;;) {
    // The next page is read while this one is hashed (an intact page ends at seq expected - 1 + length).
    const last = page[page.length - 1];
    const next = page.length === batchSize && last ? selectEntriesPage(db, tenantId, last.seq, head.seq, batchSize) : null;
    // When this page breaks the chain, the next one is not awaited: its failure must not go unhandled.
    next?.catch(() => undefined);
    for (const entry of page) {
      if (entry.seq !== expected) return { seq: expected, reason: 'missing_entry' };
      if (hashEntry(entry) !== entry.hash) return { seq: entry.seq, reason: 'changed_entry' };
      if (entry.prevHash !== prevHash) return { seq: entry.seq, reason: 'wrong_prev_hash' };
      prevHash = entry.hash;
      expected++;
      onIntact();
    }
    if (!next) break;
    page = await next;
  }
  // Entries at the end of the chain (up to the head) are gone.
  if (expected <= head.seq) return { seq: expected, reason: 'missing_entry' };
  if (prevHash !== head.hash) return { seq: head.seq, reason: 'head_mismatch' };
  // Entries beyond the head are fine only when they were appended meanwhile (the head moved on).
  if (await selectMaxSeq(db, tenantId) > head.seq) {
    const now = await selectHead(db, tenantId);
    if (!now || now.seq === head.seq) return { seq: head.seq + 1, reason: 'head_mismatch' };
  }
  return null;
}
