/**
 * Evaluates the Digitales Amt rule for one municipality tenant or all of them: records the award the
 * first time a municipality reaches the threshold, keeps the recorded count current otherwise, and
 * never deletes an award (see `digitales-amt.rules.ts`). Runs as the durable job
 * `digitales-amt.evaluate@1`: after a procedure is linked or unlinked, and every ten minutes.
 */
import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import { enqueueJob, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { Schedule } from '../../platform/jobs/worker.ts';
import { countServicesOnline, insertAward, lockAwards, updateAwardCount } from './digitales-amt.repository.ts';
import { DIGITALES_AMT_THRESHOLD } from './digitales-amt.rules.ts';

export interface EvaluationResult {
  /** Municipality tenants looked at. */
  evaluated: number;
  /** Tenants whose award was recorded by this run (first time at the threshold). */
  awarded: string[];
  /** Tenants whose recorded award fell below the threshold in this run (kept, not listed). */
  lapsed: string[];
  /** Tenants whose recorded award reached the threshold again in this run. */
  regained: string[];
}

/**
 * Evaluates one tenant (`tenantId`; one that is not a connected municipality is left alone) or all connected
 * municipality tenants, in one transaction. Idempotent: a second run changes nothing. Each change of
 * state (awarded, lapsed, regained) is written to the audit log.
 * @throws when the database fails (the job is retried).
 */
export async function evaluateDigitalesAmt(db: Db, options: { tenantId?: string | undefined } = {}): Promise<EvaluationResult> {
  return db.transaction().execute(async (tx) => {
    // Lock the recorded awards first, so that two evaluations (or an evaluation and a confirmation)
    // of the same tenant run one after the other.
    const awards = new Map((await lockAwards(tx, options.tenantId)).map((a) => [a.tenant_id, a]));
    const counts = await countServicesOnline(tx, options.tenantId);
    const result: EvaluationResult = { evaluated: counts.length, awarded: [], lapsed: [], regained: [] };
    for (const { tenant_id: tenantId, count } of counts) {
      const award = awards.get(tenantId);
      if (!award) {
        if (count >= DIGITALES_AMT_THRESHOLD && await insertAward(tx, tenantId, count)) {
          result.awarded.push(tenantId);
          await audit(tx, tenantId, 'digitales_amt.awarded', count);
        }
        continue;
      }
      if (award.procedure_count === count) continue;
      await updateAwardCount(tx, tenantId, count);
      const before = award.procedure_count >= DIGITALES_AMT_THRESHOLD;
      const after = count >= DIGITALES_AMT_THRESHOLD;
      if (before && !after) {
        result.lapsed.push(tenantId);
        await audit(tx, tenantId, 'digitales_amt.lapsed', count);
      } else if (!before && after) {
        result.regained.push(tenantId);
        await audit(tx, tenantId, 'digitales_amt.regained', count);
      }
    }
    return result;
  });
}

function audit(tx: Tx, tenantId: string, action: string, procedureCount: number): Promise<void> {
  return recordAudit(tx, {
    tenantId, actorType: 'system', action, subjectType: 'digitales_amt_award', subjectId: tenantId, details: { procedureCount },
  });
}

const evaluatePayload = z.object({ tenantId: z.uuid().optional() });

/** The job: evaluates one tenant (`tenantId`) or, without it, every municipality tenant. Idempotent. */
export const digitalesAmtEvaluateJob: JobDefinition<typeof evaluatePayload> = {
  type: 'digitales-amt.evaluate@1',
  payload: evaluatePayload,
  maxAttempts: 5,
  async handle({ tenantId }, { db }) {
    await evaluateDigitalesAmt(db, { tenantId });
  },
};

/**
 * Enqueues the evaluation of one tenant in the caller's transaction: call it after linking,
 * unlinking, activating or deactivating an online procedure of the tenant.
 * @throws when `tenantId` is not a UUID.
 */
export async function enqueueDigitalesAmtEvaluation(tx: Db | Tx, tenantId: string): Promise<void> {
  await enqueueJob(tx, digitalesAmtEvaluateJob, { tenantId }, { tenantId });
}

/** The periodic evaluation of all municipalities (every ten minutes), for the worker. */
export function digitalesAmtSchedules(): Schedule[] {
  return [{ definition: digitalesAmtEvaluateJob, everyMs: 10 * 60_000 }];
}
