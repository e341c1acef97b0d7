/**
 * SQL for staff accounts, their tenant memberships, second factor, sessions, network allowlists
 * and invitations.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { StaffRole } from '../../platform/db/schema.ts';

export interface StaffAccount {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  is_platform_operator: boolean;
  failed_logins: number;
  locked_until: Date | null;
  totp_secret_enc: string | null;
  totp_confirmed_at: Date | null;
}

const ACCOUNT_COLUMNS = ['id', 'email', 'display_name', 'password_hash', 'is_platform_operator', 'failed_logins', 'locked_until', 'totp_secret_enc', 'totp_confirmed_at'] as const;

export async function findStaffByEmail(db: Db | Tx, email: string): Promise<StaffAccount | undefined> {
  return db.selectFrom('staff_accounts').select(ACCOUNT_COLUMNS).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findStaffById(db: Db | Tx, id: string): Promise<StaffAccount | undefined> {
  return db.selectFrom('staff_accounts').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** A staff member's memberships: one row per tenant and role, by tenant name. */
export async function listMemberships(db: Db | Tx, staffId: string) {
  return db.selectFrom('staff_memberships as m').innerJoin('tenants as t', 't.id', 'm.tenant_id')
    .select(['t.id as tenant_id', 't.name as tenant_name', 't.slug as tenant_slug', 'm.role'])
    .where('m.staff_account_id', '=', staffId).orderBy('t.name').orderBy('m.role').execute();
}

/** Counts a failed login; locks the account for `lockMs` once `maxFailures` is reached. */
export async function recordFailedLogin(db: Db, id: string, maxFailures: number, lockMs: number): Promise<boolean> {
  const row = await db.updateTable('staff_accounts')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', id).returning('failed_logins').executeTakeFirstOrThrow();
  if (row.failed_logins >= maxFailures) {
    await db.updateTable('staff_accounts').set({ locked_until: new Date(Date.now() + lockMs), failed_logins: 0 }).where('id', '=', id).execute();
    return true;
  }
  return false;
}

export async function resetFailedLogins(db: Db | Tx, id: string): Promise<void> {
  await db.updateTable('staff_accounts').set({ failed_logins: 0, locked_until: null }).where('id', '=', id).execute();
}

