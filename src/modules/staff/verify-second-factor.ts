/**
 * Staff login, second step: a TOTP code from the enrolled authenticator, or one of the recovery
 * codes. A code of a time step already accepted (a replayed code) is refused; wrong codes count
 * towards the same lock as wrong passwords. Every outcome is audited with ids and codes only.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { isLocked, LOCK_MS, MAX_FAILED_LOGINS } from './log-in-staff.ts';
import { hashRecoveryCode, looksLikeRecoveryCode, matchTotpStep } from './second-factor.ts';
import { claimTotpStep, findStaffById, recordFailedLogin, resetFailedLogins, useRecoveryCode, type StaffAccount } from './staff.repository.ts';

export type SecondFactorResult =
  | { ok: true; account: StaffAccount; method: 'totp' | 'recovery_code'; recoveryCodesLeft: number | null }
  | { ok: false; code: 'INVALID_CODE' | 'LOCKED' };

/** Verifies the second factor of a staff member who passed the password step. */
export async function verifySecondFactor(db: Db, cipher: FieldCipher, staffId: string, input: string, requestId: string): Promise<SecondFactorResult> {
  const account = await findStaffById(db, staffId);
  if (!account || !account.totp_secret_enc || !account.totp_confirmed_at) return { ok: false, code: 'INVALID_CODE' };
  if (isLocked(account)) {
    await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login_failed', details: { reason: 'locked' }, requestId });
    return { ok: false, code: 'LOCKED' };
  }
  let reason: string;
  if (looksLikeRecoveryCode(input)) {
    const left = await useRecoveryCode(db, account.id, hashRecoveryCode(input));
    if (left !== null) {
      await resetFailedLogins(db, account.id);
      await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.recovery_code_used', details: { remaining: left }, requestId });
      await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login', details: { method: 'recovery_code' }, requestId });
      return { ok: true, account, method: 'recovery_code', recoveryCodesLeft: left };
    }
    reason = 'wrong_recovery_code';
  } else {
    const step = matchTotpStep(cipher.decrypt(account.totp_secret_enc), input);
    if (step !== null && await claimTotpStep(db, account.id, step)) {
      await resetFailedLogins(db, account.id);
      await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login', details: { method: 'totp' }, requestId });
      return { ok: true, account, method: 'totp', recoveryCodesLeft: null };
    }
    reason = step === null ? 'wrong_totp' : 'replayed_totp';
  }
  const locked = await recordFailedLogin(db, account.id, MAX_FAILED_LOGINS, LOCK_MS);
  await recordAudit(db, { actorType: 'staff', actorId: account.id, action: 'staff.login_failed', details: { reason, locked }, requestId });
  return { ok: false, code: locked ? 'LOCKED' : 'INVALID_CODE' };
}
