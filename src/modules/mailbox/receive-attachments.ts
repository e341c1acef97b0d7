/**
 * Files sent with a mailbox message (by the applicant or a caseworker): each checked by its content
 * (PDF, PNG, JPEG), not its name or declared type, scanned for malware, within the limits per file,
 * per message and in number. Nothing is stored here; a refusal names the first problem.
 */
import type { ReceivedFile } from '../../platform/http/multipart.ts';
import { inspectUpload, sanitizeFileName, type MalwareScanner, type UploadMediaType, type UploadRefusal } from '../../platform/uploads/index.ts';
import type { OutgoingAttachment } from './post-to-applicant.ts';

/** Largest attachment, all attachments of one message together, and how many one message may have. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;
export const MAX_FILES = 5;
const ACCEPTED: readonly UploadMediaType[] = ['application/pdf', 'image/png', 'image/jpeg'];

export type AttachmentRefusal =
  | { code: UploadRefusal; fileName: string }
  | { code: 'too-many' }
  | { code: 'message-too-large' };

/** Inspects every file; all accepted, or the first refusal. */
export async function receiveAttachments(files: ReceivedFile[], scanner: MalwareScanner): Promise<{ ok: true; files: OutgoingAttachment[] } | { ok: false; refusal: AttachmentRefusal }> {
  if (files.length > MAX_FILES) return { ok: false, refusal: { code: 'too-many' } };
  let total = 0;
  const accepted: OutgoingAttachment[] = [];
  for (const file of files) {
    const fileName = sanitizeFileName(file.fileName);
    const inspected = await inspectUpload({ bytes: file.bytes, truncated: file.truncated }, { maxSizeBytes: MAX_FILE_BYTES, mediaTypes: ACCEPTED, scanner });
    if (!inspected.ok) return { ok: false, refusal: { code: inspected.code, fileName } };
    total += file.bytes.length;
    if (total > MAX_MESSAGE_BYTES) return { ok: false, refusal: { code: 'message-too-large' } };
    accepted.push({ fileName: file.fileName.trim() === '' ? `anhang.${inspected.extension}` : fileName, mediaType: inspected.mediaType, bytes: file.bytes });
  }
  return { ok: true, files: accepted };
}
