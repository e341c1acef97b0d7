/**
 * The mailbox's dependencies, hooks and views, shared by its use cases and routes (re-exported by index.ts).
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { MailboxDirection, MailboxMessageKind, TrustLevel } from '../../platform/db/schema.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import type { MalwareScanner, UploadSummary } from '../../platform/uploads/index.ts';

export type { MailboxDirection, MailboxMessageKind };

/** What other modules (cases) hear from the mailbox, inside the mailbox's transaction. */
export interface MailboxHooks {
  /** Called in the same transaction when the applicant posts into a case thread. */
  onApplicantMessage?(tx: Tx, event: { tenantId: string; caseId: string; threadId: string; messageId: string; trustLevel: TrustLevel }): Promise<void>;
  /** Called in the same transaction the first time the applicant retrieves (downloads) an attachment of a message. */
  onFirstRetrieval?(tx: Tx, event: { tenantId: string; caseId: string | null; messageId: string; kind: MailboxMessageKind; at: Date }): Promise<void>;
}

export interface MailboxDeps {
  db: Db;
  /** Field cipher: e-mail addresses for notices, applicant names for staff. */
  cipher: FieldCipher;
  /** Per-tenant data keys: subjects, bodies and attachments are encrypted with them. */
  tenantKeys: TenantKeys;
  mail: MailService;
  /** This portal's public base URL (no trailing slash), for the link in e-mail notices. */
  publicUrl: string;
  malwareScanner: MalwareScanner;
  hooks: MailboxHooks;
}

/** Whose mailbox: a person, or the organisation a person acts for (then all its members share it). */
export interface MailboxOwner {
  accountId: string;
  organisationId: string | null;
}

/** A decrypted message with its attachments' metadata (no content). */
export interface MailboxMessageView {
  id: string;
  direction: MailboxDirection;
  kind: MailboxMessageKind;
  body: string;
  senderStaffId: string | null;
  /** The staff member's display name (staff views only; null for the applicant's messages). */
  senderStaffName: string | null;
  senderAccountId: string | null;
  trustLevel: TrustLevel | null;
  readAt: Date | null;
  retrievedAt: Date | null;
  createdAt: Date;
  attachments: UploadSummary[];
}

/** A thread as staff of its tenant see it. */
export interface StaffThreadView {
  id: string;
  tenantId: string;
  caseId: string | null;
  accountId: string | null;
  organisationId: string | null;
  subject: string;
  createdAt: Date;
  lastMessageAt: Date;
  /** Oldest first. */
  messages: MailboxMessageView[];
}

/** A thread as the applicant sees it (the authority's name instead of staff names). */
export interface ApplicantThreadView extends StaffThreadView {
  tenantName: string;
}

/** One line of a thread list. */
export interface ThreadSummary {
  id: string;
  tenantId: string;
  tenantName: string;
  caseId: string | null;
  subject: string;
  lastMessageAt: Date;
  /** Applicant list: messages to the applicant not yet opened; staff list: the applicant's messages not yet read. */
  unread: number;
}
