/**
 * A tenant administrator manages the staff of their tenant: adds a member (an existing account, or
 * a new one invited by e-mail to set a password), changes a member's roles, removes a member. Each
 * change is one transaction and audited with ids and role names only. Administrators cannot take
 * their own administrator role away (they would lock themselves out of this page).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import type { StaffRole } from '../../platform/db/schema.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { Translate } from '../../platform/i18n/i18n.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import { hashPassword } from './passwords.ts';
import { findStaffByEmail, insertInvitation, insertInvitedAccount, listRolesIn, replaceRoles } from './staff.repository.ts';

export const INVITATION_DAYS = 7;

/** Who manages, for which tenant, in which request. */
export interface AdminActor {
  tenantId: string;
  tenantName: string;
  staffId: string;
  requestId: string;
}

/** The hash under which an invitation token is stored. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type AddMemberResult = { ok: true; staffId: string; invited: boolean } | { ok: false; code: 'ALREADY_MEMBER' };

/** Adds a member with roles; a new e-mail address gets an account and an invitation mail. */
export async function addStaffMember(
  deps: { db: Db; mail: MailService; cipher: FieldCipher },
  actor: AdminActor,
  input: { email: string; displayName: string; roles: StaffRole[]; invitationBaseUrl: string; t: Translate },
): Promise<AddMemberResult> {
  const existing = await findStaffByEmail(deps.db, input.email);
  if (existing && (await listRolesIn(deps.db, actor.tenantId, existing.id)).length > 0) return { ok: false, code: 'ALREADY_MEMBER' };
  // An invited account gets a random password nobody knows until the invitation sets one.
  const unusable = existing ? '' : await hashPassword(randomBytes(32).toString('base64url'));
  return deps.db.transaction().execute(async (tx) => {
    let staffId = existing?.id;
    let invited = false;
    if (!staffId) {
      staffId = await insertInvitedAccount(tx, input.email, input.displayName, unusable);
      const token = randomBytes(32).toString('base64url');
      await insertInvitation(tx, { tokenHash: hashInvitationToken(token), staffId, tenantId: actor.tenantId, expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000) });
      await deps.mail.queue(tx, {
        to: input.email.toLowerCase(),
        tenantId: actor.tenantId,
        subject: input.t('staff.invitation.mail.subject'),
        text: input.t('staff.invitation.mail.text', { name: input.displayName, tenant: actor.tenantName, link: `${input.invitationBaseUrl}/verwaltung/einladung/${token}` }),
      });
      await recordAudit(tx, { tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'staff.invited', subjectType: 'staff_account', subjectId: staffId, requestId: actor.requestId });
      invited = true;
    }
    await replaceRoles(tx, actor.tenantId, staffId, input.roles);
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'staff.membership_added',
      subjectType: 'staff_account', subjectId: staffId, details: { roles: input.roles.join(',') }, requestId: actor.requestId,
    });
    return { ok: true, staffId, invited };
  });
}

export type ChangeRolesResult = { ok: true; removed: boolean } | { ok: false; code: 'SELF_LOCKOUT' };

/**
 * Replaces a member's roles in the actor's tenant; no roles removes the member.
 * @throws DomainError NOT_FOUND when the staff member does not belong to the tenant.
 */
export async function changeStaffRoles(db: Db, actor: AdminActor, staffId: string, roles: StaffRole[]): Promise<ChangeRolesResult> {
  const before = await listRolesIn(db, actor.tenantId, staffId);
  if (before.length === 0) throw new DomainError('NOT_FOUND');
  if (staffId === actor.staffId && !roles.includes('tenant_admin')) return { ok: false, code: 'SELF_LOCKOUT' };
  const added = roles.filter((r) => !before.includes(r));
  const removedRoles = before.filter((r) => !roles.includes(r));
  if (added.length === 0 && removedRoles.length === 0) return { ok: true, removed: false };
  await db.transaction().execute(async (tx) => {
    await replaceRoles(tx, actor.tenantId, staffId, roles);
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId,
      action: roles.length === 0 ? 'staff.membership_removed' : 'staff.roles_changed',
      subjectType: 'staff_account', subjectId: staffId,
      details: { added: added.join(','), removed: removedRoles.join(',') }, requestId: actor.requestId,
    });
  });
  return { ok: true, removed: roles.length === 0 };
}
