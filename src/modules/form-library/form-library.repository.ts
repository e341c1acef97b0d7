/**
 * SQL of the form library: a tenant's forms and their versions, forms other tenants share for
 * reuse ("Einer für Alle"), and the application procedures built on them.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { PaymentTiming, TrustLevel } from '../../platform/db/schema.ts';
import type { WorkflowName } from '../cases/index.ts';

export interface FormSummary {
  id: string;
  ownerTenantId: string;
  ownerName: string;
  slug: string;
  title: string;
  sharedAt: Date | null;
  latestVersion: number;
  procedureCount: number;
}

function formSummaries(db: Db | Tx) {
  return db.selectFrom('forms as f')
    .innerJoin('tenants as t', 't.id', 'f.owner_tenant_id')
    .select([
      'f.id', 'f.owner_tenant_id', 't.name as owner_name', 'f.slug', 'f.title', 'f.shared_at',
      (eb) => eb.selectFrom('form_versions as v').whereRef('v.form_id', '=', 'f.id').select(sql<number>`max(v.version)::int`.as('m')).as('latest_version'),
      (eb) => eb.selectFrom('application_procedures as ap').whereRef('ap.form_id', '=', 'f.id').select(sql<number>`count(*)::int`.as('c')).as('procedure_count'),
    ]);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof formSummaries>['executeTakeFirstOrThrow']>>;
function toSummary(r: SummaryRow): FormSummary {
  return {
    id: r.id, ownerTenantId: r.owner_tenant_id, ownerName: r.owner_name, slug: r.slug, title: r.title, sharedAt: r.shared_at,
    latestVersion: Number(r.latest_version ?? 0), procedureCount: Number(r.procedure_count ?? 0),
  };
}

/** The tenant's own forms, by title. */
export async function listOwnForms(db: Db, tenantId: string): Promise<FormSummary[]> {
  return (await formSummaries(db).where('f.owner_tenant_id', '=', tenantId).orderBy('f.title').execute()).map(toSummary);
}

/** Forms other tenants share for reuse, by title. */
export async function listSharedForms(db: Db, exceptTenantId: string): Promise<FormSummary[]> {
  return (await formSummaries(db).where('f.owner_tenant_id', '<>', exceptTenantId).where('f.shared_at', 'is not', null).orderBy('f.title').execute()).map(toSummary);
}

/** A form the tenant may use: its own, or one shared by another tenant. */
export async function findUsableForm(db: Db | Tx, tenantId: string, formId: string): Promise<FormSummary | undefined> {
  const row = await formSummaries(db).where('f.id', '=', formId)
    .where((eb) => eb.or([eb('f.owner_tenant_id', '=', tenantId), eb('f.shared_at', 'is not', null)]))
    .executeTakeFirst();
  return row ? toSummary(row) : undefined;
}

/** The tenant's own form, locked for a change. */
export async function findOwnFormForUpdate(tx: Tx, tenantId: string, formId: string): Promise<{ id: string; title: string } | undefined> {
  return tx.selectFrom('forms').select(['id', 'title']).where('id', '=', formId).where('owner_tenant_id', '=', tenantId).forUpdate().executeTakeFirst();
}

export async function insertForm(tx: Tx, tenantId: string, slug: string, title: string): Promise<string> {
  const row = await tx.insertInto('forms').values({ owner_tenant_id: tenantId, slug, title }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Adds the next version (the form row must be locked by the caller); returns its number. */
export async function insertNextVersion(tx: Tx, formId: string, definition: unknown, source: string | null, staffId: string | null): Promise<number> {
  const latest = await tx.selectFrom('form_versions').select(sql<number>`coalesce(max(version), 0)::int`.as('m')).where('form_id', '=', formId).executeTakeFirstOrThrow();
  const version = Number(latest.m) + 1;
  await tx.insertInto('form_versions').values({ form_id: formId, version, definition: JSON.stringify(definition), source, created_by: staffId }).execute();
  return version;
}

export async function updateFormTitle(tx: Tx, formId: string, title: string): Promise<void> {
  await tx.updateTable('forms').set({ title }).where('id', '=', formId).execute();
}

export async function setFormShared(tx: Tx, formId: string, shared: boolean): Promise<void> {
  await tx.updateTable('forms').set({ shared_at: shared ? sql<Date>`coalesce(shared_at, now())` : null }).where('id', '=', formId).execute();
}

export interface FormVersionSummary {
  version: number;
  source: string | null;
  createdAt: Date;
}

export async function listVersions(db: Db, formId: string): Promise<FormVersionSummary[]> {
  const rows = await db.selectFrom('form_versions').select(['version', 'source', 'created_at']).where('form_id', '=', formId).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, source: r.source, createdAt: r.created_at }));
}

