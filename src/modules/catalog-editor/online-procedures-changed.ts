/**
 * What follows, in the same transaction, when a tenant's set of online procedures changes: the
 * Digitales Amt count of the tenant may have changed, so it is evaluated again (a durable job).
 */
import type { Tx } from '../../platform/db/database.ts';
import { enqueueDigitalesAmtEvaluation } from '../digitales-amt/index.ts';

/** Enqueues the follow-up work after a tenant's online procedures changed. @throws when the database fails. */
export async function onOnlineProceduresChanged(tx: Tx, tenantId: string): Promise<void> {
  await enqueueDigitalesAmtEvaluation(tx, tenantId);
}
