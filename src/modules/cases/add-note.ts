/**
 * An internal note on a case: for the authority only, never shown to the applicant, encrypted with
 * the tenant's data key.
 */
import { randomUUID } from 'node:crypto';
import { recordCaseAction } from '../case-trail/index.ts';
import type { CasesDeps } from './cases.deps.ts';
import { findCase, insertNote } from './cases.repository.ts';

/** @returns false when the case is not the tenant's. @throws when the database fails. */
export async function addNote(deps: Pick<CasesDeps, 'db' | 'tenantKeys'>, input: { tenantId: string; caseId: string; staffId: string; text: string }): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    if (!(await findCase(tx, input.tenantId, input.caseId))) return false;
    const id = randomUUID();
    const bodyEnc = await deps.tenantKeys.encryptText(tx, input.tenantId, input.text, noteContext(id));
    await insertNote(tx, { id, tenantId: input.tenantId, caseId: input.caseId, authorId: input.staffId, bodyEnc, keyVersion: deps.tenantKeys.versionOf(bodyEnc) });
    await recordCaseAction(tx, { tenantId: input.tenantId, caseId: input.caseId, action: 'case.note_added', actorType: 'staff', actorId: input.staffId, trustLevel: null, details: { noteId: id } });
    return true;
  });
}

/** The encryption context of a note's text: bound to its row. */
export function noteContext(noteId: string): string {
  return `case_notes.body:${noteId}`;
}
