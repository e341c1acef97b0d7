/**
 * Encryption of mailbox content with the tenant's data key. Each value is bound to its tenant and
 * its row (the context), so a subject or body cannot be moved to another thread or tenant unnoticed.
 */
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db, Tx } from '../../platform/db/database.ts';

/** Owner kind of attachment uploads; owner_id is the message id. */
export const ATTACHMENT_OWNER_KIND = 'mailbox-message';

export const subjectContext = (threadId: string): string => `mailbox_threads.subject:${threadId}`;
export const bodyContext = (messageId: string): string => `mailbox_messages.body:${messageId}`;

/** Encrypts a thread subject; returns the stored value and its key version. */
export async function encryptSubject(db: Db | Tx, keys: TenantKeys, tenantId: string, threadId: string, subject: string): Promise<{ enc: Uint8Array; keyVersion: number }> {
  const enc = await keys.encryptText(db, tenantId, subject, subjectContext(threadId));
  return { enc, keyVersion: keys.versionOf(enc) };
}

/** Encrypts a message body; returns the stored value and its key version. */
export async function encryptBody(db: Db | Tx, keys: TenantKeys, tenantId: string, messageId: string, body: string): Promise<{ enc: Uint8Array; keyVersion: number }> {
  const enc = await keys.encryptText(db, tenantId, body, bodyContext(messageId));
  return { enc, keyVersion: keys.versionOf(enc) };
}
