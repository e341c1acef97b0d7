/**
 * Stores a form definition as a new form of the tenant, or as the next version of one of its forms.
 * The definition is checked first (shape, unique ids, code lists, rule expressions); a refused one
 * comes back with every problem, and nothing is written. Versions are never changed afterwards:
 * procedures pinned to one keep exactly what they were tested with.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import { foldGerman } from '../../platform/text/fold.ts';
import type { EditorActor } from '../catalog-editor/index.ts';
import { isUniqueViolation } from '../catalog-editor/index.ts';
import { checkFormDefinition } from '../forms/index.ts';
import { findOwnFormForUpdate, insertForm, insertNextVersion, updateFormTitle } from './form-library.repository.ts';

export type StoreFormResult =
  | { ok: true; value: { formId: string; version: number } }
  | { ok: false; code: 'INVALID_DEFINITION'; problems: { path: string; message: string }[] }
  | { ok: false; code: 'NOT_FOUND' | 'DUPLICATE_SLUG' };

/** A URL-safe name for a form, from its title. */
export function formSlug(title: string): string {
  const slug = foldGerman(title).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return slug.length >= 2 ? slug : `formular-${slug}x`;
}

/**
 * Stores `definition` (parsed JSON) as a new form, or as the next version of `formId` (the
 * tenant's own). @throws when the database fails.
 */
export async function storeForm(db: Db, actor: EditorActor, input: { formId?: string; definition: unknown; source: string | null }): Promise<StoreFormResult> {
  const checked = checkFormDefinition(input.definition);
  if (!checked.ok) return { ok: false, code: 'INVALID_DEFINITION', problems: checked.problems };
  const title = checked.definition.title.de;
  try {
    return await db.transaction().execute(async (tx): Promise<StoreFormResult> => {
      let formId = input.formId;
      if (formId) {
        if (!(await findOwnFormForUpdate(tx, actor.tenantId, formId))) return { ok: false, code: 'NOT_FOUND' };
        await updateFormTitle(tx, formId, title);
      } else {
        formId = await insertForm(tx, actor.tenantId, formSlug(title), title);
      }
      const version = await insertNextVersion(tx, formId, checked.definition, input.source ?? checked.definition.source ?? null, actor.staffId);
      await recordAudit(tx, {
        tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'forms.version_stored',
        subjectType: 'form', subjectId: formId, requestId: actor.requestId, details: { version },
      });
      return { ok: true, value: { formId, version } };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, code: 'DUPLICATE_SLUG' };
    throw error;
  }
}

/**
 * For the FIM import page: stores an imported definition as a new form of the importer's (first)
 * tenant and names the form's page, where it is offered as an online procedure.
 */
export async function storeImportedForm(db: Db, input: { staffId: string; tenants: { id: string }[]; requestId: string; definition: unknown }): Promise<{ href: string } | undefined> {
  const tenant = input.tenants[0];
  if (!tenant) return undefined;
  const result = await storeForm(db, { tenantId: tenant.id, staffId: input.staffId, requestId: input.requestId }, { definition: input.definition, source: null });
  return result.ok ? { href: `/verwaltung/formulare/${result.value.formId}` } : undefined;
}
