/**
 * The ministry confirms a municipality's Digitales Amt award: records who confirmed it and when,
 * and writes an audit event (ids and counts only), in one transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { countServicesOnline, lockAward, markAwardConfirmed } from './digitales-amt.repository.ts';
import { DIGITALES_AMT_THRESHOLD } from './digitales-amt.rules.ts';

export type ConfirmAwardFailure =
  /** No award is recorded for this tenant (or it is not a municipality). */
  | { code: 'NOT_FOUND' }
  | { code: 'ALREADY_CONFIRMED'; name: string; confirmedAt: Date }
  /** The award is recorded, but the municipality is currently below the threshold. */
  | { code: 'NOT_QUALIFIED'; name: string; count: number };

export type ConfirmAwardResult = { ok: true; value: { tenantId: string; name: string } } | ({ ok: false } & ConfirmAwardFailure);

/**
 * Confirms the award of `tenantId` on behalf of the staff member `staffId` (the caller checks the
 * ministry role). Confirming twice is refused, not repeated.
 */
export async function confirmAward(db: Db, input: { tenantId: string; staffId: string; requestId?: string }): Promise<ConfirmAwardResult> {
  return db.transaction().execute(async (tx): Promise<ConfirmAwardResult> => {
    const award = await lockAward(tx, input.tenantId);
    if (!award) return { ok: false, code: 'NOT_FOUND' };
    if (award.confirmed_at) return { ok: false, code: 'ALREADY_CONFIRMED', name: award.name, confirmedAt: award.confirmed_at };
    const count = (await countServicesOnline(tx, input.tenantId))[0]?.count ?? 0;
    if (count < DIGITALES_AMT_THRESHOLD) return { ok: false, code: 'NOT_QUALIFIED', name: award.name, count };
    // The award row is locked (lockAward) until commit: no second confirmation can slip in between.
    await markAwardConfirmed(tx, input.tenantId, input.staffId);
    await recordAudit(tx, {
      tenantId: input.tenantId, actorType: 'staff', actorId: input.staffId, action: 'digitales_amt.confirmed',
      subjectType: 'digitales_amt_award', subjectId: input.tenantId, details: { procedureCount: count }, requestId: input.requestId,
    });
    return { ok: true, value: { tenantId: input.tenantId, name: award.name } };
  });
}
