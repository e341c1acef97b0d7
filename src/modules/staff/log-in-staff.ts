/**
 * Staff login, first step: e-mail and password. Wrong passwords count towards a temporary lock;
 * every failure is audited (account id only, never the e-mail typed). The login is complete only
 * after the second factor (`verify-second-factor.ts`, or the enrolment in `enrol-totp.ts`).
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { findStaffByEmail, recordFailedLogin, type StaffAccount } from './staff.repository.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MS = 15 * 60_000;

export type LoginResult = { ok: true; account: StaffAccount; enrolled: boolean } | { ok: false; code: 'INVALID_CREDENTIALS' | 'LOCKED' };

/** Checks e-mail and password; the caller then asks for the second factor (or its enrolment). */
export async function logInStaff(db: Db, email: string, password: string, requestId: string, auditKey = ''): Promise<LoginResult> {
  const account = await findStaffByEmail(db, email);
  if (!account) {
    await verifyPassword(await dummyPasswordHash(), password);
    // A keyed hash, not the address: repeated attempts on one unknown name can be told apart without storing it.
    const nameTag = createHmac('sha256', auditKey).update(`staff-login:${email.trim().toLowerCase()}`).digest('hex').slice(0, 16);
    await recordAudit(db, { actorType: 'anonymous', action: 'staff.login_failed', details: { reason: 'unknown_account', nameTag }, requestId });
    return { ok: false, code: 'INVALID_CREDENTIALS' };
  }
  if (isLocked(account)) {
    await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login_failed', details: { reason: 'locked' }, requestId });
    return { ok: false, code: 'LOCKED' };
  }
  if (!(await verifyPassword(account.password_hash, password))) {
    const locked = await recordFailedLogin(db, account.id, MAX_FAILED_LOGINS, LOCK_MS);
    await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login_failed', details: { reason: 'wrong_password', locked }, requestId });
    return { ok: false, code: locked ? 'LOCKED' : 'INVALID_CREDENTIALS' };
  }
  // Failed attempts are reset only once the second factor is passed, so that guessing codes counts too.
  return { ok: true, account, enrolled: account.totp_confirmed_at !== null };
}

/** True while a lock from too many failures lasts. */
export function isLocked(account: Pick<StaffAccount, 'locked_until'>): boolean {
  return account.locked_until !== null && account.locked_until > new Date();
}
