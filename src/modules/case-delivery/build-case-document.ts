/**
 * The case as it leaves the platform for a specialist procedure: application number, procedure
 * (with its LeiKa key), tenant, time of receipt, form id and version, the answers decrypted, and the
 * attachments with name, type, size, SHA-256 and content. Attachments count towards a size cap;
 * those beyond it are listed without content (`contentOmitted`), so the receiver knows they exist.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db } from '../../platform/db/database.ts';
import { listUploads, readUpload } from '../../platform/uploads/index.ts';
import { findTenantApplication } from '../applications/index.ts';

/** Attachment bytes carried in one delivery at most (their sum); the rest is listed without content. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

export interface CaseAttachment {
  id: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  /** The file itself; absent when it would exceed the size cap. */
  bytes: Uint8Array | null;
}

export interface CaseDocument {
  caseId: string;
  reference: string;
  tenant: { id: string; name: string };
  procedure: { id: string; name: string; leikaKey: string };
  submittedAt: Date;
  trustLevel: string;
  form: { id: string; version: number };
  answers: unknown;
  attachments: CaseAttachment[];
}

/** Reads a submitted case of the tenant with its answers and attachments; undefined when there is none. */
export async function buildCaseDocument(db: Db, deps: { cipher: FieldCipher; tenantKeys: TenantKeys }, tenantId: string, caseId: string, maxAttachmentBytes = MAX_ATTACHMENT_BYTES): Promise<CaseDocument | undefined> {
  const application = await findTenantApplication(db, tenantId, caseId);
  if (!application?.reference || !application.submittedAt) return undefined;
  const answers: unknown = JSON.parse(deps.cipher.decrypt(application.answersEnc));
  const attachments: CaseAttachment[] = [];
  let carried = 0;
  for (const upload of await listUploads(db, deps.tenantKeys, tenantId, 'application', caseId)) {
    const fits = carried + upload.sizeBytes <= maxAttachmentBytes;
    const stored = fits ? await readUpload(db, deps.tenantKeys, tenantId, upload.id) : undefined;
    if (stored) carried += stored.bytes.length;
    attachments.push({
      id: upload.id, fileName: upload.fileName, mediaType: upload.mediaType, sizeBytes: upload.sizeBytes, sha256: upload.sha256,
      bytes: stored?.bytes ?? null,
    });
  }
  return {
    caseId, reference: application.reference,
    tenant: { id: application.tenantId, name: application.tenantName },
    procedure: { id: application.procedureId, name: application.procedureName, leikaKey: application.leikaKey },
    submittedAt: application.submittedAt, trustLevel: application.trustLevel,
    form: { id: application.formId, version: application.formVersion },
    answers, attachments,
  };
}

/** The JSON body of a webhook delivery: the case with attachments inline (base64). */
export function webhookBody(document: CaseDocument, deliveryId: string): Record<string, unknown> {
  return {
    type: 'case.submitted',
    deliveryId,
    ...caseData(document),
    attachments: document.attachments.map((a) => ({
      ...attachmentMetadata(a),
      ...(a.bytes ? { contentBase64: Buffer.from(a.bytes).toString('base64') } : { contentOmitted: true }),
    })),
  };
}

/** The case without attachment content (the FIT-Connect data part; attachments travel separately). */
export function caseData(document: CaseDocument): Record<string, unknown> {
  return {
    caseId: document.caseId,
    reference: document.reference,
    tenant: document.tenant,
    procedure: document.procedure,
    submittedAt: document.submittedAt.toISOString(),
    trustLevel: document.trustLevel,
    form: document.form,
    answers: document.answers,
  };
}

function attachmentMetadata(a: CaseAttachment): Record<string, unknown> {
  return { id: a.id, fileName: a.fileName, mediaType: a.mediaType, sizeBytes: a.sizeBytes, sha256: a.sha256 };
}
