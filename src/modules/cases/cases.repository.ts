/**
 * The only file of the cases module with SQL. The tenant id comes first and is part of every
 * query: a case of another tenant is simply not found.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { CaseStatus, DecisionOutcome, DecisionTemplateOutcome, PaymentTiming } from '../../platform/db/schema.ts';
import type { WorkflowName } from './workflow.ts';
import { OPEN_STATUSES } from './workflow.ts';
import { CASE_ROLES } from './case-roles.ts';
import { planPerValue } from '../../platform/db/prepared-statements.ts';

export interface CaseRow {
  id: string;
  tenantId: string;
  tenantName: string;
  procedureId: string;
  procedureName: string;
  leikaKey: string;
  workflow: WorkflowName;
  paymentTiming: PaymentTiming;
  feeSchedule: unknown;
  reference: string;
  status: CaseStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  answeredAt: Date | null;
  submittedAt: Date;
  dueAt: Date | null;
  accountId: string | null;
  organisationId: string | null;
  applicantNameEnc: string | null;
  closedAt: Date | null;
  updatedAt: Date;
}

function baseCaseQuery(db: Db | Tx) {
  return db.selectFrom('cases as c')
    .innerJoin('online_procedures as op', 'op.id', 'c.procedure_id')
    .innerJoin('application_procedures as ap', 'ap.online_procedure_id', 'c.procedure_id')
    .innerJoin('tenants as t', 't.id', 'c.tenant_id')
    .leftJoin('staff_accounts as s', 's.id', 'c.assignee_id')
    .select([
      'c.id', 'c.tenant_id', 't.name as tenant_name', 'c.procedure_id', 'op.name as procedure_name', 'op.leika_key', 'c.workflow', 'ap.payment_timing',
      'ap.fee_schedule', 'c.reference', 'c.status', 'c.assignee_id', 's.display_name as assignee_name', 'c.answered_at', 'c.submitted_at', 'c.due_at',
      'c.account_id', 'c.organisation_id', 'c.applicant_name_enc', 'c.closed_at', 'c.updated_at',
    ]);
}

type BaseRow = Awaited<ReturnType<ReturnType<typeof baseCaseQuery>['executeTakeFirstOrThrow']>>;

function toCase(r: BaseRow): CaseRow {
  return {
    id: r.id, tenantId: r.tenant_id, tenantName: r.tenant_name, procedureId: r.procedure_id, procedureName: r.procedure_name, leikaKey: r.leika_key,
    workflow: r.workflow, paymentTiming: r.payment_timing, feeSchedule: r.fee_schedule, reference: r.reference, status: r.status,
    assigneeId: r.assignee_id, assigneeName: r.assignee_name, answeredAt: r.answered_at, submittedAt: r.submitted_at, dueAt: r.due_at,
    accountId: r.account_id, organisationId: r.organisation_id, applicantNameEnc: r.applicant_name_enc, closedAt: r.closed_at, updatedAt: r.updated_at,
  };
}

export interface NewCase {
  id: string;
  tenantId: string;
  procedureId: string;
  reference: string;
  submittedAt: Date;
  dueAt: Date | null;
  accountId: string | null;
  organisationId: string | null;
  applicantNameEnc: string | null;
  applicantTerms: string[];
}

/** Opens the case of a submission; a second call for the same application changes nothing. */
export async function insertCase(tx: Tx, c: NewCase): Promise<boolean> {
  const row = await tx.insertInto('cases').values({
    id: c.id, tenant_id: c.tenantId, procedure_id: c.procedureId, reference: c.reference, submitted_at: c.submittedAt, due_at: c.dueAt,
    account_id: c.accountId, organisation_id: c.organisationId, applicant_name_enc: c.applicantNameEnc, applicant_terms: c.applicantTerms,
    // The case keeps the workflow its procedure has now, whatever the procedure is changed to later.
    workflow: (eb) => eb.selectFrom('application_procedures').select('workflow').where('online_procedure_id', '=', c.procedureId),
  }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

/** A case of the tenant (locked for the transaction when asked). */
export async function findCase(db: Db | Tx, tenantId: string, caseId: string, options: { forUpdate?: boolean } = {}): Promise<CaseRow | undefined> {
  let query = baseCaseQuery(db).where('c.tenant_id', '=', tenantId).where('c.id', '=', caseId);
  if (options.forUpdate) query = query.forUpdate('c');
  const row = await query.executeTakeFirst();
  return row ? toCase(row) : undefined;
}

/** A case by id for system work (jobs, hooks that already know the tenant from their own row). */
export async function findCaseById(db: Db | Tx, caseId: string): Promise<CaseRow | undefined> {
  const row = await baseCaseQuery(db).where('c.id', '=', caseId).executeTakeFirst();
  return row ? toCase(row) : undefined;
}

export type InboxSort = 'newest' | 'oldest' | 'due';

export interface InboxFilter {
  /** One status, or every open one ('open'), or all. */
  status?: CaseStatus | 'open' | 'all';
  procedureId?: string;
  /** A staff account id, or 'none' for unassigned cases. */
  assignee?: string | 'none';
  overdue?: boolean;
  /** Only cases with an answer from the applicant that nobody has looked at yet. */
  answered?: boolean;
  /** An application number (exact, case-insensitive). */
  reference?: string;
  /** Blind-index terms of applicant name words; all must match. */
  nameTerms?: string[];
  sort?: InboxSort;
  now?: Date;
}

export interface InboxItem {
  id: string;
  reference: string;
  procedureName: string;
  status: CaseStatus;
  assigneeName: string | null;
  answeredAt: Date | null;
  submittedAt: Date;
  dueAt: Date | null;
  applicantNameEnc: string | null;
}

/** Counting stops here: an inbox says "more than 1,000" rather than scanning 100,000 rows. */
export const INBOX_COUNT_CAP = 1000;

/**
 * One page of the tenant's inbox. Pagination by offset over a stable order (time, then id); the
 * count is capped at INBOX_COUNT_CAP so that the first page stays cheap however large the tenant.
 */
export async function listInbox(db: Db, tenantId: string, filter: InboxFilter, page: { limit: number; offset: number }): Promise<{ items: InboxItem[]; total: number; capped: boolean }> {
  const now = filter.now ?? new Date();
  let query = db.selectFrom('cases as c').where('c.tenant_id', '=', tenantId);
  const status = filter.status ?? 'open';
  if (status === 'open') query = query.where('c.status', 'in', [...OPEN_STATUSES]);
  else if (status !== 'all') query = query.where('c.status', '=', status);
  if (filter.procedureId) query = query.where('c.procedure_id', '=', filter.procedureId);
  if (filter.assignee === 'none') query = query.where('c.assignee_id', 'is', null);
  else if (filter.assignee) query = query.where('c.assignee_id', '=', filter.assignee);
  if (filter.overdue) query = query.where('c.due_at', '<', now).where('c.status', 'in', [...OPEN_STATUSES]);
  if (filter.answered) query = query.where('c.answered_at', 'is not', null);
  // References are stored in upper case: compared as they are, the unique index answers.
  if (filter.reference) query = query.where('c.reference', '=', filter.reference.toUpperCase());
  // Planned per search: whether the GIN index on the terms pays depends on how common they are.
  if (filter.nameTerms && filter.nameTerms.length > 0) query = query.where(sql<boolean>`c.applicant_terms @> ${sql.val(filter.nameTerms)}::text[] ${planPerValue}`);

  const sort = filter.sort ?? 'newest';
  let pageQuery = query.leftJoin('staff_accounts as s', 's.id', 'c.assignee_id')
    .innerJoin('online_procedures as op', 'op.id', 'c.procedure_id')
    .select(['c.id', 'c.reference', 'op.name as procedure_name', 'c.status', 's.display_name as assignee_name', 'c.answered_at', 'c.submitted_at', 'c.due_at', 'c.applicant_name_enc']);
  if (sort === 'due') pageQuery = pageQuery.orderBy(sql`c.due_at ASC NULLS LAST`).orderBy('c.id');
  else if (sort === 'oldest') pageQuery = pageQuery.orderBy('c.submitted_at', 'asc').orderBy('c.id', 'asc');
  else pageQuery = pageQuery.orderBy('c.submitted_at', 'desc').orderBy('c.id', 'desc');

  const [rows, counted] = await Promise.all([
    pageQuery.limit(page.limit).offset(page.offset).execute(),
    db.selectFrom(query.select(sql`1`.as('one')).limit(INBOX_COUNT_CAP + 1).as('capped')).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const n = Number(counted.n);
  return {
    items: rows.map((r) => ({
      id: r.id, reference: r.reference, procedureName: r.procedure_name, status: r.status, assigneeName: r.assignee_name, answeredAt: r.answered_at,
      submittedAt: r.submitted_at, dueAt: r.due_at, applicantNameEnc: r.applicant_name_enc,
    })),
    total: Math.min(n, INBOX_COUNT_CAP), capped: n > INBOX_COUNT_CAP,
  };
}

/** The procedures the tenant has cases for (the inbox's service filter). */
export async function listCaseProcedures(db: Db, tenantId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['ap.online_procedure_id as id', 'op.name']).where('ap.tenant_id', '=', tenantId).orderBy('op.name').execute();
}

/** Staff of the tenant who may work on cases (assignment). */
export async function listCaseworkers(db: Db | Tx, tenantId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('staff_memberships as m').innerJoin('staff_accounts as s', 's.id', 'm.staff_account_id')
    .select(['s.id', 's.display_name as name']).distinct()
    .where('m.tenant_id', '=', tenantId).where('m.role', 'in', [...CASE_ROLES]).orderBy('s.display_name').execute();
}

/** Changes the status if it is still `from`; false when somebody else changed it first. */
export async function updateCaseStatus(tx: Tx, tenantId: string, caseId: string, from: CaseStatus, to: CaseStatus, extra: { answeredAt?: Date | null } = {}): Promise<boolean> {
  const closing = to === 'closed';
  const row = await tx.updateTable('cases')
    .set({ status: to, updated_at: sql<Date>`now()`, ...(closing ? { closed_at: sql<Date>`now()` } : {}), ...(extra.answeredAt !== undefined ? { answered_at: extra.answeredAt } : {}) })
    .where('tenant_id', '=', tenantId).where('id', '=', caseId).where('status', '=', from)
    .returning('id').executeTakeFirst();
  return row !== undefined;
}

export async function setAssignee(tx: Tx, tenantId: string, caseId: string, assigneeId: string | null): Promise<void> {
  await tx.updateTable('cases').set({ assignee_id: assigneeId, updated_at: sql<Date>`now()` }).where('tenant_id', '=', tenantId).where('id', '=', caseId).execute();
}

/** Marks that the applicant answered (or, with null, that a caseworker has seen the answer). */
export async function setAnswered(tx: Db | Tx, tenantId: string, caseId: string, at: Date | null): Promise<void> {
  await tx.updateTable('cases').set({ answered_at: at, updated_at: sql<Date>`now()` }).where('tenant_id', '=', tenantId).where('id', '=', caseId).execute();
}

// --- notes ------------------------------------------------------------------------------------------

export async function insertNote(tx: Tx, n: { id: string; tenantId: string; caseId: string; authorId: string; bodyEnc: Uint8Array; keyVersion: number }): Promise<string> {
  const row = await tx.insertInto('case_notes').values({ id: n.id, tenant_id: n.tenantId, case_id: n.caseId, author_id: n.authorId, body_enc: n.bodyEnc, key_version: n.keyVersion })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function listNotes(db: Db, tenantId: string, caseId: string): Promise<{ id: string; authorName: string | null; bodyEnc: Uint8Array; createdAt: Date }[]> {
  const rows = await db.selectFrom('case_notes as n').leftJoin('staff_accounts as s', 's.id', 'n.author_id')
    .select(['n.id', 's.display_name', 'n.body_enc', 'n.created_at'])
    .where('n.tenant_id', '=', tenantId).where('n.case_id', '=', caseId).orderBy('n.created_at').orderBy('n.id').execute();
  return rows.map((r) => ({ id: r.id, authorName: r.display_name, bodyEnc: r.body_enc, createdAt: r.created_at }));
}

export async function listNotesForReencryption(db: Db, tenantId: string, belowVersion: number, limit: number): Promise<{ id: string; bodyEnc: Uint8Array }[]> {
  const rows = await db.selectFrom('case_notes').select(['id', 'body_enc']).where('tenant_id', '=', tenantId).where('key_version', '<', belowVersion).limit(limit).execute();
  return rows.map((r) => ({ id: r.id, bodyEnc: r.body_enc }));
}

export async function replaceNoteBody(db: Db, tenantId: string, id: string, bodyEnc: Uint8Array, keyVersion: number): Promise<void> {
  await db.updateTable('case_notes').set({ body_enc: bodyEnc, key_version: keyVersion }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

// --- requests for information -------------------------------------------------------------------

export interface InformationRequestRow {
  id: string;
  messageId: string;
  dueAt: Date;
  status: 'open' | 'answered' | 'cancelled';
  answeredAt: Date | null;
  answerMessageId: string | null;
  requestedByName: string | null;
  createdAt: Date;
}

export async function insertInformationRequest(tx: Tx, r: { tenantId: string; caseId: string; requestedBy: string; messageId: string; dueAt: Date }): Promise<string> {
  const row = await tx.insertInto('information_requests')
    .values({ tenant_id: r.tenantId, case_id: r.caseId, requested_by: r.requestedBy, message_id: r.messageId, due_at: r.dueAt })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function listInformationRequests(db: Db | Tx, tenantId: string, caseId: string): Promise<InformationRequestRow[]> {
  const rows = await db.selectFrom('information_requests as r').leftJoin('staff_accounts as s', 's.id', 'r.requested_by')
    .select(['r.id', 'r.message_id', 'r.due_at', 'r.status', 'r.answered_at', 'r.answer_message_id', 's.display_name', 'r.created_at'])
    .where('r.tenant_id', '=', tenantId).where('r.case_id', '=', caseId).orderBy('r.created_at').execute();
  return rows.map((r) => ({
    id: r.id, messageId: r.message_id, dueAt: r.due_at, status: r.status, answeredAt: r.answered_at, answerMessageId: r.answer_message_id,
    requestedByName: r.display_name, createdAt: r.created_at,
  }));
}

/** Marks the case's open requests answered by this message; returns how many. */
export async function answerOpenRequests(tx: Tx, tenantId: string, caseId: string, messageId: string, at: Date): Promise<number> {
  const rows = await tx.updateTable('information_requests').set({ status: 'answered', answer_message_id: messageId, answered_at: at })
    .where('tenant_id', '=', tenantId).where('case_id', '=', caseId).where('status', '=', 'open').returning('id').execute();
  return rows.length;
}

export async function cancelOpenRequests(tx: Tx, tenantId: string, caseId: string): Promise<void> {
  await tx.updateTable('information_requests').set({ status: 'cancelled' })
    .where('tenant_id', '=', tenantId).where('case_id', '=', caseId).where('status', '=', 'open').execute();
}

// --- deadlines ------------------------------------------------------------------------------------

/** Open cases whose processing time runs out before `until` and whose staff were not reminded yet. */
export async function listCasesDueSoon(db: Db, until: Date, limit: number): Promise<{ id: string; tenantId: string; reference: string; dueAt: Date; assigneeId: string | null }[]> {
  const rows = await db.selectFrom('cases as c')
    .select(['c.id', 'c.tenant_id', 'c.reference', 'c.due_at', 'c.assignee_id'])
    .where('c.status', 'in', [...OPEN_STATUSES]).where('c.due_at', '<', until).where('c.reminder_sent_at', 'is', null)
    .orderBy('c.due_at').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, reference: r.reference, dueAt: r.due_at!, assigneeId: r.assignee_id }));
}

/** Claims the reminder of a case once (a second worker finds it claimed). */
export async function claimReminder(tx: Tx, caseId: string): Promise<boolean> {
  const row = await tx.updateTable('cases').set({ reminder_sent_at: sql<Date>`now()` }).where('id', '=', caseId).where('reminder_sent_at', 'is', null).returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Open requests for information due before `until` whose applicant was not reminded yet. */
export async function listRequestsDueSoon(db: Db, until: Date, limit: number): Promise<{ id: string; tenantId: string; caseId: string; dueAt: Date }[]> {
  const rows = await db.selectFrom('information_requests').select(['id', 'tenant_id', 'case_id', 'due_at'])
    .where('status', '=', 'open').where('due_at', '<', until).where('reminder_sent_at', 'is', null).orderBy('due_at').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, caseId: r.case_id, dueAt: r.due_at }));
}

/** Claims the reminder of a request once (a second worker finds it claimed). */
export async function claimRequestReminder(tx: Tx, requestId: string): Promise<boolean> {
  const row = await tx.updateTable('information_requests').set({ reminder_sent_at: sql<Date>`now()` })
    .where('id', '=', requestId).where('reminder_sent_at', 'is', null).where('status', '=', 'open').returning('id').executeTakeFirst();
  return row !== undefined;
}

// --- decisions ------------------------------------------------------------------------------------

export interface DecisionRow {
  id: string;
  outcome: DecisionOutcome;
  title: string;
  bodyEnc: Uint8Array;
  feeCents: number;
  paymentId: string | null;
  status: 'draft' | 'issued';
  uploadId: string | null;
  pdfSha256: string | null;
  messageId: string | null;
  issuedAt: Date | null;
  notifiedAt: Date | null;
  issuedByName: string | null;
}

export async function findDecision(db: Db | Tx, tenantId: string, caseId: string, options: { forUpdate?: boolean } = {}): Promise<DecisionRow | undefined> {
  let query = db.selectFrom('decisions as d').leftJoin('staff_accounts as s', 's.id', 'd.issued_by')
    .select(['d.id', 'd.outcome', 'd.title', 'd.body_enc', 'd.fee_cents', 'd.payment_id', 'd.status', 'd.upload_id', 'd.pdf_sha256', 'd.message_id', 'd.issued_at', 'd.notified_at', 's.display_name'])
    .where('d.tenant_id', '=', tenantId).where('d.case_id', '=', caseId);
  if (options.forUpdate) query = query.forUpdate('d');
  const r = await query.executeTakeFirst();
  return r ? {
    id: r.id, outcome: r.outcome, title: r.title, bodyEnc: r.body_enc, feeCents: r.fee_cents, paymentId: r.payment_id, status: r.status, uploadId: r.upload_id,
    pdfSha256: r.pdf_sha256, messageId: r.message_id, issuedAt: r.issued_at, notifiedAt: r.notified_at, issuedByName: r.display_name,
  } : undefined;
}

export async function saveDecisionDraft(tx: Tx, d: { tenantId: string; caseId: string; outcome: DecisionOutcome; title: string; bodyEnc: Uint8Array; keyVersion: number; feeCents: number; staffId: string | null }): Promise<void> {
  await tx.insertInto('decisions').values({
    tenant_id: d.tenantId, case_id: d.caseId, outcome: d.outcome, title: d.title, body_enc: d.bodyEnc, key_version: d.keyVersion, fee_cents: d.feeCents, drafted_by: d.staffId,
  }).onConflict((oc) => oc.column('case_id').doUpdateSet({
    outcome: d.outcome, title: d.title, body_enc: d.bodyEnc, key_version: d.keyVersion, fee_cents: d.feeCents, drafted_by: d.staffId, updated_at: sql<Date>`now()`,
  }).where('decisions.status', '=', 'draft')).execute();
}

export async function markDecisionIssued(tx: Tx, tenantId: string, decisionId: string, v: { uploadId: string; pdfSha256: string; messageId: string; issuedBy: string | null; paymentId: string | null; issuedAt: Date }): Promise<void> {
  await tx.updateTable('decisions').set({
    status: 'issued', upload_id: v.uploadId, pdf_sha256: v.pdfSha256, message_id: v.messageId, issued_by: v.issuedBy, payment_id: v.paymentId, issued_at: v.issuedAt, updated_at: sql<Date>`now()`,
  }).where('tenant_id', '=', tenantId).where('id', '=', decisionId).where('status', '=', 'draft').execute();
}

/** Links the paying payment to the case's decision; false when it was linked already. */
export async function linkDecisionPayment(tx: Tx, tenantId: string, caseId: string, paymentId: string): Promise<boolean> {
  const row = await tx.updateTable('decisions').set({ payment_id: paymentId })
    .where('tenant_id', '=', tenantId).where('case_id', '=', caseId)
    .where((eb) => eb.or([eb('payment_id', 'is', null), eb('payment_id', '<>', paymentId)]))
    .returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Records the notification time (Bekanntgabe) of the decision delivered with this message, once. */
export async function markDecisionNotified(tx: Tx, tenantId: string, messageId: string, at: Date): Promise<{ caseId: string; decisionId: string } | undefined> {
  const row = await tx.updateTable('decisions').set({ notified_at: at }).where('tenant_id', '=', tenantId).where('message_id', '=', messageId).where('notified_at', 'is', null)
    .returning(['case_id', 'id']).executeTakeFirst();
  return row ? { caseId: row.case_id, decisionId: row.id } : undefined;
}

// --- decision templates ---------------------------------------------------------------------------

export interface DecisionTemplateRow {
  outcome: DecisionTemplateOutcome;
  title: string;
  body: string;
  updatedAt: Date;
  updatedByName: string | null;
}

/** The tenant's decision templates of a procedure (at most one per outcome, and a general one). */
export async function listTemplates(db: Db | Tx, tenantId: string, procedureId: string): Promise<DecisionTemplateRow[]> {
  const rows = await db.selectFrom('decision_templates as t').leftJoin('staff_accounts as s', 's.id', 't.updated_by')
    .select(['t.outcome', 't.title', 't.body', 't.updated_at', 's.display_name'])
    .where('t.tenant_id', '=', tenantId).where('t.procedure_id', '=', procedureId).execute();
  return rows.map((r) => ({ outcome: r.outcome, title: r.title, body: r.body, updatedAt: r.updated_at, updatedByName: r.display_name }));
}

/** Creates or replaces the template of one outcome. */
export async function saveTemplate(db: Db | Tx, t: { tenantId: string; procedureId: string; outcome: DecisionTemplateOutcome; title: string; body: string; staffId: string }): Promise<void> {
  await db.insertInto('decision_templates').values({ tenant_id: t.tenantId, procedure_id: t.procedureId, outcome: t.outcome, title: t.title, body: t.body, updated_by: t.staffId })
    .onConflict((oc) => oc.columns(['tenant_id', 'procedure_id', 'outcome']).doUpdateSet({ title: t.title, body: t.body, updated_by: t.staffId, updated_at: sql<Date>`now()` })).execute();
}

/** Removes the template of one outcome; false when there was none. */
export async function deleteTemplate(db: Db | Tx, tenantId: string, procedureId: string, outcome: DecisionTemplateOutcome): Promise<boolean> {
  const row = await db.deleteFrom('decision_templates').where('tenant_id', '=', tenantId).where('procedure_id', '=', procedureId).where('outcome', '=', outcome)
    .returning('outcome').executeTakeFirst();
  return row !== undefined;
}

export interface TemplateProcedure {
  id: string;
  name: string;
  workflow: WorkflowName;
  paymentTiming: PaymentTiming;
}

/** The tenant's online procedures on this platform (those that have cases and decisions). */
export async function listTemplateProcedures(db: Db | Tx, tenantId: string): Promise<(TemplateProcedure & { outcomes: DecisionTemplateOutcome[] })[]> {
  const rows = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select((eb) => ['op.id', 'op.name', 'ap.workflow', 'ap.payment_timing',
      eb.selectFrom('decision_templates as t').select(sql<DecisionTemplateOutcome[]>`coalesce(array_agg(t.outcome ORDER BY t.outcome), '{}')`.as('outcomes'))
        .whereRef('t.procedure_id', '=', 'op.id').where('t.tenant_id', '=', tenantId).as('outcomes')])
    .where('ap.tenant_id', '=', tenantId).where('op.tenant_id', '=', tenantId)
    .orderBy('op.name').orderBy('op.id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, workflow: r.workflow, paymentTiming: r.payment_timing, outcomes: r.outcomes ?? [] }));
}

/** One of the tenant's online procedures on this platform; another tenant's is not found. */
export async function findTemplateProcedure(db: Db | Tx, tenantId: string, procedureId: string): Promise<TemplateProcedure | undefined> {
  const r = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['op.id', 'op.name', 'ap.workflow', 'ap.payment_timing'])
    .where('ap.tenant_id', '=', tenantId).where('op.tenant_id', '=', tenantId).where('op.id', '=', procedureId).executeTakeFirst();
  return r ? { id: r.id, name: r.name, workflow: r.workflow, paymentTiming: r.payment_timing } : undefined;
}

// --- retention ------------------------------------------------------------------------------------

/** Cases closed before `before`, oldest first. */
export async function listCasesClosedBefore(db: Db, before: Date, limit: number): Promise<{ id: string; tenantId: string; reference: string }[]> {
  const rows = await db.selectFrom('cases').select(['id', 'tenant_id', 'reference']).where('closed_at', '<', before).orderBy('closed_at').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, reference: r.reference }));
}

export async function listDecisionsForReencryption(db: Db, tenantId: string, belowVersion: number, limit: number): Promise<{ id: string; caseId: string; bodyEnc: Uint8Array }[]> {
  const rows = await db.selectFrom('decisions').select(['id', 'case_id', 'body_enc']).where('tenant_id', '=', tenantId).where('key_version', '<', belowVersion).limit(limit).execute();
  return rows.map((r) => ({ id: r.id, caseId: r.case_id, bodyEnc: r.body_enc }));
}

export async function replaceDecisionBody(db: Db, tenantId: string, id: string, bodyEnc: Uint8Array, keyVersion: number): Promise<void> {
  await db.updateTable('decisions').set({ body_enc: bodyEnc, key_version: keyVersion }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
