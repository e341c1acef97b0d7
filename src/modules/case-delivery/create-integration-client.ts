/**
 * A tenant administrator creates a credential for a specialist procedure: a random bearer token,
 * shown once and stored only as its SHA-256; the client belongs to the tenant. Audited.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AdminActor } from './add-delivery-target.ts';
import { insertClient } from './case-delivery.repository.ts';
import { hashToken } from './authenticate-integration-client.ts';

/** Tokens carry this prefix, so that a leaked one is recognisable (e.g. by secret scanners). */
export const TOKEN_PREFIX = 'da_fv_';

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
