/**
 * SQL for citizens' API tokens (mobile apps): only the SHA-256 of a token is stored.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';

export interface ApiTokenRow {
  id: string;
  name: string;
  organisationId: string | null;
  trustLevel: TrustLevel;
  expiresAt: Date;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export async function insertApiToken(db: Db | Tx, t: { accountId: string; organisationId: string | null; name: string; tokenHash: string; trustLevel: TrustLevel; expiresAt: Date }): Promise<string> {
  const row = await db.insertInto('citizen_api_tokens').values({
    account_id: t.accountId, organisation_id: t.organisationId, name: t.name, token_hash: t.tokenHash, trust_level: t.trustLevel, expires_at: t.expiresAt,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The person's tokens that still work, newest first. */
export async function listActiveApiTokens(db: Db, accountId: string): Promise<ApiTokenRow[]> {
  const rows = await db.selectFrom('citizen_api_tokens').select(['id', 'name', 'organisation_id', 'trust_level', 'expires_at', 'last_used_at', 'created_at'])
    .where('account_id', '=', accountId).where('revoked_at', 'is', null).where('expires_at', '>', sql<Date>`now()`).orderBy('created_at', 'desc').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, organisationId: r.organisation_id, trustLevel: r.trust_level, expiresAt: r.expires_at, lastUsedAt: r.last_used_at, createdAt: r.created_at }));
}

export async function revokeApiToken(db: Db, accountId: string, tokenId: string): Promise<boolean> {
  const row = await db.updateTable('citizen_api_tokens').set({ revoked_at: sql<Date>`now()` })
    .where('account_id', '=', accountId).where('id', '=', tokenId).where('revoked_at', 'is', null).returning('id').executeTakeFirst();
  return row !== undefined;
}

/**
 * The token's holder when it is valid (not revoked, not expired); marks it used. The time of use
 * is written at most once a minute (the account page shows the day): a busy app's token is read on
 * every request, not written.
 */
export async function useApiToken(db: Db, tokenHash: string): Promise<{ tokenId: string; accountId: string; organisationId: string | null; trustLevel: TrustLevel } | undefined> {
  const row = await db.selectFrom('citizen_api_tokens')
    .select(['id', 'account_id', 'organisation_id', 'trust_level', sql<boolean>`last_used_at IS NULL OR last_used_at < now() - interval '1 minute'`.as('stale')])
    .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.stale) await db.updateTable('citizen_api_tokens').set({ last_used_at: sql<Date>`now()` }).where('id', '=', row.id).execute();
  return { tokenId: row.id, accountId: row.account_id, organisationId: row.organisation_id, trustLevel: row.trust_level };
}
