/**
 * SQL of the applications module: forms and their versions, the procedures that offer them, and
 * the applications themselves. Applications are always read through their owner (the person, or
 * the organisation the person acts for) or their tenant, never by id alone. Ids reach here checked
 * (the routes parse them with zod), since a malformed uuid would fail in the database.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { ApplicationStatus, DB, PaymentTiming, TrustLevel } from '../../platform/db/schema.ts';

/** Who an application belongs to: a person, or the organisation a person acts for. */
export interface ApplicationOwner {
  accountId: string;
  organisationId: string | null;
}

/** An internal online procedure that can be applied for on this platform, with its form version. */
export interface ProcedureForStart {
  id: string;
  tenantId: string;
  tenantName: string;
  name: string;
  leikaKey: string;
  serviceName: string;
  formId: string;
  formVersion: number;
  minTrustLevel: TrustLevel;
  feeSchedule: unknown;
  paymentTiming: PaymentTiming;
  processingDays: number | null;
  contact: string | null;
}

/** The procedure behind an online procedure id, when it is active and filled in on this platform. */
export async function findProcedure(db: Db | Tx, onlineProcedureId: string): Promise<ProcedureForStart | undefined> {
  const row = await db
    .selectFrom('application_procedures as ap')
    .innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .innerJoin('tenants as pt', 'pt.id', 'ap.tenant_id')
    .innerJoin('services as s', 's.leika_key', 'op.leika_key')
    .select(procedureColumns)
    .where('ap.online_procedure_id', '=', onlineProcedureId)
    .where('op.active', '=', true)
    .where('op.kind', '=', 'internal')
    .executeTakeFirst();
  return row ? toProcedure(row) : undefined;
}

/** Columns of a procedure, from application_procedures ap, online_procedures op, its tenant pt and service s. */
const procedureColumns = [
  'ap.online_procedure_id as p_id', 'ap.tenant_id as p_tenant_id', 'pt.name as p_tenant_name', 'op.name as p_name', 'op.leika_key as p_leika_key',
  's.name as p_service_name', 'ap.form_id as p_form_id', 'ap.form_version as p_form_version', 'ap.follow_latest as p_follow_latest',
  'ap.min_trust_level as p_min_trust_level', 'ap.fee_schedule as p_fee_schedule', 'ap.payment_timing as p_payment_timing',
  'ap.processing_days as p_processing_days', 'ap.contact as p_contact',
  (eb: ExpressionBuilder<DB & { ap: DB['application_procedures'] }, 'ap'>) => eb.selectFrom('form_versions as fv').whereRef('fv.form_id', '=', 'ap.form_id')
    .select((e) => e.fn.max('fv.version').as('v')).as('p_latest_version'),
] as const;

interface ProcedureRow {
  p_id: string; p_tenant_id: string; p_tenant_name: string; p_name: string; p_leika_key: string; p_service_name: string; p_form_id: string;
  p_form_version: number; p_follow_latest: boolean; p_min_trust_level: TrustLevel; p_fee_schedule: unknown; p_payment_timing: PaymentTiming;
  p_processing_days: number | null; p_contact: string | null; p_latest_version: number | string | null;
}

function toProcedure(row: ProcedureRow): ProcedureForStart {
  return {
    id: row.p_id, tenantId: row.p_tenant_id, tenantName: row.p_tenant_name, name: row.p_name, leikaKey: row.p_leika_key,
    serviceName: row.p_service_name, formId: row.p_form_id,
    // Opted in to newer versions: the newest stored one; else the pinned one.
    formVersion: row.p_follow_latest && row.p_latest_version != null ? Number(row.p_latest_version) : row.p_form_version,
    minTrustLevel: row.p_min_trust_level, feeSchedule: row.p_fee_schedule, paymentTiming: row.p_payment_timing,
    processingDays: row.p_processing_days, contact: row.p_contact,
  };
}

/** The stored definition JSON of a form version (checked by the caller). */
export async function findFormDefinition(db: Db | Tx, formId: string, version: number): Promise<unknown> {
  const row = await db.selectFrom('form_versions').select('definition').where('form_id', '=', formId).where('version', '=', version).executeTakeFirst();
  return row?.definition;
}

export interface NewDraft {
  procedureId: string;
  tenantId: string;
  formId: string;
  formVersion: number;
  owner: ApplicationOwner;
  ags: string;
  answersEnc: string;
  currentStep: string;
  trustLevel: TrustLevel;
  startKey: string;
  expiresAt: Date;
  prefillConsent: boolean;
}

