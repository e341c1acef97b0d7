/**
 * Where a citizen wants notices of new mailbox messages: for the mailbox module.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import { findNotificationTarget } from './account.repository.ts';

/**
 * The e-mail address to notify about a new mailbox message for this account, or null when the
 * citizen said no, has no address, or the account was deleted. The verified contact address comes
 * first, else the address from the identity. For an organisation's mailbox, ask for each member.
 */
export async function mailboxNoticeAddress(db: Db, cipher: FieldCipher, accountId: string): Promise<string | null> {
  const row = await findNotificationTarget(db, accountId);
  if (!row || !row.notify_mailbox_email) return null;
  return cipher.decryptOptional(row.contact_email_enc) ?? cipher.decryptOptional(row.email_enc);
}