export interface ProcedureSettings {
  formVersion: number;
  followLatest: boolean;
  minTrustLevel: TrustLevel;
  feeSchedule: unknown;
  paymentTiming: PaymentTiming;
  processingDays: number | null;
  contact: string | null;
  /** The workflow of cases opened from now on (modules/cases/workflow.ts); open cases keep theirs. */
  workflow: WorkflowName;
}

export async function insertApplicationProcedure(tx: Tx, tenantId: string, onlineProcedureId: string, formId: string, s: ProcedureSettings): Promise<void> {
  await tx.insertInto('application_procedures').values({
    online_procedure_id: onlineProcedureId, tenant_id: tenantId, form_id: formId, form_version: s.formVersion, follow_latest: s.followLatest,
    min_trust_level: s.minTrustLevel, fee_schedule: s.feeSchedule == null ? null : JSON.stringify(s.feeSchedule),
    payment_timing: s.paymentTiming, processing_days: s.processingDays, contact: s.contact, workflow: s.workflow,
  }).execute();
}

/** The tenant's procedure's workflow, its row locked for a change; undefined when the tenant has no such procedure. */
export async function lockApplicationProcedure(tx: Tx, tenantId: string, onlineProcedureId: string): Promise<{ workflow: WorkflowName } | undefined> {
  return tx.selectFrom('application_procedures').select('workflow')
    .where('tenant_id', '=', tenantId).where('online_procedure_id', '=', onlineProcedureId).forUpdate().executeTakeFirst();
}

/** Changes the tenant's procedure settings; false when the tenant has no such procedure. */
export async function updateApplicationProcedure(tx: Tx, tenantId: string, onlineProcedureId: string, s: ProcedureSettings): Promise<boolean> {
  const result = await tx.updateTable('application_procedures').set({
    form_version: s.formVersion, follow_latest: s.followLatest, min_trust_level: s.minTrustLevel,
    fee_schedule: s.feeSchedule == null ? null : JSON.stringify(s.feeSchedule), payment_timing: s.paymentTiming,
    processing_days: s.processingDays, contact: s.contact, workflow: s.workflow, updated_at: sql<Date>`now()`,
  }).where('tenant_id', '=', tenantId).where('online_procedure_id', '=', onlineProcedureId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface TenantProcedure {
  id: string;
  name: string;
  leikaKey: string;
  serviceName: string;
  active: boolean;
  formId: string;
  formTitle: string;
  formOwner: string;
  settings: ProcedureSettings;
  latestVersion: number;
}

/** The tenant's application procedures (optionally those on one form). */
export async function listTenantProcedures(db: Db, tenantId: string, formId?: string): Promise<TenantProcedure[]> {
  let query = db.selectFrom('application_procedures as ap')
    .innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .innerJoin('services as s', 's.leika_key', 'op.leika_key')
    .innerJoin('forms as f', 'f.id', 'ap.form_id')
    .innerJoin('tenants as o', 'o.id', 'f.owner_tenant_id')
    .select([
      'op.id', 'op.name', 'op.leika_key', 's.name as service_name', 'op.active', 'f.id as form_id', 'f.title as form_title', 'o.name as form_owner',
      'ap.form_version', 'ap.follow_latest', 'ap.min_trust_level', 'ap.fee_schedule', 'ap.payment_timing', 'ap.processing_days', 'ap.contact', 'ap.workflow',
      (eb) => eb.selectFrom('form_versions as v').whereRef('v.form_id', '=', 'ap.form_id').select(sql<number>`max(v.version)::int`.as('m')).as('latest_version'),
    ])
    .where('ap.tenant_id', '=', tenantId);
  if (formId) query = query.where('ap.form_id', '=', formId);
  const rows = await query.orderBy('op.name').execute();
  return rows.map((r) => ({
    id: r.id, name: r.name, leikaKey: r.leika_key, serviceName: r.service_name, active: r.active, formId: r.form_id, formTitle: r.form_title,
    formOwner: r.form_owner, latestVersion: Number(r.latest_version ?? 0),
    settings: {
      formVersion: r.form_version, followLatest: r.follow_latest, minTrustLevel: r.min_trust_level, feeSchedule: r.fee_schedule,
      paymentTiming: r.payment_timing, processingDays: r.processing_days, contact: r.contact, workflow: r.workflow,
    },
  }));
}

/** Whether the form has this version. */
export async function versionExists(db: Db | Tx, formId: string, version: number): Promise<boolean> {
  return (await db.selectFrom('form_versions').select('version').where('form_id', '=', formId).where('version', '=', version).executeTakeFirst()) !== undefined;
}
