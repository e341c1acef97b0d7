/**
 * Adds an override to the authority finder: for one service in one area, another authority is
 * responsible (optionally a new state authority, created with its contact data). The service, the
 * area and the authority are checked against the database and the staff member's reach; then the
 * authority row, the override, the audit events and the catalogue cache version are written in one
 * transaction, or nothing is.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import { bumpCacheVersion } from '../../platform/cache/versioned-cache.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import { areaOfAuthorityKey, grantFor, type Actor, type ResponsibilityAdmin } from './responsibility-admin.policy.ts';
import { findArea, findAuthority, findOverride, findServiceName, insertAuthority, insertOverride } from './responsibility-admin.repository.ts';
import { stateAuthorityKey, type OverrideField, type OverrideInput, type OverrideRef } from './responsibility-admin.schemas.ts';

/** Why a field's value was refused. */
export type AddOverrideProblemCode =
  | 'UNKNOWN_SERVICE'
  | 'UNKNOWN_AREA'
  /** The area exists but is outside the staff member's reach. */
  | 'AREA_OUT_OF_REACH'
  /** No such authority, or one outside the staff member's reach. */
  | 'UNKNOWN_AUTHORITY'
  /** A new authority's name gives the key of an existing one. */
  | 'AUTHORITY_EXISTS'
  /** The service already has an override for this area. */
  | 'OVERRIDE_EXISTS';

/** A refused field and why. */
export interface AddOverrideProblem {
  field: OverrideField;
  code: AddOverrideProblemCode;
}

/** Added, or refused with a problem per field (nothing written). */
export type AddOverrideResult =
  | { ok: true; value: { ref: OverrideRef; authorityKey: string; authorityCreated: boolean } }
  | { ok: false; code: 'REFUSED'; problems: AddOverrideProblem[] };

/** Ends the transaction (rolling back what was written) when a write finds the key taken after all. */
class Refusal extends Error {
  readonly problems: AddOverrideProblem[];
  constructor(problems: AddOverrideProblem[]) {
    super('refused');
    this.problems = problems;
  }
}

/** True when `key` has an `authorities` row the admin may name: a state authority, or one of an area in reach. */
async function isAuthorityInReach(tx: Tx, admin: ResponsibilityAdmin, key: string): Promise<boolean> {
  if (!(await findAuthority(tx, key))) return false;
  const target = areaOfAuthorityKey(key);
  if (target === 'state' || admin.stateWideTenantId) return true;
  if (!target) return false;
  const area = await findArea(tx, target.kind, target.code);
  return area !== undefined && grantFor(admin, area) !== null;
}

/**
 * Adds the override `input` for `admin`.
 * @throws when the database fails (nothing is written).
 */
export async function addOverride(db: Db, admin: ResponsibilityAdmin, actor: Actor, input: OverrideInput): Promise<AddOverrideResult> {
  try {
    return await db.transaction().execute(async (tx): Promise<AddOverrideResult> => {
      const problems: AddOverrideProblem[] = [];
      if (!(await findServiceName(tx, input.leikaKey))) problems.push({ field: 'leikaKey', code: 'UNKNOWN_SERVICE' });
      const area = await findArea(tx, input.area.kind, input.area.code);
      const grant = area ? grantFor(admin, area) : null;
      if (!area) problems.push({ field: 'areaCode', code: 'UNKNOWN_AREA' });
      else if (!grant) problems.push({ field: 'areaCode', code: 'AREA_OUT_OF_REACH' });

      const { authority } = input;
      const authorityKey = authority.kind === 'existing' ? authority.key : stateAuthorityKey(authority.name);
      if (authority.kind === 'existing') {
        if (!(await isAuthorityInReach(tx, admin, authorityKey))) problems.push({ field: 'authorityKey', code: 'UNKNOWN_AUTHORITY' });
      } else if (await findAuthority(tx, authorityKey)) {
        problems.push({ field: 'authorityName', code: 'AUTHORITY_EXISTS' });
      }
      if (problems.length > 0 || !area || !grant) return { ok: false, code: 'REFUSED', problems };

      // The stored spelling of the area (a Regierungsbezirk may have been typed in lower case).
      const ref: OverrideRef = { leikaKey: input.leikaKey, areaKind: area.kind, areaCode: area.code };
      if (await findOverride(tx, { stateWide: true, districtKeys: [], municipalityAgs: [] }, ref)) {
        return { ok: false, code: 'REFUSED', problems: [{ field: 'areaCode', code: 'OVERRIDE_EXISTS' }] };
      }
      const audit = { tenantId: grant, actorType: 'staff', actorId: actor.staffId, requestId: actor.requestId } as const;
      if (authority.kind === 'new') {
        // Someone may have created the same authority since the check above.
        if (!(await insertAuthority(tx, authorityKey, authority))) throw new Refusal([{ field: 'authorityName', code: 'AUTHORITY_EXISTS' }]);
        await recordAudit(tx, { ...audit, action: 'responsibility.authority.created', subjectType: 'authority', subjectId: authorityKey });
      }
      if (!(await insertOverride(tx, ref, authorityKey))) throw new Refusal([{ field: 'areaCode', code: 'OVERRIDE_EXISTS' }]);
      await recordAudit(tx, {
        ...audit, action: 'responsibility.override.added', subjectType: 'responsibility_override',
        subjectId: `${ref.leikaKey}/${ref.areaKind}/${ref.areaCode}`,
        details: { leikaKey: ref.leikaKey, areaKind: ref.areaKind, areaCode: ref.areaCode, authorityKey },
      });
      // Every instance drops its cached catalogue lookups (the finder's answers) once this commits.
      await bumpCacheVersion(tx, 'catalog');
      return { ok: true, value: { ref, authorityKey, authorityCreated: authority.kind === 'new' } };
    });
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, code: 'REFUSED', problems: error.problems };
    throw error;
  }
}
