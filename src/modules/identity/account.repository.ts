/**
 * SQL for the citizen's own account settings: verified contact data, pending verifications,
 * notification preference, login history, and the deletion of the account's personal data.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';

export type ContactKind = 'email' | 'phone';

export interface ContactVerificationRow {
  account_id: string;
  kind: ContactKind;
  value_enc: string;
  secret_hash: string;
  attempts: number;
  expires_at: Date;
}

/** Stores (or replaces) the pending value of one kind for the account. */
export async function putContactVerification(tx: Db | Tx, row: { accountId: string; kind: ContactKind; valueEnc: string; secretHash: string; expiresAt: Date }): Promise<void> {
  const values = { value_enc: row.valueEnc, secret_hash: row.secretHash, attempts: 0, expires_at: row.expiresAt, created_at: new Date() };
  await tx.insertInto('citizen_contact_verifications').values({ account_id: row.accountId, kind: row.kind, ...values })
    .onConflict((oc) => oc.columns(['account_id', 'kind']).doUpdateSet(values)).execute();
}

export async function findContactVerification(db: Db | Tx, accountId: string, kind: ContactKind): Promise<ContactVerificationRow | undefined> {
  return db.selectFrom('citizen_contact_verifications').select(['account_id', 'kind', 'value_enc', 'secret_hash', 'attempts', 'expires_at'])
    .where('account_id', '=', accountId).where('kind', '=', kind).executeTakeFirst();
}

/** Deletes and returns the pending e-mail verification with this token hash if it has not expired: used once. */
export async function takeEmailVerificationByHash(tx: Tx, secretHash: string): Promise<ContactVerificationRow | undefined> {
  const row = await tx.deleteFrom('citizen_contact_verifications').where('secret_hash', '=', secretHash).where('kind', '=', 'email')
    .returning(['account_id', 'kind', 'value_enc', 'secret_hash', 'attempts', 'expires_at']).executeTakeFirst();
  return row && row.expires_at > new Date() ? row : undefined;
}

export async function deleteContactVerification(tx: Db | Tx, accountId: string, kind: ContactKind): Promise<void> {
  await tx.deleteFrom('citizen_contact_verifications').where('account_id', '=', accountId).where('kind', '=', kind).execute();
}

/** Counts a wrong code; returns the attempts so far. */
export async function countVerificationAttempt(db: Db | Tx, accountId: string, kind: ContactKind): Promise<number> {
  const row = await db.updateTable('citizen_contact_verifications').set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('account_id', '=', accountId).where('kind', '=', kind).returning('attempts').executeTakeFirst();
  return row?.attempts ?? 0;
}

export async function setContact(tx: Db | Tx, accountId: string, kind: ContactKind, valueEnc: string | null): Promise<void> {
  await tx.updateTable('citizen_accounts').set(kind === 'email' ? { contact_email_enc: valueEnc } : { contact_phone_enc: valueEnc })
    .where('id', '=', accountId).execute();
}

export async function setMailboxNotification(db: Db, accountId: string, on: boolean): Promise<void> {
  await db.updateTable('citizen_accounts').set({ notify_mailbox_email: on }).where('id', '=', accountId).execute();
}

export interface AccountSettingsRow {
  contact_email_enc: string | null;
  contact_phone_enc: string | null;
  notify_mailbox_email: boolean;
}

export async function findAccountSettings(db: Db, accountId: string): Promise<AccountSettingsRow | undefined> {
  return db.selectFrom('citizen_accounts').select(['contact_email_enc', 'contact_phone_enc', 'notify_mailbox_email'])
    .where('id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Logins and logouts of the account from the audit log (newest first): time, action, level, method. */
export async function listLoginHistory(db: Db, accountId: string, limit = 200) {
  return db.selectFrom('audit_events').select(['created_at', 'action', 'details'])
    .where('actor_type', '=', 'citizen').where('actor_id', '=', accountId)
    .where('action', 'in', ['citizen.login', 'citizen.logout', 'citizen.contact_verified', 'citizen.preferences_changed'])
    .orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Removes the account's personal data: identity fields and contact data are cleared, the bPK2 hash
 * replaced (the person's next login creates a new account), pending verifications, memberships
 * and the account's sessions deleted. The row stays (deleted_at) for records kept by law.
 */
export async function eraseCitizenAccount(tx: Tx, accountId: string): Promise<void> {
  await tx.updateTable('citizen_accounts').set({
    bpk2_hash: `deleted:${accountId}`,
    given_name_enc: null, family_name_enc: null, address_enc: null, birth_date_enc: null, email_enc: null,
    contact_email_enc: null, contact_phone_enc: null, notify_mailbox_email: false, deleted_at: new Date(),
  }).where('id', '=', accountId).execute();
  await tx.deleteFrom('citizen_contact_verifications').where('account_id', '=', accountId).execute();
  await tx.deleteFrom('organisation_members').where('account_id', '=', accountId).execute();
  await tx.deleteFrom('sessions').where(sql<string>`data->>'citizenId'`, '=', accountId).execute();
}

/** The notice address and preference of an account: the verified contact address, else the one from the identity. */
export async function findNotificationTarget(db: Db, accountId: string) {
  return db.selectFrom('citizen_accounts').select(['contact_email_enc', 'email_enc', 'notify_mailbox_email'])
    .where('id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
}
