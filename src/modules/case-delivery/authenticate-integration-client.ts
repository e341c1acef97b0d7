/** The specialist procedure behind an API request: the unrevoked client whose token the request bears. */
import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { findClientByTokenHash } from './case-delivery.repository.ts';

/** Tokens are stored as their SHA-256 (hex): a leaked table holds no usable credential. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The client an `Authorization: Bearer <token>` header names, or undefined (missing, malformed, unknown or revoked). */
export async function authenticateIntegrationClient(db: Db, authorization: string | undefined): Promise<{ id: string; tenantId: string } | undefined> {
  const match = /^Bearer ([\w-]{10,200})$/.exec(authorization ?? '');
  if (!match) return undefined;
  return findClientByTokenHash(db, hashToken(match[1]!));
}
