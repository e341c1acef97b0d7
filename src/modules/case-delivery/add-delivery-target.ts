/**
 * A tenant administrator adds a delivery target: a webhook (with a secret the administrator enters,
 * or one generated here and shown once) or a FIT-Connect-style destination (id and public key).
 * Secrets are stored with the field cipher. Audited.
 */
import { randomBytes } from 'node:crypto';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { insertTarget, listTenantProcedures } from './case-delivery.repository.ts';
import { publicJwkOf, type TargetInput } from './case-delivery.schemas.ts';

export interface AdminActor {
  tenantId: string;
  staffId: string;
  requestId: string;
}

/**
 * Stores the target. @returns its id and, when generated here, the webhook secret (to be shown
 * once), or UNKNOWN_PROCEDURE when the procedure is not one of the tenant's.
 */
export async function addDeliveryTarget(db: Db, cipher: FieldCipher, actor: AdminActor, input: TargetInput):
  Promise<{ ok: true; targetId: string; generatedSecret: string | null } | { ok: false; code: 'UNKNOWN_PROCEDURE' }> {
  if (input.procedureId && !(await listTenantProcedures(db, actor.tenantId)).some((p) => p.id === input.procedureId)) {
    return { ok: false, code: 'UNKNOWN_PROCEDURE' };
  }
  const generatedSecret = input.kind === 'webhook' && input.secret === '' ? randomBytes(32).toString('base64url') : null;
  const secret = input.kind === 'webhook' ? (generatedSecret ?? input.secret) : null;
  const targetId = await db.transaction().execute(async (tx) => {
    const id = await insertTarget(tx, actor.tenantId, {
      kind: input.kind, name: input.targetName, url: input.url, procedureId: input.procedureId || null,
      secretEnc: secret ? cipher.encrypt(secret) : null,
      destinationId: input.kind === 'fit_connect' ? input.destinationId : null,
      encryptionJwk: input.kind === 'fit_connect' ? publicJwkOf(input.jwk) : null,
    });
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'case_delivery.target_added',
      subjectType: 'case_delivery_target', subjectId: id, details: { kind: input.kind }, requestId: actor.requestId,
    });
    return id;
  });
  return { ok: true, targetId, generatedSecret };
}
