/**
 * An invited staff member sets their first password through the link in the invitation mail
 * (valid 7 days, once). The second factor is set up at the first login.
 */
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { hashInvitationToken } from './manage-members.ts';
import { checkNewPassword, hashPassword, type PasswordProblem } from './passwords.ts';
import { findOpenInvitation, markInvitationUsed, updatePasswordHash } from './staff.repository.ts';

/** The open invitation for a token, or undefined (unknown, used or expired). */
export function findInvitation(db: Db, token: string) {
  return findOpenInvitation(db, hashInvitationToken(token));
}

export type AcceptInvitationResult = { ok: true } | { ok: false; code: 'NOT_FOUND' } | { ok: false; code: PasswordProblem };

export async function acceptInvitation(db: Db, token: string, password: string, requestId: string): Promise<AcceptInvitationResult> {
  const invitation = await findInvitation(db, token);
  if (!invitation) return { ok: false, code: 'NOT_FOUND' };
  const problem = await checkNewPassword(password, invitation.email);
  if (problem) return { ok: false, code: problem };
  const hash = await hashPassword(password);
  const used = await db.transaction().execute(async (tx) => {
    if (!(await markInvitationUsed(tx, invitation.token_hash))) return false;
    await updatePasswordHash(tx, invitation.staff_account_id, hash);
    await recordAudit(tx, { tenantId: invitation.tenant_id, actorType: 'staff', actorId: invitation.staff_account_id, action: 'staff.invitation_accepted', requestId });
    return true;
  });
  return used ? { ok: true } : { ok: false, code: 'NOT_FOUND' };
}
