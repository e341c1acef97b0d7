/**
 * Citizens' access tokens for the applications API (mobile apps, other portals): created on the
 * account page after a normal login, shown once, valid for 90 days, revocable. A token carries the
 * trust level of the login that created it (an app never gets more than the person had) and the
 * business account the person acted for. Requests present it as `Authorization: Bearer <token>`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import type { Citizen } from './identity.policy.ts';
import { insertApiToken, useApiToken } from './api-tokens.repository.ts';
import { findMembership } from './organisation.repository.ts';

export const API_TOKEN_LIFETIME_MS = 90 * 24 * 3600_000;
const PREFIX = 'da_';

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Creates a token for the logged-in person; the plain token is returned once and never stored. */
export async function createApiToken(db: Db, citizen: Citizen, name: string, requestId: string): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + API_TOKEN_LIFETIME_MS);
  const id = await insertApiToken(db, { accountId: citizen.id, organisationId: citizen.organisationId, name, tokenHash: hashOf(token), trustLevel: citizen.level, expiresAt });
  await recordAudit(db, { actorType: 'citizen', actorId: citizen.id, action: 'citizen.api_token_created', subjectType: 'api_token', subjectId: id, requestId, details: { trustLevel: citizen.level } });
  return { id, token, expiresAt };
}

/** Who an API request acts as. */
export interface ApiCitizen {
  accountId: string;
  organisationId: string | null;
  level: TrustLevel;
  tokenId: string;
}

/**
 * The citizen behind an `Authorization: Bearer` header, or null for a missing, malformed, unknown,
 * revoked or expired token, or one for a business account the person no longer belongs to.
 */
export async function authenticateApiCitizen(db: Db, authorization: string | undefined): Promise<ApiCitizen | null> {
  const match = /^Bearer (da_[A-Za-z0-9_-]{43})$/.exec(authorization ?? '');
  if (!match) return null;
  const holder = await useApiToken(db, hashOf(match[1]!));
  if (!holder) return null;
  if (holder.organisationId && !(await findMembership(db, holder.organisationId, holder.accountId))) return null;
  return { accountId: holder.accountId, organisationId: holder.organisationId, level: holder.trustLevel, tokenId: holder.tokenId };
}
