/**
 * Deleting a citizen account: in one transaction the account's personal data is removed (identity,
 * contact data, memberships, pending verifications, sessions), every registered module erases its
 * part, and the deletion is audited (ids only). Records the authorities must keep by law (submitted
 * applications until their retention ends, payment records for the cash office) stay with them.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { eraseCitizenAccount } from './account.repository.ts';
import { eraseRegisteredPersonalData } from './personal-data.ts';

/** Deletes the account's personal data. Returns false when the account does not exist (any more). */
export async function deleteCitizenAccount(db: Db, accountId: string, requestId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const account = await tx.selectFrom('citizen_accounts').select('id').where('id', '=', accountId).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
    if (!account) return false;
    await eraseRegisteredPersonalData(tx, accountId);
    await eraseCitizenAccount(tx, accountId);
    await recordAudit(tx, { actorType: 'citizen', actorId: accountId, action: 'citizen.account_deleted', subjectType: 'citizen_account', subjectId: accountId, requestId });
    return true;
  });
}
