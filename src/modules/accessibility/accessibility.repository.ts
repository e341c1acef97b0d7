/**
 * SQL for accessibility feedback (a platform-wide channel, not tenant-owned).
 */
import type { Db, Tx } from '../../platform/db/database.ts';

export interface NewFeedback {
  reference: string;
  category: 'barrier' | 'content' | 'other';
  pageUrl: string | null;
  messageEnc: string;
  contactNameEnc: string | null;
  contactEmailEnc: string | null;
  locale: string;
}

export async function insertFeedback(tx: Tx, f: NewFeedback): Promise<void> {
  await tx.insertInto('accessibility_feedback').values({
    reference: f.reference,
    category: f.category,
    page_url: f.pageUrl,
    message_enc: f.messageEnc,
    contact_name_enc: f.contactNameEnc,
    contact_email_enc: f.contactEmailEnc,
    locale: f.locale,
  }).execute();
}

export async function listFeedback(db: Db, limit = 100) {
  return db.selectFrom('accessibility_feedback').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}
