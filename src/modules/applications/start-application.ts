/**
 * Starts an application: finds the authority responsible for the applicant's municipality with the
 * catalogue's authority finder, checks that it is the one offering this procedure on the platform,
 * and creates the draft (prefilled from the identity when the applicant agreed). Idempotent per
 * start key: a double click or a replayed request finds the same draft.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { VersionedCache } from '../../platform/cache/versioned-cache.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import { findResponsibleAuthority, findResponsibleAuthorityCached, type ResponsibleAuthority } from '../catalog/index.ts';
import type { Answers } from '../forms/form-definition.ts';
import { loadCitizenProfile, meetsLevel } from '../identity/index.ts';
import { findProcedure, insertDraft, type ApplicationOwner, type ProcedureForStart } from './applications.repository.ts';
import type { FormVersions } from './load-form.ts';
import { applyPrefill } from '../forms/index.ts';
import { prefillValuesOf } from './prefill.ts';

export interface StartDeps {
  db: Db;
  cipher: FieldCipher;
  formVersions: FormVersions;
  draftRetentionDays: number;
}

export interface StartInput {
  procedureId: string;
  ags: string;
  owner: ApplicationOwner;
  trustLevel: TrustLevel;
  startKey: string;
  prefillConsent: boolean;
}

/** Why an application cannot be started here (the page explains each, naming the authority). */
export type StartRefusal =
  | { code: 'NOT_FOUND' }
  | { code: 'LEVEL_TOO_LOW'; needed: TrustLevel }
  /** Another authority is responsible for that municipality (or none connected to the platform). */
  | { code: 'NOT_RESPONSIBLE'; authority: ResponsibleAuthority | undefined };

export type StartResult = { ok: true; value: { applicationId: string; created: boolean } } | ({ ok: false } & StartRefusal);

/**
 * Checks whether `procedure` takes applications from municipality `ags`: the authority finder must
 * name the procedure's tenant as responsible.
 */
export async function checkResponsibility(db: Db | Tx, procedure: ProcedureForStart, ags: string, cache?: VersionedCache): Promise<{ ok: true; authority: ResponsibleAuthority } | { ok: false; authority: ResponsibleAuthority | undefined }> {
  const authority = cache ? await findResponsibleAuthorityCached(cache, db, procedure.leikaKey, ags) : await findResponsibleAuthority(db, procedure.leikaKey, ags);
  return authority && authority.tenantId === procedure.tenantId ? { ok: true, authority } : { ok: false, authority };
}

/** Starts (or finds) the draft. @throws when the database fails (nothing is written). */
export async function startApplication(deps: StartDeps, input: StartInput): Promise<StartResult> {
  const { db, cipher } = deps;
  const procedure = await findProcedure(db, input.procedureId);
  if (!procedure) return { ok: false, code: 'NOT_FOUND' };
  if (!meetsLevel(input.trustLevel, procedure.minTrustLevel)) return { ok: false, code: 'LEVEL_TOO_LOW', needed: procedure.minTrustLevel };
  const responsibility = await checkResponsibility(db, procedure, input.ags);
  if (!responsibility.ok) return { ok: false, code: 'NOT_RESPONSIBLE', authority: responsibility.authority };

  const definition = await deps.formVersions.load(db, procedure.formId, procedure.formVersion);
  let answers: Answers = {};
  if (input.prefillConsent) {
    const profile = await loadCitizenProfile(db, cipher, input.owner.accountId);
    if (profile) answers = applyPrefill(definition, answers, prefillValuesOf(profile)).answers;
  }
  const firstStep = definition.steps[0]?.id ?? '';
  const result = await db.transaction().execute((tx) => insertDraft(tx, {
    procedureId: procedure.id, tenantId: procedure.tenantId, formId: procedure.formId, formVersion: procedure.formVersion,
    owner: input.owner, ags: input.ags, answersEnc: cipher.encrypt(JSON.stringify(answers)), currentStep: firstStep,
    trustLevel: input.trustLevel, startKey: input.startKey, expiresAt: draftExpiry(deps.draftRetentionDays), prefillConsent: input.prefillConsent,
  }));
  return { ok: true, value: { applicationId: result.id, created: result.created } };
}

/** When a draft changed now expires. */
export function draftExpiry(retentionDays: number, now = new Date()): Date {
  return new Date(now.getTime() + retentionDays * 24 * 3600 * 1000);
}
