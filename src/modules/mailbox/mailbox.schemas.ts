/**
 * Input schemas of the mailbox pages; messages are catalog keys.
 */
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const messageText = z.string().trim().min(1, 'mailbox.form.textRequired').max(20_000, 'mailbox.form.textTooLong');

/** A reply in a thread (applicant or staff). */
export const replySchema = z.object({ text: messageText });

/** A new general thread from the applicant. */
export const newThreadSchema = z.object({
  tenantId: z.string().regex(UUID, 'mailbox.form.tenantRequired'),
  subject: z.string().trim().min(1, 'mailbox.form.subjectRequired').max(200, 'mailbox.form.subjectTooLong'),
  text: messageText,
});

export const threadParams = z.object({ threadId: z.uuid() });
export const attachmentParams = z.object({ threadId: z.uuid(), attachmentId: z.uuid() });

/** The page of a list (`?seite=`), 1 when missing or not a sane number. */
export function pageOf(query: unknown): number {
  const raw = (query as Record<string, unknown> | undefined)?.seite;
  const n = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : 1;
  return n >= 1 ? n : 1;
}
