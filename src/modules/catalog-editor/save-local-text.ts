/**
 * Saves a tenant's local additions to a service description as a new version, if nobody saved
 * another version since the editor opened the page (optimistic concurrency: no lost update).
 * The text, its version row and the audit event are written in one transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import { onCatalogEntryChanged } from './online-procedures-changed.ts';
import type { Db } from '../../platform/db/database.ts';
import type { EditorActor } from './catalog-editor.policy.ts';
import type { LocalTextInput } from './catalog-editor.schemas.ts';
import {
  findLocalText, insertLocalText, insertLocalTextVersion, updateLocalText, type LocalText, type LocalTextFields,
} from './catalog-editor.repository.ts';

/** Saved (or unchanged), or refused because another version was saved in between. */
export type SaveLocalTextResult =
  | { ok: true; value: { version: number; changed: boolean } }
  /** Someone saved another version after `baseVersion`: the current one, to show beside the user's. */
  | { ok: false; code: 'VERSION_CONFLICT'; current: LocalText | undefined };

const FIELDS = ['fees', 'contact', 'localRequirements'] as const;

/** The fields in which two texts differ (an absent text counts as all empty). */
export function changedFields(before: LocalTextFields | undefined, after: LocalTextFields): (keyof LocalTextFields)[] {
  return FIELDS.filter((f) => (before?.[f] ?? null) !== after[f]);
}

/**
 * Saves `input` as version `baseVersion + 1` of the tenant's text for the service. `baseVersion` is
 * the version the form was based on (0: none yet). Saving unchanged text writes nothing.
 * @throws when the database fails (nothing is written).
 */
export async function saveLocalText(db: Db, actor: EditorActor, leikaKey: string, baseVersion: number, input: LocalTextInput): Promise<SaveLocalTextResult> {
  const text: LocalTextFields = { fees: input.fees, contact: input.contact, localRequirements: input.localRequirements };
  return db.transaction().execute(async (tx): Promise<SaveLocalTextResult> => {
    const current = await findLocalText(tx, actor.tenantId, leikaKey);
    if ((current?.version ?? 0) !== baseVersion) return { ok: false, code: 'VERSION_CONFLICT', current };
    if (changedFields(current, text).length === 0) return { ok: true, value: { version: baseVersion, changed: false } };
    // The write itself checks the version again: a save between our read and this write loses.
    const written = baseVersion === 0
      ? await insertLocalText(tx, actor.tenantId, leikaKey, text, actor.staffId)
      : await updateLocalText(tx, actor.tenantId, leikaKey, baseVersion, text, actor.staffId);
    if (!written) return { ok: false, code: 'VERSION_CONFLICT', current: await findLocalText(tx, actor.tenantId, leikaKey) };
    const version = baseVersion + 1;
    await insertLocalTextVersion(tx, actor.tenantId, leikaKey, version, text, actor.staffId);
    await recordAudit(tx, {
      tenantId: actor.tenantId, actorType: 'staff', actorId: actor.staffId, action: 'catalog.local_text.saved',
      subjectType: 'service', subjectId: leikaKey, details: { version }, requestId: actor.requestId,
    });
    await onCatalogEntryChanged(tx);
    return { ok: true, value: { version, changed: true } };
  });
}
