/**
 * Removes an override of the authority finder: the deletion, the audit event and the catalogue
 * cache version in one transaction. The finder then answers from its default rules again. The
 * authority the override named is kept (other overrides may name it).
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import { bumpCacheVersion } from '../../platform/cache/versioned-cache.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { grantFor, scopeOf, type Actor, type ResponsibilityAdmin } from './responsibility-admin.policy.ts';
import { deleteOverride, findArea } from './responsibility-admin.repository.ts';
import type { OverrideRef } from './responsibility-admin.schemas.ts';

/**
 * Removes the override `ref` for `admin`.
 * @throws DomainError NOT_FOUND when there is no such override, or its area is outside the admin's reach (nothing is written).
 */
export async function removeOverride(db: Db, admin: ResponsibilityAdmin, actor: Actor, ref: OverrideRef): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const area = await findArea(tx, ref.areaKind, ref.areaCode);
    // An override of an area missing from the reference data can only be removed state-wide.
    const grant = area ? grantFor(admin, area) : admin.stateWideTenantId;
    if (!grant) throw new DomainError('NOT_FOUND');
    const authorityKey = await deleteOverride(tx, scopeOf(admin), ref);
    if (authorityKey === undefined) throw new DomainError('NOT_FOUND');
    await recordAudit(tx, {
      tenantId: grant, actorType: 'staff', actorId: actor.staffId, requestId: actor.requestId,
      action: 'responsibility.override.removed', subjectType: 'responsibility_override',
      subjectId: `${ref.leikaKey}/${ref.areaKind}/${ref.areaCode}`,
      details: { leikaKey: ref.leikaKey, areaKind: ref.areaKind, areaCode: ref.areaCode, authorityKey },
    });
    await bumpCacheVersion(tx, 'catalog');
  });
}
