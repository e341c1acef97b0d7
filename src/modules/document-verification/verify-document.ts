/**
 * Use case: check the seal of a PDF someone uploaded. The file is only read, never stored.
 */
import { inspectUpload, type ReceivedBytes } from '../../platform/uploads/inspect-upload.ts';
import { isSealValid, verifyPdfSeal, type SealVerification } from '../../platform/pdf/verify-pdf-seal.ts';
import type { SealKeyStore } from '../../platform/pdf/seal-keys.ts';

export type VerifyDocumentResult =
  | { ok: true; value: SealVerification & { valid: boolean } }
  | { ok: false; code: 'missing' | 'not-pdf' | 'too-large' | 'malformed' };

/** Checks that the file is a PDF within the size limit, then its seal against the platform's trust anchors. */
export async function verifyDocument(sealKeys: SealKeyStore, file: ReceivedBytes | undefined, maxBytes: number): Promise<VerifyDocumentResult> {
  if (!file || (file.bytes.length === 0 && !file.truncated)) return { ok: false, code: 'missing' };
  const inspected = await inspectUpload(file, { maxSizeBytes: maxBytes, mediaTypes: ['application/pdf'] });
  if (!inspected.ok) {
    if (inspected.code === 'too-large') return { ok: false, code: 'too-large' };
    if (inspected.code === 'malformed') return { ok: false, code: 'malformed' };
    return { ok: false, code: 'not-pdf' };
  }
  const result = await verifyPdfSeal(file.bytes, await sealKeys.trustAnchors());
  return { ok: true, value: { ...result, valid: isSealValid(result) } };
}
