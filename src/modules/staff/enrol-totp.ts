/**
 * TOTP enrolment at the first login: a secret is generated (kept encrypted until confirmed, the
 * same one shown again on reload), confirmed with a code from the authenticator, and ten
 * recovery codes are issued, stored only as hashes. Confirming completes the login.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, matchTotpStep } from './second-factor.ts';
import { confirmTotp, findStaffById, resetFailedLogins, storePendingTotpSecret } from './staff.repository.ts';

/** The pending secret of a staff member without a confirmed second factor (created on first call). */
export async function startTotpEnrolment(db: Db, cipher: FieldCipher, staffId: string): Promise<string | null> {
  const account = await findStaffById(db, staffId);
  if (!account || account.totp_confirmed_at) return null;
  if (account.totp_secret_enc) return cipher.decrypt(account.totp_secret_enc);
  await storePendingTotpSecret(db, staffId, cipher.encrypt(generateTotpSecret()));
  const stored = await findStaffById(db, staffId);
  return stored?.totp_secret_enc ? cipher.decrypt(stored.totp_secret_enc) : null;
}

export type EnrolmentResult = { ok: true; recoveryCodes: string[] } | { ok: false; code: 'INVALID_CODE' };

/** Confirms the enrolment with a code of the pending secret; returns the recovery codes (shown once). */
export async function confirmTotpEnrolment(db: Db, cipher: FieldCipher, staffId: string, input: string, requestId: string): Promise<EnrolmentResult> {
  const account = await findStaffById(db, staffId);
  if (!account?.totp_secret_enc || account.totp_confirmed_at) return { ok: false, code: 'INVALID_CODE' };
  const step = matchTotpStep(cipher.decrypt(account.totp_secret_enc), input);
  if (step === null) {
    await recordAudit(db, { actorType: 'staff', actorId: staffId, action: 'staff.totp_enrolment_failed', details: { reason: 'wrong_totp' }, requestId });
    return { ok: false, code: 'INVALID_CODE' };
  }
  const recoveryCodes = generateRecoveryCodes();
  const confirmed = await db.transaction().execute(async (tx) => {
    if (!(await confirmTotp(tx, staffId, step, recoveryCodes.map(hashRecoveryCode)))) return false;
    await resetFailedLogins(tx, staffId);
    await recordAudit(tx, { actorType: 'staff', actorId: staffId, action: 'staff.totp_enrolled', requestId });
    await recordAudit(tx, { actorType: 'staff', actorId: staffId, action: 'staff.login', details: { method: 'totp_enrolment' }, requestId });
    return true;
  });
  return confirmed ? { ok: true, recoveryCodes } : { ok: false, code: 'INVALID_CODE' };
}
