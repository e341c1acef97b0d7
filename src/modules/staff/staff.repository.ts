/**
 * SQL for staff accounts and their tenant memberships.
 */
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
}

export async function findStaffByEmail(db: Db, email: string): Promise<StaffAccount | undefined> {
  return db.selectFrom('staff_accounts')
    .select(['id', 'email', 'display_name', 'password_hash', 'is_platform_operator', 'failed_logins', 'locked_until'])
    .where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findStaffById(db: Db, id: string): Promise<StaffAccount | undefined> {
  return db.selectFrom('staff_accounts')
    .select(['id', 'email', 'display_name', 'password_hash', 'is_platform_operator', 'failed_logins', 'locked_until'])
    .where('id', '=', id).executeTakeFirst();
}

export async function listMemberships(db: Db, staffId: string) {
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

export async function resetFailedLogins(db: Db, id: string): Promise<void> {
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
