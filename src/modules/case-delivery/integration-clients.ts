/**
 * Credentials of specialist procedures for the API: a random bearer token, shown once and stored
 * only as its SHA-256; each client belongs to one tenant. Creating and revoking are audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AdminActor } from './add-delivery-target.ts';
import { findClientByTokenHash, insertClient, revokeClient } from './case-delivery.repository.ts';

/** Tokens carry this prefix, so that a leaked one is recognisable (e.g. by secret scanners). */
export const TOKEN_PREFIX = 'da_fv_';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a client. @returns its id and the token (shown once; not recoverable). */
export async function createIntegrationClient(db: Db, actor: AdminActor, name: string): Promise<{ clientId: string; token: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const clientId = await db.transaction().execute(async (tx) => {
    const id = await insertClient(tx, actor.tenantId, { name, tokenHash: hashToken(token), createdBy: actor.staffId });
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'case_delivery.client_created',
      subjectType: 'integration_client', subjectId: id, requestId: actor.requestId,
    });
    return id;
  });
  return { clientId, token };
}

/** Revokes a client of the tenant. @returns false when it has no unrevoked client with this id. */
export async function revokeIntegrationClient(db: Db, actor: AdminActor, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await revokeClient(tx, actor.tenantId, clientId))) return false;
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'case_delivery.client_revoked',
      subjectType: 'integration_client', subjectId: clientId, requestId: actor.requestId,
    });
    return true;
  });
}

/** The client an `Authorization: Bearer <token>` header names, or undefined (missing, malformed, unknown or revoked). */
export async function authenticateIntegrationClient(db: Db, authorization: string | undefined): Promise<{ id: string; tenantId: string } | undefined> {
  const match = /^Bearer ([\w-]{10,200})$/.exec(authorization ?? '');
  if (!match) return undefined;
  return findClientByTokenHash(db, hashToken(match[1]!));
}
