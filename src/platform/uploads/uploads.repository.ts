/**
 * Encrypted storage of uploaded files in PostgreSQL (`uploads`). File name and content are
 * encrypted with the tenant's data key (platform/crypto/tenant-keys.ts), bound to the tenant and
 * the upload's id. Every read is scoped by tenant: another tenant's id is simply not found.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Db, Tx } from '../db/database.ts';
import type { UploadMediaType } from './inspect-upload.ts';

export interface NewUpload {
  tenantId: string;
  /** What the file belongs to, e.g. 'application' or 'message', and that thing's id (uuid). */
  ownerKind: string;
  ownerId: string;
  fileName: string;
  /** The type `inspectUpload` detected (never the declared one). */
  mediaType: UploadMediaType;
  bytes: Uint8Array;
}

export interface UploadSummary {
  id: string;
  fileName: string;
  mediaType: UploadMediaType;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
}

export interface StoredUpload extends UploadSummary {
  bytes: Uint8Array;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const nameContext = (id: string): string => `uploads.file_name:${id}`;
const contentContext = (id: string): string => `uploads.content:${id}`;

/** A file name safe to show and to put in a header: no path, no control characters, at most 200 characters. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f"]/g, '').trim().slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'datei' : clean;
}

/** Stores an inspected upload encrypted; run it in the use case's transaction. */
export async function storeUpload(tx: Db | Tx, keys: TenantKeys, upload: NewUpload): Promise<{ uploadId: string }> {
  const id = randomUUID();
  const fileNameEnc = await keys.encryptText(tx, upload.tenantId, sanitizeFileName(upload.fileName), nameContext(id));
  const contentEnc = await keys.encrypt(tx, upload.tenantId, upload.bytes, contentContext(id));
  await tx.insertInto('uploads').values({
    id,
    tenant_id: upload.tenantId,
    owner_kind: upload.ownerKind,
    owner_id: upload.ownerId,
    file_name_enc: fileNameEnc,
    media_type: upload.mediaType,
    size_bytes: upload.bytes.length,
    sha256: createHash('sha256').update(upload.bytes).digest('hex'),
    content_enc: contentEnc,
    // The older of the two (a rotation may fall between them), so that re-encryption finds the row.
    key_version: Math.min(keys.versionOf(fileNameEnc), keys.versionOf(contentEnc)),
  }).execute();
  return { uploadId: id };
}

/** Reads and decrypts an upload of this tenant; `undefined` for an unknown id or another tenant's. */
export async function readUpload(db: Db | Tx, keys: TenantKeys, tenantId: string, uploadId: string): Promise<StoredUpload | undefined> {
  if (!UUID.test(uploadId)) return undefined;
  const row = await db.selectFrom('uploads').selectAll().where('tenant_id', '=', tenantId).where('id', '=', uploadId).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    fileName: await keys.decryptText(db, tenantId, row.file_name_enc, nameContext(row.id)),
    mediaType: row.media_type as UploadMediaType,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    createdAt: row.created_at,
    bytes: await keys.decrypt(db, tenantId, row.content_enc, contentContext(row.id)),
  };
}

/** The uploads of one owner (names decrypted, content not read), oldest first. */
export async function listUploads(db: Db | Tx, keys: TenantKeys, tenantId: string, ownerKind: string, ownerId: string): Promise<UploadSummary[]> {
  if (!UUID.test(ownerId)) return [];
  const rows = await db.selectFrom('uploads')
    .select(['id', 'file_name_enc', 'media_type', 'size_bytes', 'sha256', 'created_at'])
    .where('tenant_id', '=', tenantId).where('owner_kind', '=', ownerKind).where('owner_id', '=', ownerId)
    .orderBy('created_at').orderBy('id').execute();
  return Promise.all(rows.map(async (row) => ({
    id: row.id,
    fileName: await keys.decryptText(db, tenantId, row.file_name_enc, nameContext(row.id)),
    mediaType: row.media_type as UploadMediaType,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    createdAt: row.created_at,
  })));
}

/** Deletes one upload of this tenant; false when there was none. */
export async function deleteUpload(tx: Db | Tx, tenantId: string, uploadId: string): Promise<boolean> {
  if (!UUID.test(uploadId)) return false;
  const result = await tx.deleteFrom('uploads').where('tenant_id', '=', tenantId).where('id', '=', uploadId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes every upload of an owner (e.g. when a draft expires or a case is deleted); returns how many. */
export async function deleteUploadsOfOwner(tx: Db | Tx, tenantId: string, ownerKind: string, ownerId: string): Promise<number> {
  if (!UUID.test(ownerId)) return 0;
  const result = await tx.deleteFrom('uploads')
    .where('tenant_id', '=', tenantId).where('owner_kind', '=', ownerKind).where('owner_id', '=', ownerId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Moves a tenant's uploads written with older key versions to the newest one, in batches (each row
 * in its own statement, so the run can be interrupted and resumed). Returns how many were moved.
 */
export async function reencryptUploads(db: Db, keys: TenantKeys, tenantId: string, batchSize = 50): Promise<number> {
  const current = await keys.currentVersion(db, tenantId);
  let moved = 0;
  for (;;) {
    const rows = await db.selectFrom('uploads').select(['id', 'file_name_enc', 'content_enc', 'key_version'])
      .where('tenant_id', '=', tenantId).where('key_version', '<', current).limit(batchSize).execute();
    if (rows.length === 0) return moved;
    for (const row of rows) {
      const fileName = await keys.reencrypt(db, tenantId, row.file_name_enc, nameContext(row.id));
      const content = await keys.reencrypt(db, tenantId, row.content_enc, contentContext(row.id));
      const result = await db.updateTable('uploads')
        .set({ file_name_enc: fileName ?? row.file_name_enc, content_enc: content ?? row.content_enc, key_version: current })
        .where('tenant_id', '=', tenantId).where('id', '=', row.id).where('key_version', '=', row.key_version)
        .executeTakeFirst();
      moved += Number(result.numUpdatedRows);
    }
  }
}
