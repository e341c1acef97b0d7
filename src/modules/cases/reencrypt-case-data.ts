/**
 * After a rotation of a tenant's data key: moves internal notes and decision texts written with an
 * older key version to the newest one, in batches (each row on its own, so a run can be stopped
 * and started again). Uploads and mailbox content have their own runs (platform uploads, mailbox).
 */
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db } from '../../platform/db/database.ts';
import { noteContext } from './add-note.ts';
import { listDecisionsForReencryption, listNotesForReencryption, replaceDecisionBody, replaceNoteBody } from './cases.repository.ts';
import { decisionBodyContext } from './issue-decision.ts';

const BATCH = 200;

/** @returns how many values were re-encrypted. */
export async function reencryptCaseData(db: Db, tenantKeys: TenantKeys, tenantId: string): Promise<number> {
  const version = await tenantKeys.currentVersion(db, tenantId);
  let moved = 0;
  for (;;) {
    const notes = await listNotesForReencryption(db, tenantId, version, BATCH);
    for (const n of notes) {
      const again = await tenantKeys.reencrypt(db, tenantId, n.bodyEnc, noteContext(n.id));
      if (again) await replaceNoteBody(db, tenantId, n.id, again, tenantKeys.versionOf(again));
    }
    moved += notes.length;
    if (notes.length < BATCH) break;
  }
  for (;;) {
    const decisions = await listDecisionsForReencryption(db, tenantId, version, BATCH);
    for (const d of decisions) {
      const again = await tenantKeys.reencrypt(db, tenantId, d.bodyEnc, decisionBodyContext(d.caseId));
      if (again) await replaceDecisionBody(db, tenantId, d.id, again, tenantKeys.versionOf(again));
    }
    moved += decisions.length;
    if (decisions.length < BATCH) break;
  }
  return moved;
}
