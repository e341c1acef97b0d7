/**
 * The mailbox (Postfach): threads per case and general ones between a tenant and an applicant (a
 * person, or an organisation whose members share it), messages both ways with attachments, read and
 * retrieval receipts, unread counts, content-free e-mail notices; content encrypted per tenant.
 */
export { mailboxRoutes } from './mailbox.routes.ts';
export { ensureCaseThread } from './ensure-case-thread.ts';
export { postToApplicant } from './post-to-applicant.ts';
export type { OutgoingAttachment } from './post-to-applicant.ts';
export { replyAsApplicant, startGeneralThread } from './post-from-applicant.ts';
export {
  caseThreadId, listApplicantThreads, listStaffThreads, listThreadForStaff, markReadByAuthority, openThreadForApplicant,
  unreadCountForApplicant, unreadCountForTenant,
} from './read-threads.ts';
export { retrieveAttachment } from './retrieve-attachment.ts';
export { deleteCaseMailbox } from './delete-case-mailbox.ts';
export { reencryptMailbox } from './reencrypt-mailbox.ts';
export { registerMailboxPersonalData } from './personal-data.ts';
export { mailboxOwnerOf, MAILBOX_STAFF_ROLES } from './mailbox.policy.ts';
export { noticeText } from './notify-applicant.ts';
export { ATTACHMENT_OWNER_KIND } from './mailbox-content.ts';
export { MAX_FILE_BYTES, MAX_FILES, MAX_MESSAGE_BYTES } from './receive-attachments.ts';
export type {
  ApplicantThreadView, MailboxDeps, MailboxDirection, MailboxHooks, MailboxMessageKind, MailboxMessageView, MailboxOwner, StaffThreadView, ThreadSummary,
} from './mailbox.types.ts';
