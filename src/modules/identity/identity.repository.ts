/**
 * SQL for citizen accounts and the service provider's SAML state (outstanding requests, used assertions).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';

export interface SamlRequestRow {
  id: string;
  acs_url: string;
  requested_level: TrustLevel;
  return_path: string;
  created_at: Date;
}

export async function insertSamlRequest(db: Db, row: { id: string; acsUrl: string; requestedLevel: TrustLevel; returnPath: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('saml_requests').values({
    id: row.id, acs_url: row.acsUrl, requested_level: row.requestedLevel, return_path: row.returnPath, expires_at: row.expiresAt,
  }).execute();
}

/** The outstanding (not expired) request with this id, or undefined. */
export async function findSamlRequest(db: Db, id: string): Promise<SamlRequestRow | undefined> {
  return db.selectFrom('saml_requests').select(['id', 'acs_url', 'requested_level', 'return_path', 'created_at'])
    .where('id', '=', id).where('expires_at', '>', new Date()).executeTakeFirst();
}

/** Deletes the request and returns it if it was still outstanding: at most one caller gets it. */
export async function takeSamlRequest(db: Db, id: string): Promise<SamlRequestRow | undefined> {
  const row = await db.deleteFrom('saml_requests').where('id', '=', id)
    .returning(['id', 'acs_url', 'requested_level', 'return_path', 'created_at', 'expires_at']).executeTakeFirst();
  return row && row.expires_at > new Date() ? row : undefined;
}

/** Records an assertion as used; false when it had been used before (a replay). */
export async function markAssertionUsed(db: Db, id: string, expiresAt: Date): Promise<boolean> {
  const row = await db.insertInto('saml_used_assertions').values({ id, expires_at: expiresAt })
    .onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Stores a LogoutRequest we sent, whose answer must arrive at `sloUrl`. */
export async function insertSamlLogoutRequest(db: Db, row: { id: string; sloUrl: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('saml_logout_requests').values({ id: row.id, slo_url: row.sloUrl, expires_at: row.expiresAt }).execute();
}

/** True when the LogoutRequest with this id is outstanding (sent by us, not answered, not expired). */
export async function isSamlLogoutRequestOutstanding(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('saml_logout_requests').select('id').where('id', '=', id).where('expires_at', '>', new Date()).executeTakeFirst();
  return row !== undefined;
}

/** Deletes the LogoutRequest and returns it if it was still outstanding: at most one answer is accepted. */
export async function takeSamlLogoutRequest(db: Db, id: string): Promise<{ id: string; slo_url: string } | undefined> {
  const row = await db.deleteFrom('saml_logout_requests').where('id', '=', id)
    .returning(['id', 'slo_url', 'expires_at']).executeTakeFirst();
  return row && row.expires_at > new Date() ? { id: row.id, slo_url: row.slo_url } : undefined;
}

/**
 * The citizen accounts logged in through SAML with this subject (keyed hash of the identity
 * provider's NameID), limited to the given session indexes when there are any.
 */
export async function findAccountsOfSamlSubject(db: Db, subjectKey: string, sessionIndexes: readonly string[]): Promise<string[]> {
  let query = db.selectFrom('sessions').select(sql<string>`data ->> 'citizenId'`.as('account_id'))
    .where(sql<boolean>`data ? 'samlLogin'`)
    .where(sql<string>`data -> 'samlLogin' ->> 'subjectKey'`, '=', subjectKey)
    .where(sql<boolean>`data ? 'citizenId'`);
  if (sessionIndexes.length > 0) query = query.where(sql<string>`data -> 'samlLogin' ->> 'sessionIndex'`, 'in', sessionIndexes);
  const rows = await query.distinct().execute();
  return rows.map((r) => r.account_id);
}

/** Deletes every session of these citizen accounts; returns how many. */
export async function deleteSessionsOfAccounts(db: Db, accountIds: readonly string[]): Promise<number> {
  if (accountIds.length === 0) return 0;
  const result = await db.deleteFrom('sessions').where(sql<boolean>`data ? 'citizenId'`).where(sql<string>`data ->> 'citizenId'`, 'in', accountIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes expired requests and used-assertion records (their expiry already refuses them). */
export async function deleteExpiredSamlState(db: Db): Promise<void> {
  const now = new Date();
  await db.deleteFrom('saml_requests').where('expires_at', '<', now).execute();
  await db.deleteFrom('saml_used_assertions').where('expires_at', '<', now).execute();
  await db.deleteFrom('saml_logout_requests').where('expires_at', '<', now).execute();
  // Expired contact verifications and invitations no longer prove anything.
  await db.deleteFrom('citizen_contact_verifications').where('expires_at', '<', now).execute();
  await db.deleteFrom('organisation_invitations').where('expires_at', '<', now).where('accepted_at', 'is', null).execute();
}

export interface CitizenAccountRow {
  id: string;
  given_name_enc: string | null;
  family_name_enc: string | null;
  address_enc: string | null;
  birth_date_enc: string | null;
  email_enc: string | null;
  last_trust_level: TrustLevel;
  created_at: Date;
  last_login_at: Date;
}

export interface CitizenAccountValues {
  bpk2Hash: string;
  givenNameEnc: string | null;
  familyNameEnc: string | null;
  addressEnc: string | null;
  birthDateEnc: string | null;
  emailEnc: string | null;
  trustLevel: TrustLevel;
}

/** Creates the account for this bPK2 hash or updates it with the identity's current data; returns its id and whether it is new. */
export async function upsertCitizenAccount(tx: Tx, v: CitizenAccountValues): Promise<{ id: string; created: boolean }> {
  const now = new Date();
  const values = {
    given_name_enc: v.givenNameEnc, family_name_enc: v.familyNameEnc, address_enc: v.addressEnc,
    birth_date_enc: v.birthDateEnc, email_enc: v.emailEnc, last_trust_level: v.trustLevel, last_login_at: now,
  };
  const row = await tx.insertInto('citizen_accounts').values({ bpk2_hash: v.bpk2Hash, created_at: now, ...values })
    .onConflict((oc) => oc.column('bpk2_hash').doUpdateSet(values))
    .returning(['id', 'created_at']).executeTakeFirstOrThrow();
  // created_at is only written on insert: equal to this login's time means the account is new.
  return { id: row.id, created: row.created_at.getTime() === now.getTime() };
}

export async function findCitizenAccount(db: Db, id: string): Promise<CitizenAccountRow | undefined> {
  return db.selectFrom('citizen_accounts')
    .select(['id', 'given_name_enc', 'family_name_enc', 'address_enc', 'birth_date_enc', 'email_enc', 'last_trust_level', 'created_at', 'last_login_at'])
    .where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}
