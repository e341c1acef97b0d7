/**
 * The form library under /verwaltung/formulare (editors and tenant administrators): the tenant's
 * forms and their versions, sharing for reuse ("Einer für Alle"), adopting a form another
 * authority shares, and offering a form as an online procedure with its settings (fee, trust level,
 * contact, the workflow of its cases).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app-deps.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { actorOf, requireEditor, requireEditorOf, type EditorContext } from '../catalog-editor/index.ts';
import { findUsableForm, listOwnForms, listSharedForms, listTenantProcedures, listVersions, type FormSummary } from './form-library.repository.ts';
import {
  definitionForm, fixedFeeSchedule, formIdParam, OFFER_FIELDS, offerProcedureForm, procedureIdParam, procedureSettingsForm, shareFormInput,
} from './form-library.schemas.ts';
import { WORKFLOW_NAMES } from '../cases/index.ts';
import { feeSchedule, formatEuro } from '../payments/index.ts';
import { changeProcedureSettings, offerProcedure } from './offer-procedure.ts';
import { shareForm } from './share-form.ts';
import { storeForm } from './store-form.ts';

const VIEWS = 'modules/form-library/views';
const BASE = '/verwaltung/formulare';

const NOTICES = {
  gespeichert: 'formLibrary.notice.stored',
  freigabe: 'formLibrary.notice.shared',
  angeboten: 'formLibrary.notice.offered',
  einstellungen: 'formLibrary.notice.settingsSaved',
} as const satisfies Record<string, MessageKey>;

function noticeOf(req: FastifyRequest): string | null {
  const query = req.query as Record<string, unknown>;
  const value = query.hinweis;
  if (typeof value !== 'string' || !Object.hasOwn(NOTICES, value)) return null;
  return req.t(NOTICES[value as keyof typeof NOTICES], { version: String(query.fassung ?? '') });
}

/** Parses pasted JSON; a syntax error becomes a field error, not an exception. */
function parseDefinitionJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 200) };
  }
}

