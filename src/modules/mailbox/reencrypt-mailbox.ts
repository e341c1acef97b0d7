/**
 * After a key rotation: moves the tenant's mailbox content (subjects, bodies) and its uploads
 * (attachments among them) to the newest key version, in batches, each row on its own, so an
 * interrupted run can simply be started again.
 */
import type { Db } from '../../platform/db/database.ts';
import { reencryptUploads } from '../../platform/uploads/index.ts';
import { bodyContext, subjectContext } from './mailbox-content.ts';
import { listStaleMessages, listStaleThreads, updateMessageBody, updateThreadSubject } from './mailbox.repository.ts';
import type { MailboxDeps } from './mailbox.types.ts';

const BATCH = 100;

/**
 * Re-encrypts every thread subject, message body and upload of the tenant written with an older
 * key version; returns how many rows were moved (threads + messages + uploads).
 */
export async function reencryptMailbox(db: Db, deps: Pick<MailboxDeps, 'tenantKeys'>, tenantId: string): Promise<number> {
  const keys = deps.tenantKeys;
  const current = await keys.currentVersion(db, tenantId);
  let moved = 0;
  for (;;) {
    const threads = await listStaleThreads(db, tenantId, current, BATCH);
    if (threads.length === 0) break;
    for (const t of threads) {
      const enc = await keys.reencrypt(db, tenantId, t.subject_enc, subjectContext(t.id)) ?? t.subject_enc;
      if (await updateThreadSubject(db, tenantId, t.id, t.key_version, enc, keys.versionOf(enc))) moved++;
    }
  }
  for (;;) {
    const messages = await listStaleMessages(db, tenantId, current, BATCH);
    if (messages.length === 0) break;
    for (const m of messages) {
      const enc = await keys.reencrypt(db, tenantId, m.body_enc, bodyContext(m.id)) ?? m.body_enc;
      if (await updateMessageBody(db, tenantId, m.id, m.key_version, enc, keys.versionOf(enc))) moved++;
    }
  }
  return moved + await reencryptUploads(db, keys, tenantId);
}
