/**
 * The trail of one case for the case page's history, and its recent entries of one action.
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import { selectEntriesOfCase, selectRecentActionsOfCase, type CaseTrailEntry } from './case-trail.repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case's trail entries, oldest first; empty for another tenant's case or an id that is no UUID. */
export async function listCaseTrail(db: Db | Tx, tenantId: string, caseId: string): Promise<CaseTrailEntry[]> {
  if (!UUID.test(tenantId) || !UUID.test(caseId)) return [];
  return selectEntriesOfCase(db, tenantId.toLowerCase(), caseId.toLowerCase());
}

/**
 * The case's entries of one action recorded after `since`, oldest first (e.g. the notices of the
 * last minutes); empty for an id that is no UUID.
 */
export async function listRecentCaseActions(db: Db | Tx, tenantId: string, caseId: string, action: string, since: Date): Promise<CaseTrailEntry[]> {
  if (!UUID.test(tenantId) || !UUID.test(caseId)) return [];
  return selectRecentActionsOfCase(db, tenantId.toLowerCase(), caseId.toLowerCase(), action, since);
}
