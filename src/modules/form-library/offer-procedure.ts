/**
 * Offers a form as an online procedure of the tenant for a service: an internal online procedure
 * in the catalogue (so it is shown to citizens and counts for Digitales Amt) and its settings —
 * pinned form version (or following newer ones), trust level, fee, processing time, contact and
 * the workflow of its cases. The form may be the tenant's own or one another tenant shares
 * (adoption, "Einer für Alle").
 *
 * The workflow may be changed at any time: a case keeps the workflow it was opened with (stored on
 * the case, migration 0016), so the change applies to applications received from then on and open
 * cases are never left in a state their new rules would not allow or lead to (an application for a
 * decision closed without one, a notification that suddenly needs a decision).
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { insertProcedure, isUniqueViolation, onOnlineProceduresChanged, type EditorActor } from '../catalog-editor/index.ts';
import { findService } from '../catalog/index.ts';
import {
  findUsableForm, insertApplicationProcedure, lockApplicationProcedure, updateApplicationProcedure, versionExists, type ProcedureSettings,
} from './form-library.repository.ts';

export interface OfferInput {
  formId: string;
  leikaKey: string;
  name: string;
  /** OZG maturity of the procedure (model 2.0 level by default: a form filled and submitted online). */
  maturityModel: '1' | '2';
  maturityLevel: number;
  settings: ProcedureSettings;
}

export type OfferResult =
  | { ok: true; value: { procedureId: string } }
  | { ok: false; code: 'FORM_NOT_FOUND' | 'VERSION_NOT_FOUND' | 'SERVICE_NOT_FOUND' | 'DUPLICATE_NAME' };

/** Creates the procedure. @throws when the database fails (nothing is written). */
export async function offerProcedure(db: Db, actor: EditorActor, input: OfferInput): Promise<OfferResult> {
  const form = await findUsableForm(db, actor.tenantId, input.formId);
  if (!form) return { ok: false, code: 'FORM_NOT_FOUND' };
  if (!(await versionExists(db, form.id, input.settings.formVersion))) return { ok: false, code: 'VERSION_NOT_FOUND' };
  if (!(await findService(db, input.leikaKey))) return { ok: false, code: 'SERVICE_NOT_FOUND' };
  try {
    const procedureId = await db.transaction().execute(async (tx) => {
      const id = await insertProcedure(tx, actor.tenantId, input.leikaKey, {
        name: input.name, kind: 'internal', url: null, maturityModel: input.maturityModel, maturityLevel: input.maturityLevel,
      }, actor.staffId);
      await insertApplicationProcedure(tx, actor.tenantId, id, form.id, input.settings);
      await recordAudit(tx, {
        tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'forms.procedure_offered',
        subjectType: 'online_procedure', subjectId: id, requestId: actor.requestId,
        details: { formId: form.id, formVersion: input.settings.formVersion, adopted: form.ownerTenantId !== actor.tenantId, workflow: input.settings.workflow },
      });
      await onOnlineProceduresChanged(tx, actor.tenantId);
      return id;
    });
    return { ok: true, value: { procedureId } };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, code: 'DUPLICATE_NAME' };
    throw error;
  }
}

/**
 * Changes a procedure's settings (e.g. opting in to a newer form version, another workflow for new
 * cases). Another tenant's procedure is 'not-found'. @throws when the database fails.
 */
export async function changeProcedureSettings(db: Db, actor: EditorActor, procedureId: string, formId: string, settings: ProcedureSettings): Promise<'ok' | 'not-found' | 'version-not-found'> {
  if (!(await versionExists(db, formId, settings.formVersion))) return 'version-not-found';
  return db.transaction().execute(async (tx) => {
    const current = await lockApplicationProcedure(tx, actor.tenantId, procedureId);
    if (!current || !(await updateApplicationProcedure(tx, actor.tenantId, procedureId, settings))) return 'not-found';
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'forms.procedure_changed',
      subjectType: 'online_procedure', subjectId: procedureId, requestId: actor.requestId,
      details: {
        formVersion: settings.formVersion, followLatest: settings.followLatest, minTrustLevel: settings.minTrustLevel, workflow: settings.workflow,
        ...(current.workflow !== settings.workflow ? { previousWorkflow: current.workflow } : {}),
      },
    });
    await onOnlineProceduresChanged(tx, actor.tenantId);
    return 'ok';
  });
}