/** Creates or updates a staff account by e-mail (seeding); returns its id. */
export async function upsertStaffAccount(db: Db | Tx, account: { email: string; displayName: string; passwordHash: string; isPlatformOperator?: boolean }): Promise<string> {
  const row = await db.insertInto('staff_accounts').values({
    email: account.email.toLowerCase(),
    display_name: account.displayName,
    password_hash: account.passwordHash,
    is_platform_operator: account.isPlatformOperator ?? false,
  }).onConflict((oc) => oc.column('email').doUpdateSet({ display_name: account.displayName }))
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function addMembership(db: Db | Tx, tenantId: string, staffId: string, role: StaffRole): Promise<void> {
  await db.insertInto('staff_memberships').values({ tenant_id: tenantId, staff_account_id: staffId, role })
    .onConflict((oc) => oc.doNothing()).execute();
}

/** The roles a staff member holds in one tenant. */
export async function listRolesIn(db: Db | Tx, tenantId: string, staffId: string): Promise<StaffRole[]> {
  const rows = await db.selectFrom('staff_memberships').select('role')
    .where('tenant_id', '=', tenantId).where('staff_account_id', '=', staffId).orderBy('role').execute();
  return rows.map((r) => r.role);
}

/** Replaces a staff member's roles in a tenant (none: the membership ends). */
export async function replaceRoles(tx: Tx, tenantId: string, staffId: string, roles: readonly StaffRole[]): Promise<void> {
  await tx.deleteFrom('staff_memberships').where('tenant_id', '=', tenantId).where('staff_account_id', '=', staffId).execute();
  if (roles.length) {
    await tx.insertInto('staff_memberships').values(roles.map((role) => ({ tenant_id: tenantId, staff_account_id: staffId, role }))).execute();
  }
}

/** A tenant's staff with their roles in it, by name. */
export async function listTenantStaff(db: Db | Tx, tenantId: string) {
  const rows = await db.selectFrom('staff_memberships as m').innerJoin('staff_accounts as a', 'a.id', 'm.staff_account_id')
    .select(['a.id', 'a.display_name', 'a.email', 'a.totp_confirmed_at', 'm.role'])
    .where('m.tenant_id', '=', tenantId).orderBy('a.display_name').orderBy('a.id').orderBy('m.role').execute();
  const byId = new Map<string, { id: string; display_name: string; email: string; enrolled: boolean; roles: StaffRole[] }>();
  for (const r of rows) {
    const entry = byId.get(r.id) ?? { id: r.id, display_name: r.display_name, email: r.email, enrolled: r.totp_confirmed_at !== null, roles: [] };
    entry.roles.push(r.role);
    byId.set(r.id, entry);
  }
  return [...byId.values()];
}

/** Tenant admins of a tenant, by id. */
export async function listTenantAdminIds(db: Db | Tx, tenantId: string): Promise<string[]> {
  const rows = await db.selectFrom('staff_memberships').select('staff_account_id')
    .where('tenant_id', '=', tenantId).where('role', '=', 'tenant_admin').execute();
  return rows.map((r) => r.staff_account_id);
}

/** Creates an account that cannot log in until its invitation sets a password. */
export async function insertInvitedAccount(tx: Tx, email: string, displayName: string, unusablePasswordHash: string): Promise<string> {
  const row = await tx.insertInto('staff_accounts').values({ email: email.toLowerCase(), display_name: displayName, password_hash: unusablePasswordHash })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertInvitation(tx: Tx, invitation: { tokenHash: string; staffId: string; tenantId: string; expiresAt: Date }): Promise<void> {
  await tx.insertInto('staff_invitations').values({
    token_hash: invitation.tokenHash, staff_account_id: invitation.staffId, tenant_id: invitation.tenantId, expires_at: invitation.expiresAt,
  }).execute();
}

/** An unused, unexpired invitation by its token's hash. */
export async function findOpenInvitation(db: Db | Tx, tokenHash: string) {
  return db.selectFrom('staff_invitations as i').innerJoin('staff_accounts as a', 'a.id', 'i.staff_account_id')
    .select(['i.token_hash', 'i.staff_account_id', 'i.tenant_id', 'a.email', 'a.display_name'])
    .where('i.token_hash', '=', tokenHash).where('i.used_at', 'is', null).where('i.expires_at', '>', new Date()).executeTakeFirst();
}

/** Marks an invitation used; false when it was used meanwhile. */
export async function markInvitationUsed(tx: Tx, tokenHash: string): Promise<boolean> {
  const r = await tx.updateTable('staff_invitations').set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updatePasswordHash(db: Db | Tx, staffId: string, passwordHash: string): Promise<void> {
  await db.updateTable('staff_accounts').set({ password_hash: passwordHash, password_changed_at: new Date() }).where('id', '=', staffId).execute();
}

/** Stores a pending TOTP secret (encrypted) when none is confirmed yet; returns the secret now in force. */
export async function storePendingTotpSecret(db: Db, staffId: string, secretEnc: string): Promise<void> {
  await db.updateTable('staff_accounts').set({ totp_secret_enc: secretEnc })
    .where('id', '=', staffId).where('totp_confirmed_at', 'is', null).execute();
}

/** Confirms the TOTP enrolment and stores the recovery codes' hashes (replacing any earlier ones). */
export async function confirmTotp(tx: Tx, staffId: string, step: number, recoveryCodeHashes: readonly string[]): Promise<boolean> {
  const r = await tx.updateTable('staff_accounts').set({ totp_confirmed_at: new Date(), totp_last_step: step })
    .where('id', '=', staffId).where('totp_confirmed_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await tx.deleteFrom('staff_recovery_codes').where('staff_account_id', '=', staffId).execute();
  await tx.insertInto('staff_recovery_codes').values(recoveryCodeHashes.map((code_hash) => ({ staff_account_id: staffId, code_hash }))).execute();
  return true;
}

/** Accepts a TOTP step once: false when this or a later step was accepted before (a replayed code). */
export async function claimTotpStep(db: Db | Tx, staffId: string, step: number): Promise<boolean> {
  const r = await db.updateTable('staff_accounts').set({ totp_last_step: step })
    .where('id', '=', staffId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Uses up a recovery code; returns how many unused remain, or null when the code is not a valid unused one. */
export async function useRecoveryCode(db: Db, staffId: string, codeHash: string): Promise<number | null> {
  const r = await db.updateTable('staff_recovery_codes').set({ used_at: new Date() })
    .where('staff_account_id', '=', staffId).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return null;
  const row = await db.selectFrom('staff_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('staff_account_id', '=', staffId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes a staff member's sessions (all, or all but `exceptSessionId`); returns how many. */
export async function deleteStaffSessions(db: Db | Tx, staffId: string, exceptSessionId?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where(sql<string>`data ->> 'staffId'`, '=', staffId);
  if (exceptSessionId) query = query.where('id', '!=', exceptSessionId);
  const r = await query.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The networks a tenant's staff pages may be used from (empty: no restriction). */
export async function listTenantNetworks(db: Db | Tx, tenantId: string): Promise<string[]> {
  const rows = await db.selectFrom('tenant_staff_networks').select('cidr').where('tenant_id', '=', tenantId).orderBy('cidr').execute();
  return rows.map((r) => r.cidr);
}

export async function replaceTenantNetworks(tx: Tx, tenantId: string, cidrs: readonly string[]): Promise<void> {
  await tx.deleteFrom('tenant_staff_networks').where('tenant_id', '=', tenantId).execute();
  if (cidrs.length) await tx.insertInto('tenant_staff_networks').values(cidrs.map((cidr) => ({ tenant_id: tenantId, cidr }))).execute();
}

/** Sets a confirmed TOTP secret (encrypted) for an account that has none yet: demo seeding only. */
export async function enrolTotpSecret(db: Db | Tx, staffId: string, secretEnc: string): Promise<void> {
  await db.updateTable('staff_accounts').set({ totp_secret_enc: secretEnc, totp_confirmed_at: new Date() })
    .where('id', '=', staffId).where('totp_confirmed_at', 'is', null).execute();
}

/** A staff member to send a notice to. The address is personal data: never log it. */
export interface StaffRecipient {
  id: string;
  email: string;
}

/**
 * Active members of the tenant holding one of `roles` there, with the address they log in with
 * (stored in plain text, lower case), by id, at most `limit` (optionally only the accounts in
 * `onlyIds`). A removed member has no membership left and so is never listed; an account invited
 * but not yet activated (no password set through its invitation) cannot log in to act on a notice
 * and is left out too.
 */
export async function listActiveMembers(
  db: Db | Tx, tenantId: string, roles: readonly StaffRole[], options: { limit: number; onlyIds?: readonly string[] },
): Promise<StaffRecipient[]> {
  if (roles.length === 0 || options.onlyIds?.length === 0) return [];
  let query = db.selectFrom('staff_accounts as a')
    .select(['a.id', 'a.email'])
    .where((eb) => eb.exists(eb.selectFrom('staff_memberships as m').select('m.staff_account_id')
      .whereRef('m.staff_account_id', '=', 'a.id').where('m.tenant_id', '=', tenantId).where('m.role', 'in', [...roles])))
    .where((eb) => eb.or([
      eb('a.password_changed_at', 'is not', null),
      eb.not(eb.exists(eb.selectFrom('staff_invitations as i').select('i.staff_account_id').whereRef('i.staff_account_id', '=', 'a.id'))),
    ]));
  if (options.onlyIds) query = query.where('a.id', 'in', [...options.onlyIds]);
  return query.orderBy('a.id').limit(options.limit).execute();
}