/** Inserts a draft unless the owner already started one with the same start key; returns its id. */
export async function insertDraft(tx: Tx, draft: NewDraft): Promise<{ id: string; created: boolean }> {
  const inserted = await tx
    .insertInto('applications')
    .values({
      procedure_id: draft.procedureId, tenant_id: draft.tenantId, form_id: draft.formId, form_version: draft.formVersion,
      account_id: draft.owner.accountId, organisation_id: draft.owner.organisationId, ags: draft.ags,
      answers_enc: draft.answersEnc, current_step: draft.currentStep, trust_level: draft.trustLevel,
      start_key: draft.startKey, draft_expires_at: draft.expiresAt, prefill_consent: draft.prefillConsent,
    })
    .onConflict((oc) => oc.columns(['account_id', 'start_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await tx.selectFrom('applications').select('id')
    .where('account_id', '=', draft.owner.accountId).where('start_key', '=', draft.startKey).executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export interface ApplicationRow {
  id: string;
  reference: string | null;
  procedureId: string;
  procedureName: string;
  leikaKey: string;
  tenantId: string;
  tenantName: string;
  formId: string;
  formVersion: number;
  accountId: string | null;
  organisationId: string | null;
  ags: string;
  status: ApplicationStatus;
  answersEnc: string;
  currentStep: string | null;
  prefillConsent: boolean;
  trustLevel: TrustLevel;
  draftExpiresAt: Date | null;
  submittedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

function baseApplicationQuery(db: Db | Tx) {
  return db
    .selectFrom('applications as a')
    .innerJoin('online_procedures as op', 'op.id', 'a.procedure_id')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .select([
      'a.id', 'a.reference', 'a.procedure_id', 'op.name as procedure_name', 'op.leika_key', 'a.tenant_id', 't.name as tenant_name',
      'a.form_id', 'a.form_version', 'a.account_id', 'a.organisation_id', 'a.ags', 'a.status', 'a.answers_enc', 'a.current_step',
      'a.prefill_consent', 'a.trust_level', 'a.draft_expires_at', 'a.submitted_at', 'a.created_at', 'a.updated_at',
    ]);
}

type BaseRow = Awaited<ReturnType<ReturnType<typeof baseApplicationQuery>['executeTakeFirstOrThrow']>>;

function toApplication(r: BaseRow): ApplicationRow {
  return {
    id: r.id, reference: r.reference, procedureId: r.procedure_id, procedureName: r.procedure_name, leikaKey: r.leika_key,
    tenantId: r.tenant_id, tenantName: r.tenant_name, formId: r.form_id, formVersion: r.form_version, accountId: r.account_id,
    organisationId: r.organisation_id, ags: r.ags, status: r.status, answersEnc: r.answers_enc, currentStep: r.current_step,
    prefillConsent: r.prefill_consent, trustLevel: r.trust_level, draftExpiresAt: r.draft_expires_at, submittedAt: r.submitted_at,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** The owner's application with this id; another owner's is not found. */
export async function findOwnApplication(db: Db | Tx, owner: ApplicationOwner, id: string): Promise<ApplicationRow | undefined> {
  let query = baseApplicationQuery(db).where('a.id', '=', id);
  query = owner.organisationId
    ? query.where('a.organisation_id', '=', owner.organisationId)
    : query.where('a.account_id', '=', owner.accountId).where('a.organisation_id', 'is', null);
  const row = await query.executeTakeFirst();
  return row ? toApplication(row) : undefined;
}

/**
 * The owner's application with this id, locked, and its procedure when that is still active on
 * this platform: the submission's first read, one query.
 */
export async function findOwnApplicationForSubmission(tx: Tx, owner: ApplicationOwner, id: string): Promise<{ application: ApplicationRow; procedure: ProcedureForStart | undefined } | undefined> {
  let query = baseApplicationQuery(tx)
    .leftJoin('application_procedures as ap', (join) => join.onRef('ap.online_procedure_id', '=', 'a.procedure_id').on('op.active', '=', true).on('op.kind', '=', 'internal'))
    .leftJoin('tenants as pt', 'pt.id', 'ap.tenant_id')
    .leftJoin('services as s', 's.leika_key', 'op.leika_key')
    .select(procedureColumns)
    .where('a.id', '=', id);
  query = owner.organisationId
    ? query.where('a.organisation_id', '=', owner.organisationId)
    : query.where('a.account_id', '=', owner.accountId).where('a.organisation_id', 'is', null);
  const row = await query.forUpdate('a').executeTakeFirst();
  if (!row) return undefined;
  return { application: toApplication(row), procedure: row.p_id && row.p_tenant_name && row.p_service_name ? toProcedure(row as ProcedureRow) : undefined };
}

/** The tenant's application with this id (never a draft: drafts are the applicant's alone). */
export async function findTenantApplication(db: Db | Tx, tenantId: string, id: string): Promise<ApplicationRow | undefined> {
  const row = await baseApplicationQuery(db).where('a.id', '=', id).where('a.tenant_id', '=', tenantId).where('a.status', '<>', 'draft').executeTakeFirst();
  return row ? toApplication(row) : undefined;
}

/** A submitted application by id, for jobs that act on it after commit. */
export async function findSubmittedApplication(db: Db | Tx, id: string): Promise<ApplicationRow | undefined> {
  const row = await baseApplicationQuery(db).where('a.id', '=', id).where('a.status', '<>', 'draft').executeTakeFirst();
  return row ? toApplication(row) : undefined;
}

/** An application by id, locked, for the payment outcome (which acts for the applicant). */
export async function findApplicationForUpdate(tx: Tx, id: string): Promise<ApplicationRow | undefined> {
  const row = await baseApplicationQuery(tx).where('a.id', '=', id).forUpdate('a').executeTakeFirst();
  return row ? toApplication(row) : undefined;
}

/** The owner's applications, newest change first. */
export async function listOwnApplications(db: Db, owner: ApplicationOwner, limit = 100): Promise<ApplicationRow[]> {
  let query = baseApplicationQuery(db);
  query = owner.organisationId
    ? query.where('a.organisation_id', '=', owner.organisationId)
    : query.where('a.account_id', '=', owner.accountId).where('a.organisation_id', 'is', null);
  const rows = await query.orderBy('a.updated_at', 'desc').limit(limit).execute();
  return rows.map(toApplication);
}

/** Stores a draft's answers and position; false when it is no longer a draft. */
export async function updateDraft(tx: Tx, id: string, change: { answersEnc: string; currentStep: string; trustLevel: TrustLevel; expiresAt: Date; prefillConsent?: boolean }): Promise<boolean> {
  const result = await tx
    .updateTable('applications')
    .set({
      answers_enc: change.answersEnc, current_step: change.currentStep, trust_level: change.trustLevel,
      draft_expires_at: change.expiresAt, expiry_notice_sent_at: null, updated_at: sql<Date>`now()`,
      ...(change.prefillConsent === undefined ? {} : { prefill_consent: change.prefillConsent }),
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Turns a draft into a submitted application with the next application number; undefined when it
 * is no longer a draft (a second submit of the same draft changes nothing).
 */
export async function markSubmitted(tx: Tx, id: string, change: { answersEnc: string; trustLevel: TrustLevel; tenantId: string }): Promise<{ reference: string; submittedAt: Date } | undefined> {
  const row = await tx
    .updateTable('applications')
    .set({
      status: 'submitted',
      reference: sql<string>`'DA-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('application_reference_seq')::text, 7, '0')`,
      answers_enc: change.answersEnc, trust_level: change.trustLevel, tenant_id: change.tenantId,
      submitted_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, draft_expires_at: null, start_key: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .returning(['reference', 'submitted_at'])
    .executeTakeFirst();
  return row?.reference && row.submitted_at ? { reference: row.reference, submittedAt: row.submitted_at } : undefined;
}

export interface ApplicationEvent {
  status: ApplicationStatus;
  actorType: 'citizen' | 'staff' | 'system';
  trustLevel: TrustLevel | null;
  createdAt: Date;
}

/** Adds an entry to the history the applicant sees. */
export async function insertEvent(tx: Tx | Db, event: ApplicationEventInput): Promise<void> {
  await eventWrite(tx, event).execute();
}

export interface ApplicationEventInput { applicationId: string; tenantId: string; status: ApplicationStatus; actorType: 'citizen' | 'staff' | 'system'; actorId: string | null; trustLevel: TrustLevel | null }

/** The insert of a history entry, to be sent with other writes of the transaction (`writeTogether`). */
export function eventWrite(tx: Tx | Db, event: ApplicationEventInput) {
  return tx.insertInto('application_events').values({
    application_id: event.applicationId, tenant_id: event.tenantId, status: event.status, actor_type: event.actorType,
    actor_id: event.actorId, trust_level: event.trustLevel,
  });
}

/** The history of an application, oldest first. */
export async function listEvents(db: Db | Tx, applicationId: string): Promise<ApplicationEvent[]> {
  const rows = await db.selectFrom('application_events').select(['status', 'actor_type', 'trust_level', 'created_at'])
    .where('application_id', '=', applicationId).orderBy('id').execute();
  return rows.map((r) => ({ status: r.status, actorType: r.actor_type, trustLevel: r.trust_level, createdAt: r.created_at }));
}

/** Deletes a draft of the owner; its tenant when it was one, else undefined. */
export async function deleteDraft(tx: Tx, owner: ApplicationOwner, id: string): Promise<{ tenantId: string } | undefined> {
  let query = tx.deleteFrom('applications').where('id', '=', id).where('status', '=', 'draft');
  query = owner.organisationId ? query.where('organisation_id', '=', owner.organisationId) : query.where('account_id', '=', owner.accountId).where('organisation_id', 'is', null);
  const row = await query.returning('tenant_id').executeTakeFirst();
  return row ? { tenantId: row.tenant_id } : undefined;
}

/** Drafts whose expiry is near and whose owner has not been told yet (locked for this run). */
export async function claimDraftsForExpiryNotice(tx: Tx, before: Date, limit: number): Promise<{ id: string; accountId: string | null; organisationId: string | null; tenantId: string; procedureName: string; expiresAt: Date }[]> {
  const rows = await tx.selectFrom('applications as a').innerJoin('online_procedures as op', 'op.id', 'a.procedure_id')
    .select(['a.id', 'a.account_id', 'a.organisation_id', 'a.tenant_id', 'op.name', 'a.draft_expires_at'])
    .where('a.status', '=', 'draft').where('a.expiry_notice_sent_at', 'is', null).where('a.draft_expires_at', '<=', before)
    .orderBy('a.draft_expires_at').limit(limit).forUpdate('a').skipLocked().execute();
  if (rows.length > 0) {
    await tx.updateTable('applications').set({ expiry_notice_sent_at: sql<Date>`now()` }).where('id', 'in', rows.map((r) => r.id)).execute();
  }
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, organisationId: r.organisation_id, tenantId: r.tenant_id, procedureName: r.name, expiresAt: r.draft_expires_at ?? new Date() }));
}

/** Deletes expired drafts; returns them (id and tenant) so that their uploads go too. */
export async function deleteExpiredDrafts(db: Db | Tx, now: Date): Promise<{ id: string; tenantId: string }[]> {
  const rows = await db.deleteFrom('applications').where('status', '=', 'draft').where('draft_expires_at', '<', now).returning(['id', 'tenant_id']).execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
}

/** Stores the sealed receipt (encrypted); a second store for the same application changes nothing. */
export async function insertReceipt(db: Db | Tx, applicationId: string, pdfEnc: string): Promise<void> {
  await db.insertInto('application_receipts').values({ application_id: applicationId, pdf_enc: pdfEnc })
    .onConflict((oc) => oc.column('application_id').doNothing()).execute();
}

/** The encrypted receipt of an application, when it has been produced. */
export async function findReceipt(db: Db | Tx, applicationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('application_receipts').select('pdf_enc').where('application_id', '=', applicationId).executeTakeFirst();
  return row?.pdf_enc;
}

/** The tenant's active online procedure on this portal for a service (the first by name), if any. */
export async function findApplicableProcedureId(db: Db | Tx, tenantId: string, leikaKey: string): Promise<string | undefined> {
  const row = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select('op.id').where('ap.tenant_id', '=', tenantId).where('op.leika_key', '=', leikaKey).where('op.active', '=', true)
    .orderBy('op.name').orderBy('op.id').executeTakeFirst();
  return row?.id;
}

/**
 * Sets the status of a submitted application as the case workflow decided it (the cases module
 * keeps both equal in one transaction) and adds the history entry the applicant sees.
 */
export async function setSubmittedApplicationStatus(tx: Tx, change: { tenantId: string; applicationId: string; status: Exclude<ApplicationStatus, 'draft'>; actorType: 'citizen' | 'staff' | 'system'; actorId: string | null; trustLevel: TrustLevel | null }): Promise<void> {
  await tx.updateTable('applications').set({ status: change.status, updated_at: sql<Date>`now()` })
    .where('id', '=', change.applicationId).where('tenant_id', '=', change.tenantId).where('status', '<>', 'draft').execute();
  await insertEvent(tx, { applicationId: change.applicationId, tenantId: change.tenantId, status: change.status, actorType: change.actorType, actorId: change.actorId, trustLevel: change.trustLevel });
}

/** Deletes a submitted application at the end of its retention period (history and receipt go with it). */
export async function deleteSubmittedApplication(tx: Tx, tenantId: string, applicationId: string): Promise<boolean> {
  const row = await tx.deleteFrom('applications').where('id', '=', applicationId).where('tenant_id', '=', tenantId).where('status', '<>', 'draft').returning('id').executeTakeFirst();
  return row !== undefined;
}
