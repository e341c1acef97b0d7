/**
 * Test factory of this module: a submitted application with its case (rows written directly, as the
 * submission would leave them), with encrypted answers and uploads. For tests only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db } from '../../platform/db/database.ts';
import { storeUpload, type UploadMediaType } from '../../platform/uploads/index.ts';

export interface TestCase {
  caseId: string;
  tenantId: string;
  procedureId: string;
  reference: string;
  submittedAt: Date;
  uploadIds: string[];
}

/** The tenant's id by slug. */
export async function tenantIdOf(db: Db, slug: string): Promise<string> {
  return (await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

/** A demo online procedure of the tenant on this portal (by LeiKa key) with its form. */
export async function procedureOf(db: Db, tenantId: string, leikaKey: string): Promise<{ id: string; formId: string; formVersion: number }> {
  const row = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['op.id', 'ap.form_id', 'ap.form_version']).where('ap.tenant_id', '=', tenantId).where('op.leika_key', '=', leikaKey).executeTakeFirstOrThrow();
  return { id: row.id, formId: row.form_id, formVersion: row.form_version };
}

/** Writes a submitted application and (unless `withoutCase`) its case; `attachments` become uploads of the application. */
export async function createSubmittedCase(db: Db, deps: { cipher: FieldCipher; tenantKeys: TenantKeys }, input: {
  tenantSlug: string; leikaKey?: string; ags?: string; answers?: Record<string, unknown>;
  attachments?: { fileName: string; mediaType: UploadMediaType; bytes: Uint8Array }[];
  /** The applicant's account (none: an applicant who deleted the account). */
  accountId?: string | null;
  /** Only the submitted application: the test opens the case (e.g. through the cases module). */
  withoutCase?: boolean;
}): Promise<TestCase> {
  const tenantId = await tenantIdOf(db, input.tenantSlug);
  const procedure = await procedureOf(db, tenantId, input.leikaKey ?? '99102013000000');
  const ags = input.ags ?? (await db.selectFrom('tenants').select('municipality_ags').where('id', '=', tenantId).executeTakeFirstOrThrow()).municipality_ags ?? '09463000';
  const caseId = randomUUID();
  const reference = `DA-TEST-${randomBytes(5).toString('hex')}`;
  const submittedAt = new Date();
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('applications').values({
      id: caseId, reference, procedure_id: procedure.id, tenant_id: tenantId, form_id: procedure.formId, form_version: procedure.formVersion,
      account_id: input.accountId ?? null, organisation_id: null, ags, status: 'submitted', trust_level: 'substantiell',
      answers_enc: deps.cipher.encrypt(JSON.stringify(input.answers ?? { hundename: 'Bello' })), submitted_at: submittedAt,
    }).execute();
    if (input.withoutCase) return;
    await tx.insertInto('cases').values({
      id: caseId, tenant_id: tenantId, procedure_id: procedure.id, reference, submitted_at: submittedAt, updated_at: submittedAt,
    }).execute();
  });
  const uploadIds: string[] = [];
  for (const a of input.attachments ?? []) {
    uploadIds.push((await storeUpload(db, deps.tenantKeys, { tenantId, ownerKind: 'application', ownerId: caseId, ...a })).uploadId);
  }
  return { caseId, tenantId, procedureId: procedure.id, reference, submittedAt, uploadIds };
}
