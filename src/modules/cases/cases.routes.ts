/**
 * The caseworkers' pages under /verwaltung/vorgaenge: the inbox (filters, search by application
 * number or applicant name, sorting, pages), the case page (answers, evidence with preview,
 * payments, messages, requests for information, decision, internal notes, history) and its forms
 * (status, assignment, note, request for information, decision: outcome, draft and issue); the
 * decision templates per outcome live in decision-templates.routes.ts. Every
 * case is looked up with the active tenant: another tenant's case is "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import type { CaseStatus, DecisionOutcome } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { listUploads, readUpload, sendDownload } from '../../platform/uploads/index.ts';
import { findTenantApplication } from '../applications/index.ts';
import { listCaseTrail } from '../case-trail/index.ts';
import { buildSummaryView, type Answers } from '../forms/index.ts';
import { caseThreadId, listThreadForStaff, markReadByAuthority } from '../mailbox/index.ts';
import { formatEuro, paymentsFor } from '../payments/index.ts';
import { requireStaffTenant, type StaffContext } from '../staff/index.ts';
import { addNote, noteContext } from './add-note.ts';
import { applicantCaseRoutes } from './applicant.routes.ts';
import { CASE_FEE_PAYABLE } from './pay-decision-fee.ts';
import { applicantTerms } from './applicant-terms.ts';
import { assignCase } from './assign-case.ts';
import type { CasesDeps } from './cases.deps.ts';
import {
  findCase, INBOX_COUNT_CAP, listCaseProcedures, listCaseworkers, listInbox, listInformationRequests, listNotes, setAnswered, type CaseRow, type InboxFilter,
} from './cases.repository.ts';
import {
  assignForm, centsToEuroText, decisionForm, DECISION_OUTCOMES, euroToCents, INBOX_FIELDS, inboxQuery, informationRequestForm, noteForm, statusForm,
} from './cases.schemas.ts';
import { changeCaseStatus } from './change-case-status.ts';
import { checkDecisionText, PLACEHOLDERS, type DecisionTextProblem } from './decision-text.ts';
import { decisionTemplateRoutes } from './decision-templates.routes.ts';
import { issueDecision, loadDecision, proposeDecision, saveDecision } from './issue-decision.ts';
import { requestInformation } from './request-information.ts';
import { CASE_ROLES } from './case-roles.ts';
import { allows, OPEN_STATUSES, staffStatusActions, workflowNamed } from './workflow.ts';

const VIEWS = 'modules/cases/views';
const BASE = '/verwaltung/vorgaenge';
const PAGE_SIZE = 25;
const REFERENCE = /^DA-\d{4}-\d{7}$/i;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CasesRouteOptions extends AppDeps {
  cases: CasesDeps;
}

function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const statusKey = (s: CaseStatus): MessageKey => `cases.status.${s}` as MessageKey;

/** Registers the case pages. */
export async function casesRoutes(app: FastifyInstance, options: CasesRouteOptions): Promise<void> {
  const { db, cipher, tenantKeys } = options;
  const deps = options.cases;
  await app.register(applicantCaseRoutes, options);
  await app.register(decisionTemplateRoutes, options);

  const requireCaseStaff = (req: FastifyRequest, reply: FastifyReply): StaffContext | null => requireStaffTenant(req, reply, CASE_ROLES);

  async function caseOf(staff: StaffContext, caseId: string): Promise<CaseRow> {
    const found = z.uuid().safeParse(caseId).success ? await findCase(db, staff.tenant.id, caseId) : undefined;
    if (!found) throw new DomainError('NOT_FOUND');
    return found;
  }

  const overdue = (c: { dueAt: Date | null; status: CaseStatus }, now: Date) => c.dueAt !== null && c.dueAt < now && OPEN_STATUSES.includes(c.status);

  // --- inbox ------------------------------------------------------------------------------------
  app.get(BASE, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(['q', 'status', 'verfahren', 'zustaendig', 'sortierung', 'ueberfaellig', 'beantwortet'].map((k) => [k, typeof raw[k] === 'string' ? String(raw[k]).trim() : '']));
    const parsed = validateForm(inboxQuery, raw, req.t);
    const procedures = await listCaseProcedures(db, staff.tenant.id);
    const now = new Date();
    let form: FormErrors = emptyForm(values);
    let result = { items: [] as Awaited<ReturnType<typeof listInbox>>['items'], total: 0, capped: false };
    let page = 1;
    let status = 200;
    if (!parsed.ok) {
      const rank = (f: string) => (INBOX_FIELDS as readonly string[]).indexOf(f);
      form = { ...parsed, errors: [...parsed.errors].sort((a, b) => rank(a.field) - rank(b.field)), values };
      status = 400;
    } else {
      const q = parsed.value;
      page = q.seite ?? 1;
      const filter: InboxFilter = {
        status: (q.status ?? 'open') as InboxFilter['status'], procedureId: q.verfahren, overdue: q.ueberfaellig === '1', answered: q.beantwortet === '1',
        assignee: q.zustaendig === 'me' ? staff.account.id : q.zustaendig === 'none' ? 'none' : undefined, sort: q.sortierung ?? 'newest', now,
      };
      if (q.q) {
        if (REFERENCE.test(q.q)) filter.reference = q.q;
        else filter.nameTerms = applicantTerms(deps.applicantTermKey, q.q);
      }
      // A search without a usable word finds nothing rather than everything.
      if (q.q && !filter.reference && filter.nameTerms!.length === 0) result = { items: [], total: 0, capped: false };
      else result = await listInbox(db, staff.tenant.id, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    }
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const keep = { q: values.q, status: values.status, verfahren: values.verfahren, zustaendig: values.zustaendig, sortierung: values.sortierung, ueberfaellig: values.ueberfaellig, beantwortet: values.beantwortet };
    return reply.page(`${VIEWS}/inbox.njk`, {
      pageTitle: req.t('cases.inbox.title'), staff,
      statusOptions: [{ value: 'open', label: req.t('cases.filter.open') }, ...(['submitted', 'in_progress', 'waiting', 'decided', 'closed', 'withdrawn', 'rejected'] as CaseStatus[]).map((s) => ({ value: s, label: req.t(statusKey(s)) })), { value: 'all', label: req.t('cases.filter.all') }],
      procedureOptions: procedures.map((p) => ({ value: p.id, label: p.name })),
      items: result.items.map((c) => ({
        ...c, statusLabel: req.t(statusKey(c.status)), overdue: overdue(c, now), applicantName: cipher.decryptOptional(c.applicantNameEnc),
      })),
      total: result.total, capped: result.capped, cap: INBOX_COUNT_CAP, page,
      prevUrl: page > 1 ? `${BASE}${queryString({ ...keep, seite: page - 1 })}` : null,
      nextUrl: page < pages || (result.capped && result.items.length === PAGE_SIZE) ? `${BASE}${queryString({ ...keep, seite: page + 1 })}` : null,
      errorCount: form.errors.length, ...form,
    }, status);
  });

  // --- the case page ----------------------------------------------------------------------------
  interface CaseForms { status?: FormErrors; assign?: FormErrors; note?: FormErrors }

  const casePage = async (req: FastifyRequest, reply: FastifyReply, staff: StaffContext, c: CaseRow, forms: CaseForms = {}, httpStatus = 200) => {
    const now = new Date();
    const application = await findTenantApplication(db, c.tenantId, c.id);
    if (!application) throw new DomainError('NOT_FOUND');
    const definition = await options.formVersions.load(db, application.formId, application.formVersion);
    const answers = JSON.parse(cipher.decrypt(application.answersEnc)) as Answers;
    const [uploads, payments, feePayments, notes, requests, trail, caseworkers, decision, threadId] = await Promise.all([
      listUploads(db, tenantKeys, c.tenantId, 'application', c.id),
      paymentsFor(db, c.tenantId, 'application', c.id),
      paymentsFor(db, c.tenantId, CASE_FEE_PAYABLE, c.id),
      listNotes(db, c.tenantId, c.id),
      listInformationRequests(db, c.tenantId, c.id),
      listCaseTrail(db, c.tenantId, c.id),
      listCaseworkers(db, c.tenantId),
      loadDecision(deps, c.tenantId, c.id),
      caseThreadId(db, c.tenantId, c.id),
    ]);
    const thread = threadId ? await listThreadForStaff(db, deps.mailbox, c.tenantId, threadId) : null;
    // Looking at the case is seeing the applicant's answer and messages.
    if (c.answeredAt) await setAnswered(db, c.tenantId, c.id, null);
    if (threadId) await markReadByAuthority(db, c.tenantId, threadId);
    const workflow = workflowNamed(c.workflow);
    const errors = [...(forms.status?.errors ?? []), ...(forms.assign?.errors ?? []), ...(forms.note?.errors ?? [])];
    return reply.page(`${VIEWS}/case.njk`, {
      pageTitle: req.t('cases.case.title', { reference: c.reference }), staff,
      kase: { ...c, statusLabel: req.t(statusKey(c.status)), overdue: overdue(c, now), applicantName: cipher.decryptOptional(c.applicantNameEnc) },
      summary: buildSummaryView(definition, answers, req.locale),
      uploads: uploads.map((u) => ({ ...u, size: `${Math.max(1, Math.round(u.sizeBytes / 1024))} KB` })),
      payments: [...payments, ...feePayments].map((p) => ({ ...p, amount: formatEuro(p.amountCents, req.locale), statusLabel: req.t(`payments.status.${p.status}` as MessageKey) })),
      notes: await Promise.all(notes.map(async (n) => ({ ...n, text: await tenantKeys.decryptText(db, c.tenantId, n.bodyEnc, noteContext(n.id)) }))),
      requests, thread, threadId,
      trail: trail.map((e) => ({ ...e, label: req.t(`cases.trail.${e.action}` as MessageKey) })),
      caseworkers, statusActions: staffStatusActions(workflow, c.status).map((t) => ({ to: t.to, needsReason: t.needsReason === true, label: req.t(`cases.action.${t.to}` as MessageKey) })),
      canRequest: c.status === 'waiting' || allows(workflow, c.status, 'information_request', 'staff') !== undefined,
      canDecide: allows(workflow, c.status, 'decision', 'staff') !== undefined && decision?.status !== 'issued',
      decision: decision ? { ...decision, fee: formatEuro(decision.feeCents, req.locale), outcomeLabel: req.t(`cases.decision.outcome.${decision.outcome}` as MessageKey) } : null,
      forms: { status: forms.status ?? emptyForm({ reason: '' }), assign: forms.assign ?? emptyForm({ assignee: c.assigneeId ?? '' }), note: forms.note ?? emptyForm({ text: '' }) },
      errors, errorCount: errors.length,
      notice: typeof (req.query as Record<string, unknown>).hinweis === 'string' ? req.t(`cases.notice.${(req.query as Record<string, string>).hinweis}` as MessageKey) : null,
    }, httpStatus);
  };

  app.get<{ Params: { caseId: string } }>(`${BASE}/:caseId`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    return casePage(req, reply, staff, await caseOf(staff, req.params.caseId));
  });

  const done = (reply: FastifyReply, c: CaseRow, notice: string) => reply.redirect(`${BASE}/${c.id}?hinweis=${notice}`, 303);

  app.post<{ Params: { caseId: string } }>(`${BASE}/:caseId/status`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const form = validateForm(statusForm, req.body, req.t);
    if (!form.ok) return casePage(req, reply, staff, c, { status: form }, 400);
    const result = await changeCaseStatus(deps, { tenantId: c.tenantId, caseId: c.id, to: form.value.to as CaseStatus, actor: { type: 'staff', id: staff.account.id }, reason: form.value.reason });
    if (!result.ok) {
      const message = result.code === 'REASON_REQUIRED' ? req.t('cases.status.reason.required')
        : result.code === 'ILLEGAL_TRANSITION' ? req.t('cases.status.illegal', { from: req.t(statusKey(result.from)), to: req.t(statusKey(form.value.to as CaseStatus)) })
        : req.t('cases.status.invalid');
      const field = result.code === 'REASON_REQUIRED' ? 'reason' : 'to';
      return casePage(req, reply, staff, await caseOf(staff, c.id), { status: { errors: [{ field, message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, [field]: message }, values: { reason: form.value.reason } } }, result.code === 'ILLEGAL_TRANSITION' ? 409 : 400);
    }
    return done(reply, c, 'status');
  });

  app.post<{ Params: { caseId: string } }>(`${BASE}/:caseId/zuweisung`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const body = { ...(req.body as Record<string, unknown>) };
    if (body.assignee === 'me') body.assignee = staff.account.id;
    const form = validateForm(assignForm, body, req.t);
    if (!form.ok) return casePage(req, reply, staff, c, { assign: form }, 400);
    const result = await assignCase(deps, { tenantId: c.tenantId, caseId: c.id, assigneeId: form.value.assignee || null, staffId: staff.account.id });
    if (!result.ok) {
      const message = req.t('cases.assign.invalid');
      return casePage(req, reply, staff, c, { assign: { errors: [{ field: 'assignee', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, assignee: message }, values: { assignee: String(form.value.assignee) } } }, 400);
    }
    return done(reply, c, 'assigned');
  });

  app.post<{ Params: { caseId: string } }>(`${BASE}/:caseId/notizen`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const form = validateForm(noteForm, req.body, req.t);
    if (!form.ok) return casePage(req, reply, staff, c, { note: form }, 400);
    await addNote(deps, { tenantId: c.tenantId, caseId: c.id, staffId: staff.account.id, text: form.value.text });
    return done(reply, c, 'note');
  });

  // Evidence: download, or preview in the browser (PDF, images) in a sandbox.
  app.get<{ Params: { caseId: string; uploadId: string } }>(`${BASE}/:caseId/nachweise/:uploadId`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const owned = (await listUploads(db, tenantKeys, c.tenantId, 'application', c.id)).some((u) => u.id === req.params.uploadId);
    const upload = owned ? await readUpload(db, tenantKeys, c.tenantId, req.params.uploadId) : undefined;
    if (!upload) throw new DomainError('NOT_FOUND');
    const inline = (req.query as Record<string, unknown>).ansicht === '1';
    return sendDownload(reply, { fileName: upload.fileName, mediaType: upload.mediaType, bytes: upload.bytes, disposition: inline ? 'inline' : 'attachment' });
  });

  app.get<{ Params: { caseId: string; uploadId: string } }>(`${BASE}/:caseId/nachweise/:uploadId/vorschau`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const upload = (await listUploads(db, tenantKeys, c.tenantId, 'application', c.id)).find((u) => u.id === req.params.uploadId);
    if (!upload) throw new DomainError('NOT_FOUND');
    return reply.page(`${VIEWS}/preview.njk`, {
      pageTitle: req.t('cases.preview.title', { name: upload.fileName }), staff, kase: c, upload,
      isImage: upload.mediaType.startsWith('image/'), src: `${BASE}/${c.id}/nachweise/${upload.id}?ansicht=1`,
    });
  });

  // --- requests for information -----------------------------------------------------------------
  const requestPage = async (req: FastifyRequest, reply: FastifyReply, staff: StaffContext, c: CaseRow, form: FormErrors, status = 200) => reply.page(`${VIEWS}/request.njk`, {
    pageTitle: req.t('cases.request.title'), staff, kase: c, errorCount: form.errors.length, ...form,
  }, status);

  app.get<{ Params: { caseId: string } }>(`${BASE}/:caseId/nachforderung`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const due = new Date(Date.now() + 14 * DAY_MS).toISOString().slice(0, 10);
    return requestPage(req, reply, staff, c, emptyForm({ text: '', dueDate: due.split('-').reverse().join('.') }));
  });

  app.post<{ Params: { caseId: string } }>(`${BASE}/:caseId/nachforderung`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const form = validateForm(informationRequestForm, req.body, req.t);
    const values = { text: String((req.body as Record<string, unknown>).text ?? ''), dueDate: String((req.body as Record<string, unknown>).dueDate ?? '') };
    if (!form.ok) return requestPage(req, reply, staff, c, { ...form, values }, 400);
    // The deadline ends at the end of that day in Germany.
    const dueAt = new Date(`${form.value.dueDate}T23:59:59+01:00`);
    if (dueAt.getTime() < Date.now() + 12 * 60 * 60 * 1000 || dueAt.getTime() > Date.now() + 366 * DAY_MS) {
      const message = req.t('cases.request.due.range');
      return requestPage(req, reply, staff, c, { errors: [{ field: 'dueDate', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, dueDate: message }, values }, 400);
    }
    const result = await requestInformation(deps, { tenantId: c.tenantId, caseId: c.id, staffId: staff.account.id, text: form.value.text, dueAt });
    if (!result.ok) {
      const message = result.code === 'ILLEGAL_TRANSITION' ? req.t('cases.request.notNow', { status: req.t(statusKey(c.status)) }) : req.t('cases.request.noApplicant');
      return requestPage(req, reply, staff, c, { errors: [{ field: 'text', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, text: message }, values }, 409);
    }
    return done(reply, c, 'requested');
  });

  // --- decisions --------------------------------------------------------------------------------
  // The caseworker first chooses the outcome (a GET form: it only loads that outcome's template),
  // then edits the prefilled text and saves or issues it. Choosing again starts over from a template.
  const outcomeOptions = (req: FastifyRequest) => DECISION_OUTCOMES.map((o) => ({ value: o, label: req.t(`cases.decision.outcome.${o}` as MessageKey) }));
  const isOutcome = (v: unknown): v is DecisionOutcome => (DECISION_OUTCOMES as readonly string[]).includes(String(v));

  interface DecisionPageState {
    /** The editor's state; null while no outcome is chosen (the chooser only). */
    editor: FormErrors | null;
    /** The chooser's state (an error when it was sent without a choice). */
    chooser?: FormErrors;
    /** Which template the proposed text came from, when it was just proposed. */
    source?: 'outcome' | 'general' | 'default';
  }

  const decisionPage = async (req: FastifyRequest, reply: FastifyReply, staff: StaffContext, c: CaseRow, state: DecisionPageState, status = 200) => {
    const chooser = state.chooser ?? emptyForm({ ergebnis: state.editor?.values.outcome ?? '' });
    const editor = state.editor;
    const errors = [...chooser.errors, ...(editor?.errors ?? [])];
    const outcome = editor && isOutcome(editor.values.outcome) ? editor.values.outcome : null;
    return reply.page(`${VIEWS}/decision.njk`, {
      pageTitle: req.t('cases.decision.title'), staff, kase: c, outcomeOptions: outcomeOptions(req),
      chooser, editor, errors, errorCount: errors.length,
      outcomeLabel: outcome ? req.t(`cases.decision.outcome.${outcome}` as MessageKey) : null,
      sourceText: state.source && outcome ? req.t(`cases.decision.source.${state.source}` as MessageKey, { outcome: req.t(`cases.decision.outcome.${outcome}` as MessageKey) }) : null,
      templatesUrl: staff.tenant.roles.includes('tenant_admin') ? `/verwaltung/bescheidvorlagen/${c.procedureId}` : null,
      placeholders: PLACEHOLDERS, feeApplies: c.paymentTiming === 'with_decision',
    }, status);
  };

  const editorFrom = (draft: { outcome: DecisionOutcome; title: string; body: string; feeCents: number }) => emptyForm({ outcome: draft.outcome, title: draft.title, body: draft.body, fee: centsToEuroText(draft.feeCents) });

  const requireUndecided = async (staff: StaffContext, c: CaseRow) => {
    const existing = await loadDecision(deps, c.tenantId, c.id);
    if (existing?.status === 'issued') throw new DomainError('NOT_FOUND');
    return existing;
  };

  app.get<{ Params: { caseId: string } }>(`${BASE}/:caseId/bescheid`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const existing = await requireUndecided(staff, c);
    const query = (req.query ?? {}) as Record<string, unknown>;
    if (isOutcome(query.ergebnis)) {
      const proposal = await proposeDecision(deps, c, query.ergebnis);
      return decisionPage(req, reply, staff, c, { editor: editorFrom(proposal), source: proposal.source });
    }
    const editor = existing ? editorFrom(existing) : null;
    // The chooser was sent without a choice: say so, and keep what was there.
    if (query.wahl !== undefined || query.ergebnis !== undefined) {
      const message = req.t('cases.decision.outcome.invalid');
      const chooser = { errors: [{ field: 'ergebnis', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, ergebnis: message }, values: { ergebnis: existing?.outcome ?? '' } };
      return decisionPage(req, reply, staff, c, { editor, chooser }, 400);
    }
    return decisionPage(req, reply, staff, c, { editor });
  });

  /** The problems that keep a text from being issued, as one message on the text field. */
  const textProblemsMessage = (req: FastifyRequest, problems: DecisionTextProblem[]) => problems.map((p) => (p.code === 'GAP_LEFT'
    ? req.t('cases.decision.body.gapLeft', { gap: p.gap })
    : req.t(p.code === 'REASONS_MISSING' ? 'cases.decision.body.reasonsMissing' : 'cases.decision.body.remedyMissing'))).join(' ');

  app.post<{ Params: { caseId: string } }>(`${BASE}/:caseId/bescheid`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // A retried "issue" (double click, timeout) finds the decision issued and shows it: one document.
    if ((await loadDecision(deps, c.tenantId, c.id))?.status === 'issued') {
      if (body.action === 'issue') return done(reply, c, 'decided');
      throw new DomainError('NOT_FOUND');
    }
    const form = validateForm(decisionForm, body, req.t);
    if (!form.ok) return decisionPage(req, reply, staff, c, { editor: form }, 400);
    const draft = { outcome: form.value.outcome, title: form.value.title, body: form.value.body, feeCents: euroToCents(form.value.fee) };
    const action = body.action === 'issue' ? 'issue' : 'save';
    const fieldError = (field: string, message: string): FormErrors => ({ errors: [{ field, message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, [field]: message }, values: form.value as unknown as Record<string, string> });
    // A refusal without reasons or legal remedy, or a text with a gap left, is not issued (nothing is stored).
    const problems = action === 'issue' ? checkDecisionText(draft.outcome, draft.body) : [];
    if (problems.length > 0) return decisionPage(req, reply, staff, c, { editor: fieldError('body', textProblemsMessage(req, problems)) }, 400);
    const saved = await saveDecision(deps, { tenantId: c.tenantId, caseId: c.id, staffId: staff.account.id, draft });
    if (!saved.ok) {
      const message = saved.code === 'ILLEGAL_TRANSITION' ? req.t('cases.decision.notNow', { status: req.t(statusKey(c.status)) }) : req.t('cases.decision.alreadyIssued');
      return decisionPage(req, reply, staff, c, { editor: fieldError('outcome', message) }, 409);
    }
    if (action === 'save') return done(reply, c, 'decisionSaved');
    const issued = await issueDecision(deps, { tenantId: c.tenantId, caseId: c.id, actor: { type: 'staff', id: staff.account.id } });
    if (!issued.ok) {
      const message = issued.code === 'NO_APPLICANT' ? req.t('cases.request.noApplicant') : req.t('cases.decision.notNow', { status: req.t(statusKey(c.status)) });
      return decisionPage(req, reply, staff, c, { editor: fieldError('outcome', message) }, 409);
    }
    return done(reply, c, 'decided');
  });

  app.get<{ Params: { caseId: string } }>(`${BASE}/:caseId/bescheid.pdf`, async (req, reply) => {
    const staff = requireCaseStaff(req, reply);
    if (!staff) return reply;
    const c = await caseOf(staff, req.params.caseId);
    const decision = await loadDecision(deps, c.tenantId, c.id);
    const upload = decision?.uploadId ? await readUpload(db, tenantKeys, c.tenantId, decision.uploadId) : undefined;
    if (!upload) throw new DomainError('NOT_FOUND');
    return sendDownload(reply, { fileName: upload.fileName, mediaType: upload.mediaType, bytes: upload.bytes, disposition: 'attachment' });
  });
}
