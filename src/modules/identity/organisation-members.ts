/**
 * The members of an organisation, for modules that act for business accounts (e.g. the mailbox
 * notifies each member).
 */
import type { Db } from '../../platform/db/database.ts';

/** Account ids and roles of the organisation's members. */
export async function listMembersOfOrganisation(db: Db, organisationId: string): Promise<{ accountId: string; role: 'administrator' | 'member' }[]> {
  const rows = await db.selectFrom('organisation_members').select(['account_id', 'role']).where('organisation_id', '=', organisationId).orderBy('created_at').execute();
  return rows.map((r) => ({ accountId: r.account_id, role: r.role }));
}
