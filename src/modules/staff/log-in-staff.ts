/**
 * Staff login with e-mail and password. Wrong passwords count towards a temporary lock; every
 * attempt is audited (account id only, never the e-mail typed).
 */
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { findStaffByEmail, recordFailedLogin, resetFailedLogins, type StaffAccount } from './staff.repository.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MS = 15 * 60_000;

export type LoginResult = { ok: true; account: StaffAccount } | { ok: false; code: 'INVALID_CREDENTIALS' | 'LOCKED' };

export async function logInStaff(db: Db, email: string, password: string, requestId: string): Promise<LoginResult> {
  const account = await findStaffByEmail(db, email);
  if (!account) {
    await verifyPassword(await dummyPasswordHash(), password);
    await recordAudit(db, { actorType: 'anonymous', action: 'staff.login_failed', details: { reason: 'unknown_account' }, requestId });
    return { ok: false, code: 'INVALID_CREDENTIALS' };
  }
  if (account.locked_until && account.locked_until > new Date()) {
    await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login_failed', details: { reason: 'locked' }, requestId });
    return { ok: false, code: 'LOCKED' };
  }
  if (!(await verifyPassword(account.password_hash, password))) {
    const locked = await recordFailedLogin(db, account.id, MAX_FAILED_LOGINS, LOCK_MS);
    await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login_failed', details: { reason: 'wrong_password', locked }, requestId });
    return { ok: false, code: locked ? 'LOCKED' : 'INVALID_CREDENTIALS' };
  }
  await resetFailedLogins(db, account.id);
  await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login', requestId });
  return { ok: true, account };
}
