/**
 * A staff member changes their password: the current one is checked (a wrong one counts towards
 * the lock), the new one must meet the rules (length, not breached); every other session of theirs
 * ends. Audited without any password or e-mail.
 */
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { LOCK_MS, MAX_FAILED_LOGINS } from './log-in-staff.ts';
import { checkNewPassword, hashPassword, verifyPassword, type PasswordProblem } from './passwords.ts';
import { deleteStaffSessions, findStaffById, recordFailedLogin, updatePasswordHash } from './staff.repository.ts';

export type ChangePasswordResult =
  | { ok: true; sessionsEnded: number }
  | { ok: false; field: 'current'; code: 'staff.password.current.wrong' }
  | { ok: false; field: 'password'; code: PasswordProblem };

export async function changeStaffPassword(db: Db, input: { staffId: string; current: string; password: string; sessionId: string; requestId: string }): Promise<ChangePasswordResult> {
  const account = await findStaffById(db, input.staffId);
  if (!account || !(await verifyPassword(account.password_hash, input.current))) {
    if (account) await recordFailedLogin(db, account.id, MAX_FAILED_LOGINS, LOCK_MS);
    await recordAudit(db, { actorType: 'staff', actorId: input.staffId, action: 'staff.password_change_failed', details: { reason: 'wrong_password' }, requestId: input.requestId });
    return { ok: false, field: 'current', code: 'staff.password.current.wrong' };
  }
  const problem = await checkNewPassword(input.password, account.email);
  if (problem) return { ok: false, field: 'password', code: problem };
  const hash = await hashPassword(input.password);
  const sessionsEnded = await db.transaction().execute(async (tx) => {
    await updatePasswordHash(tx, account.id, hash);
    const ended = await deleteStaffSessions(tx, account.id, input.sessionId);
    await recordAudit(tx, { actorType: 'staff', actorId: account.id, action: 'staff.password_changed', details: { sessionsEnded: ended }, requestId: input.requestId });
    return ended;
  });
  return { ok: true, sessionsEnded };
}