export async function formLibraryRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;

  async function renderIndex(req: FastifyRequest, reply: FastifyReply, editor: EditorContext, form: FormErrors, problems: { path: string; message: string }[] = [], status = 200) {
    const [own, shared, procedures] = await Promise.all([
      listOwnForms(db, editor.tenant.id), listSharedForms(db, editor.tenant.id), listTenantProcedures(db, editor.tenant.id),
    ]);
    return reply.page(`${VIEWS}/index.njk`, {
      pageTitle: `${form.errors.length ? `${req.t('form.errorPrefix')} ` : ''}${req.t('formLibrary.title')}`,
      editor, own, shared, procedures, notice: noticeOf(req), ...form, problems,
    }, status);
  }

  async function requireUsableForm(editor: EditorContext, formId: string): Promise<FormSummary> {
    const form = await findUsableForm(db, editor.tenant.id, formId);
    if (!form) throw new DomainError('NOT_FOUND');
    return form;
  }

  async function renderForm(
    req: FastifyRequest, reply: FastifyReply, editor: EditorContext, form: FormSummary,
    state: { version?: FormErrors; offer?: FormErrors; settings?: FormErrors & { procedureId: string }; problems?: { path: string; message: string }[] }, status = 200,
  ) {
    const own = form.ownerTenantId === editor.tenant.id;
    const [versions, listed] = await Promise.all([listVersions(db, form.id), listTenantProcedures(db, editor.tenant.id, form.id)]);
    // Each procedure's settings form: the values stored, or those just refused with their errors.
    const procedures = listed.map((p) => {
      const refused = state.settings?.procedureId === p.id ? state.settings : undefined;
      const items = p.settings.feeSchedule ? feeSchedule.parse(p.settings.feeSchedule).items : [];
      const feeRule = items.map((i) => {
        const label = req.locale === 'en' && i.label.en ? i.label.en : i.label.de;
        if (i.kind === 'fixed') return `${label}: ${formatEuro(i.cents, req.locale)}`;
        if (i.kind === 'byQuantity') return `${label}: ${req.t('formLibrary.fee.perUnit', { amount: formatEuro(i.unitCents, req.locale), field: i.field })}`;
        return `${label}: ${req.t('formLibrary.fee.byOption', { field: i.field })}`;
      });
      const only = items.length === 1 ? items[0] : undefined;
      const fixed = only?.kind === 'fixed' ? (only.cents / 100).toFixed(2).replace('.', ',') : '';
      return {
        ...p, feeRule, complexFee: items.length > 0 && !fixed,
        form: refused ?? emptyForm({
          formVersion: String(p.settings.formVersion), followLatest: p.settings.followLatest ? 'true' : '', minTrustLevel: p.settings.minTrustLevel,
          processingDays: p.settings.processingDays ? String(p.settings.processingDays) : '', contact: p.settings.contact ?? '', fee: fixed, paymentTiming: p.settings.paymentTiming,
          workflow: p.settings.workflow,
        }),
      };
    });
    // Errors of a settings form link to its inputs, whose ids carry the procedure's id.
    const errors = [...(state.version?.errors ?? []), ...(state.offer?.errors ?? []), ...(state.settings?.errors ?? []).map((e) => ({ ...e, field: `${state.settings!.procedureId}-${e.field}` }))];
    return reply.page(`${VIEWS}/form.njk`, {
      pageTitle: `${errors.length ? `${req.t('form.errorPrefix')} ` : ''}${form.title}`,
      editor, form, own, versions, procedures, notice: noticeOf(req), errors,
      versionForm: state.version ?? emptyForm(),
      offerForm: state.offer ?? emptyForm({ formVersion: String(form.latestVersion), minTrustLevel: 'substantiell', name: form.title, paymentTiming: 'none', workflow: 'standard' }),
      workflows: WORKFLOW_NAMES,
      problems: state.problems ?? [],
    }, status);
  }

  app.get(BASE, async (req, reply) => {
    const editor = await requireEditor(db, req, reply);
    if (!editor) return reply;
    return renderIndex(req, reply, editor, emptyForm());
  });

  // A new form from a pasted definition.
  app.post(BASE, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const editor = await requireEditorOf(db, req, reply, body.tenantId);
    if (!editor) return reply;
    const input = validateForm(definitionForm, body, req.t);
    if (!input.ok) return renderIndex(req, reply, editor, input, [], 400);
    const parsed = parseDefinitionJson(input.value.definition);
    if (!parsed.ok) {
      const message = req.t('formLibrary.definition.notJson', { reason: parsed.reason });
      return renderIndex(req, reply, editor, { errors: [{ field: 'definition', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, definition: message }, values: { definition: input.value.definition } }, [], 400);
    }
    const result = await storeForm(db, actorOf(editor, req), { definition: parsed.value, source: null });
    if (!result.ok) {
      const problems = result.code === 'INVALID_DEFINITION' ? result.problems : [];
      const message = req.t('formLibrary.definition.invalid', { count: String(problems.length) });
      return renderIndex(req, reply, editor, { errors: [{ field: 'definition', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, definition: message }, values: { definition: input.value.definition } }, problems, 400);
    }
    return reply.redirect(`${BASE}/${result.value.formId}?hinweis=gespeichert&fassung=${result.value.version}`, 303);
  });

  app.get(`${BASE}/:formId`, async (req, reply) => {
    const editor = await requireEditor(db, req, reply);
    if (!editor) return reply;
    const params = formIdParam.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    return renderForm(req, reply, editor, await requireUsableForm(editor, params.data.formId), {});
  });

  app.post(`${BASE}/:formId/fassungen`, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const editor = await requireEditorOf(db, req, reply, body.tenantId);
    if (!editor) return reply;
    const params = formIdParam.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const form = await requireUsableForm(editor, params.data.formId);
    if (form.ownerTenantId !== editor.tenant.id) throw new DomainError('NOT_FOUND');
    const input = validateForm(definitionForm, body, req.t);
    if (!input.ok) return renderForm(req, reply, editor, form, { version: input }, 400);
    const parsed = parseDefinitionJson(input.value.definition);
    const refuse = (message: string, problems: { path: string; message: string }[] = []) => renderForm(req, reply, editor, form, {
      version: { errors: [{ field: 'definition', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, definition: message }, values: { definition: input.value.definition } },
      problems,
    }, 400);
    if (!parsed.ok) return refuse(req.t('formLibrary.definition.notJson', { reason: parsed.reason }));
    const result = await storeForm(db, actorOf(editor, req), { formId: form.id, definition: parsed.value, source: null });
    if (!result.ok) {
      if (result.code !== 'INVALID_DEFINITION') throw new DomainError('NOT_FOUND');
      return refuse(req.t('formLibrary.definition.invalid', { count: String(result.problems.length) }), result.problems);
    }
    return reply.redirect(`${BASE}/${form.id}?hinweis=gespeichert&fassung=${result.value.version}`, 303);
  });

  app.post(`${BASE}/:formId/freigabe`, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const editor = await requireEditorOf(db, req, reply, body.tenantId);
    if (!editor) return reply;
    const params = formIdParam.safeParse(req.params);
    const input = shareFormInput.safeParse(body);
    if (!params.success || !input.success) throw new DomainError('NOT_FOUND');
    if (!(await shareForm(db, actorOf(editor, req), params.data.formId, input.data.shared))) throw new DomainError('NOT_FOUND');
    return reply.redirect(`${BASE}/${params.data.formId}?hinweis=freigabe`, 303);
  });

  app.post(`${BASE}/:formId/verfahren`, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const editor = await requireEditorOf(db, req, reply, body.tenantId);
    if (!editor) return reply;
    const params = formIdParam.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const form = await requireUsableForm(editor, params.data.formId);
    const input = validateForm(offerProcedureForm, body, req.t);
    if (!input.ok) {
      input.errors.sort((a, b) => OFFER_FIELDS.indexOf(a.field as never) - OFFER_FIELDS.indexOf(b.field as never));
      return renderForm(req, reply, editor, form, { offer: input }, 400);
    }
    const v = input.value;
    const result = await offerProcedure(db, actorOf(editor, req), {
      formId: form.id, leikaKey: v.leikaKey, name: v.name, maturityModel: '2', maturityLevel: 4,
      settings: {
        formVersion: v.formVersion, followLatest: v.followLatest, minTrustLevel: v.minTrustLevel,
        feeSchedule: v.fee ? fixedFeeSchedule(v.fee) : null, paymentTiming: v.fee ? v.paymentTiming : 'none',
        processingDays: v.processingDays, contact: v.contact, workflow: v.workflow,
      },
    });
    if (result.ok) return reply.redirect(`${BASE}/${form.id}?hinweis=angeboten`, 303);
    if (result.code === 'FORM_NOT_FOUND') throw new DomainError('NOT_FOUND');
    const [field, key] = result.code === 'SERVICE_NOT_FOUND' ? ['leikaKey', 'formLibrary.procedure.leikaKey.unknown'] as const
      : result.code === 'VERSION_NOT_FOUND' ? ['formVersion', 'formLibrary.procedure.version.unknown'] as const
        : ['name', 'formLibrary.procedure.name.duplicate'] as const;
    const message = req.t(key);
    const values = Object.fromEntries(Object.entries(body).filter(([k]) => k !== '_csrf').map(([k, val]) => [k, String(val ?? '')]));
    return renderForm(req, reply, editor, form, { offer: { errors: [{ field, message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, [field]: message }, values } }, 400);
  });

  app.post(`${BASE}/verfahren/:procedureId`, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const editor = await requireEditorOf(db, req, reply, body.tenantId);
    if (!editor) return reply;
    const params = procedureIdParam.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const procedure = (await listTenantProcedures(db, editor.tenant.id)).find((p) => p.id === params.data.procedureId);
    if (!procedure) throw new DomainError('NOT_FOUND');
    const hasRule = procedure.settings.feeSchedule != null;
    const input = validateForm(procedureSettingsForm(hasRule), body, req.t);
    if (!input.ok) {
      const form = await requireUsableForm(editor, procedure.formId);
      return renderForm(req, reply, editor, form, { settings: { procedureId: procedure.id, ...input } }, 400);
    }
    const v = input.value;
    // An empty fee keeps a rule already in place (e.g. a fee per copy); "none" removes it.
    const schedule = v.paymentTiming === 'none' ? null : v.fee ? fixedFeeSchedule(v.fee) : procedure.settings.feeSchedule;
    const outcome = await changeProcedureSettings(db, actorOf(editor, req), procedure.id, procedure.formId, {
      ...procedure.settings, formVersion: v.formVersion, followLatest: v.followLatest, minTrustLevel: v.minTrustLevel,
      processingDays: v.processingDays, contact: v.contact, feeSchedule: schedule, paymentTiming: schedule ? v.paymentTiming : 'none', workflow: v.workflow,
    });
    if (outcome !== 'ok') throw new DomainError(outcome === 'not-found' ? 'NOT_FOUND' : 'BAD_REQUEST');
    return reply.redirect(`${BASE}/${procedure.formId}?hinweis=einstellungen`, 303);
  });
}
