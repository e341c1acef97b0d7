/**
 * What follows, in the same transaction, when a tenant's catalogue entries change: every instance's
 * cached catalogue lookups are marked stale; when the set of online procedures changed, the
 * Digitales Amt count of the tenant may have changed too, so it is evaluated again (a durable job).
 */
import { bumpCacheVersion } from '../../platform/cache/versioned-cache.ts';
import type { Tx } from '../../platform/db/database.ts';
import { enqueueDigitalesAmtEvaluation } from '../digitales-amt/index.ts';

/** Enqueues the follow-up work after a tenant's online procedures changed. @throws when the database fails. */
export async function onOnlineProceduresChanged(tx: Tx, tenantId: string): Promise<void> {
  await bumpCacheVersion(tx, 'catalog');
  await enqueueDigitalesAmtEvaluation(tx, tenantId);
}

/** After a change that is shown but does not change which services are online (texts, procedure details). */
export async function onCatalogEntryChanged(tx: Tx): Promise<void> {
  await bumpCacheVersion(tx, 'catalog');
}
