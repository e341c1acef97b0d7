/**
 * The catalogue editor's pages under /verwaltung/leistungen: find a service, add the authority's
 * local text (versioned, with history and conflict detection), link online procedures and
 * deactivate, reactivate, change or remove them; choose the authority when there are several.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { findService, searchServices } from '../catalog/index.ts';
import { findTenantsByIds } from '../tenants/index.ts';
import {
  actorOf, requireEditor, requireEditorOf, type EditorContext,
} from './catalog-editor.policy.ts';
import {
  findLocalText, findProcedure, listLocalTextVersions, listProcedures, listRecentLocalTexts, type LocalText, type OnlineProcedure,
} from './catalog-editor.repository.ts';
import {
  leikaKeyParam, localTextForm, PROCEDURE_FIELDS, procedureForm, procedureIdParam, procedureStatusForm, versionField,
} from './catalog-editor.schemas.ts';
import { linkOnlineProcedure } from './link-online-procedure.ts';
import { removeOnlineProcedure } from './remove-online-procedure.ts';
import { changedFields, saveLocalText } from './save-local-text.ts';
import { setOnlineProcedureActive } from './set-online-procedure-active.ts';
import { updateOnlineProcedure } from './update-online-procedure.ts';

const VIEWS = 'modules/catalog-editor/views';
const BASE = '/verwaltung/leistungen';
const SEARCH_LIMIT = 25;
const HISTORY_LIMIT = 100;

/** Confirmations after a redirect (`?hinweis=`), by their value in the URL. */
const NOTICES = {
  'text-gespeichert': 'catalogEditor.notice.textSaved',
  'text-unveraendert': 'catalogEditor.notice.textUnchanged',
  'verfahren-verknuepft': 'catalogEditor.notice.procedureLinked',
  'verfahren-geaendert': 'catalogEditor.notice.procedureUpdated',
  'verfahren-deaktiviert': 'catalogEditor.notice.procedureDeactivated',
  'verfahren-aktiviert': 'catalogEditor.notice.procedureReactivated',
  'verfahren-entfernt': 'catalogEditor.notice.procedureRemoved',
} as const satisfies Record<string, MessageKey>;
type Notice = keyof typeof NOTICES;

const TEXT_FIELD_LABELS = {
  fees: 'catalogEditor.text.fees.label',
  contact: 'catalogEditor.text.contact.label',
  localRequirements: 'catalogEditor.text.localRequirements.label',
} as const satisfies Record<string, MessageKey>;

type Service = NonNullable<Awaited<ReturnType<typeof findService>>>;
type Params = { leikaKey: string };
type ProcedureParams = { leikaKey: string; procedureId: string };

function serviceUrl(leikaKey: string, notice?: Notice, anchor?: string): string {
  return `${BASE}/${leikaKey}${notice ? `?hinweis=${notice}` : ''}${anchor ? `#${anchor}` : ''}`;
}

function noticeOf(req: FastifyRequest): string | null {
  const value = (req.query as Record<string, unknown>).hinweis;
  return typeof value === 'string' && Object.hasOwn(NOTICES, value) ? req.t(NOTICES[value as Notice]) : null;
}

function body(req: FastifyRequest): Record<string, unknown> {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
}

/** The service named in the URL. @throws DomainError NOT_FOUND for a malformed or unknown key. */
async function requireService(db: Db, leikaKey: string): Promise<Service> {
  if (!leikaKeyParam.safeParse(leikaKey).success) throw new DomainError('NOT_FOUND');
  const service = await findService(db, leikaKey);
  if (!service) throw new DomainError('NOT_FOUND');
  return service;
}

/** The tenant's procedure named in the URL. @throws DomainError NOT_FOUND when it is not the tenant's (or malformed). */
async function requireProcedure(db: Db, tenantId: string, leikaKey: string, procedureId: string): Promise<OnlineProcedure> {
  if (!procedureIdParam.safeParse(procedureId).success) throw new DomainError('NOT_FOUND');
  const procedure = await findProcedure(db, tenantId, leikaKey, procedureId);
  if (!procedure) throw new DomainError('NOT_FOUND');
  return procedure;
}

/** Orders a form's errors like its fields, so that the summary reads top to bottom. */
function inFieldOrder(form: FormErrors, fields: readonly string[]): FormErrors {
  const rank = (field: string) => (fields.indexOf(field) + fields.length + 1) % (fields.length + 1);
  return { ...form, errors: [...form.errors].sort((a, b) => rank(a.field) - rank(b.field)) };
}

function procedureValues(p: OnlineProcedure | undefined, tenantId: string): Record<string, string> {
  return {
    tenantId, name: p?.name ?? '', kind: p?.kind ?? '', url: p?.url ?? '',
    maturityModel: p?.maturityModel ?? '', maturityLevel: p ? String(p.maturityLevel) : '',
  };
}

interface EditorPageState {
  textForm?: FormErrors;
  procedureForm?: FormErrors;
  /** The text someone else saved in between (the user's form was based on an older version). */
  conflict?: { current: LocalText | undefined };
}

/** Registers the catalogue editor's pages (staff with an editor-capable role only). */
export async function catalogEditorRoutes(app: FastifyInstance, { db }: AppDeps): Promise<void> {
  /** Renders a service's editor page for the editor's tenant, with the given form states. */
  async function editorPage(req: FastifyRequest, reply: FastifyReply, editor: EditorContext, service: Service, state: EditorPageState = {}, status = 200) {
    const tenantId = editor.tenant.id;
    const [localText, versions, procedures, [tenant]] = await Promise.all([
      findLocalText(db, tenantId, service.leika_key),
      // One more than shown, to tell what the oldest shown version changed.
      listLocalTextVersions(db, tenantId, service.leika_key, HISTORY_LIMIT + 1),
      listProcedures(db, tenantId, service.leika_key),
      findTenantsByIds(db, [tenantId]),
    ]);
    const history = versions.slice(0, HISTORY_LIMIT).map((v, i) => ({
      ...v, changes: changedFields(versions[i + 1], v).map((f) => req.t(TEXT_FIELD_LABELS[f])),
    }));
    const textForm = state.textForm ?? emptyForm({
      tenantId, version: String(localText?.version ?? 0),
      fees: localText?.fees ?? '', contact: localText?.contact ?? '', localRequirements: localText?.localRequirements ?? '',
    });
    const procedureForm = state.procedureForm ?? emptyForm(procedureValues(undefined, tenantId));
    const errors = [...textForm.errors, ...procedureForm.errors];
    return reply.page(`${VIEWS}/service.njk`, {
      pageTitle: req.t('catalogEditor.service.title', { name: service.name }),
      editor, service, localText, history, procedures, textForm, procedureForm, errors,
      errorCount: errors.length + (state.conflict ? 1 : 0),
      conflict: state.conflict ?? null,
      notice: noticeOf(req),
      publicUrl: `/leistungen/${service.leika_key}${tenant?.municipality_ags ? `?ags=${tenant.municipality_ags}` : ''}`,
    }, status);
  }

  async function procedurePage(req: FastifyRequest, reply: FastifyReply, editor: EditorContext, service: Service, procedure: OnlineProcedure, form?: FormErrors, status = 200) {
    const procedureFormState = form ?? emptyForm(procedureValues(procedure, editor.tenant.id));
    return reply.page(`${VIEWS}/procedure.njk`, {
      pageTitle: procedure.name, editor, service, procedure, procedureForm: procedureFormState,
      errors: procedureFormState.errors, errorCount: procedureFormState.errors.length,
    }, status);
  }

  app.get(BASE, async (req, reply) => {
    const editor = await requireEditor(db, req, reply);
    if (!editor) return reply;
    const query = z.object({ q: z.string().trim().max(200).default('') }).safeParse(req.query);
    const q = query.success ? query.data.q : '';
    // A LeiKa key leads straight to the service.
    if (leikaKeyParam.safeParse(q).success && await findService(db, q)) return reply.redirect(serviceUrl(q), 303);
    const [result, recent] = await Promise.all([
      q ? searchServices(db, { q, servingTenantIds: [editor.tenant.id], limit: SEARCH_LIMIT }) : { total: 0, items: [] },
      listRecentLocalTexts(db, editor.tenant.id, 10),
    ]);
    return reply.page(`${VIEWS}/search.njk`, {
      pageTitle: q ? req.t('catalogEditor.search.resultsTitle', { q }) : req.t('catalogEditor.title'),
      editor, q, result, recent, shown: SEARCH_LIMIT,
    });
  });

  app.get<{ Params: Params }>(`${BASE}/:leikaKey`, async (req, reply) => {
    const editor = await requireEditor(db, req, reply);
    if (!editor) return reply;
    return editorPage(req, reply, editor, await requireService(db, req.params.leikaKey));
  });

  app.post<{ Params: Params }>(`${BASE}/:leikaKey/text`, async (req, reply) => {
    const editor = await requireEditorOf(db, req, reply, body(req).tenantId);
    if (!editor) return reply;
    const service = await requireService(db, req.params.leikaKey);
    const version = versionField.safeParse(req.body);
    if (!version.success) throw new DomainError('BAD_REQUEST');
    const result = validateForm(localTextForm, req.body, req.t);
    if (!result.ok) return editorPage(req, reply, editor, service, { textForm: result }, 400);
    const saved = await saveLocalText(db, actorOf(editor, req), service.leika_key, version.data.version, result.value);
    if (!saved.ok) {
      // The user's values stay; the form is now based on the current version, so that saving again
      // (after comparing) is a deliberate overwrite and not another conflict.
      return editorPage(req, reply, editor, service, {
        textForm: emptyForm({ ...sentValues(req), tenantId: editor.tenant.id, version: String(saved.current?.version ?? 0) }),
        conflict: { current: saved.current },
      }, 409);
    }
    return reply.redirect(serviceUrl(service.leika_key, saved.value.changed ? 'text-gespeichert' : 'text-unveraendert', 'text'), 303);
  });

  app.post<{ Params: Params }>(`${BASE}/:leikaKey/verfahren`, async (req, reply) => {
    const editor = await requireEditorOf(db, req, reply, body(req).tenantId);
    if (!editor) return reply;
    const service = await requireService(db, req.params.leikaKey);
    const result = validateForm(procedureForm, req.body, req.t);
    if (!result.ok) return editorPage(req, reply, editor, service, { procedureForm: inFieldOrder(result, PROCEDURE_FIELDS) }, 400);
    const linked = await linkOnlineProcedure(db, actorOf(editor, req), service.leika_key, result.value);
    if (!linked.ok) return editorPage(req, reply, editor, service, { procedureForm: nameTaken(req) }, 400);
    return reply.redirect(serviceUrl(service.leika_key, 'verfahren-verknuepft', 'verfahren'), 303);
  });

  app.get<{ Params: ProcedureParams }>(`${BASE}/:leikaKey/verfahren/:procedureId`, async (req, reply) => {
    const editor = await requireEditor(db, req, reply);
    if (!editor) return reply;
    const service = await requireService(db, req.params.leikaKey);
    const procedure = await requireProcedure(db, editor.tenant.id, service.leika_key, req.params.procedureId);
    return procedurePage(req, reply, editor, service, procedure);
  });

  app.post<{ Params: ProcedureParams }>(`${BASE}/:leikaKey/verfahren/:procedureId`, async (req, reply) => {
    const editor = await requireEditorOf(db, req, reply, body(req).tenantId);
    if (!editor) return reply;
    const service = await requireService(db, req.params.leikaKey);
    const procedure = await requireProcedure(db, editor.tenant.id, service.leika_key, req.params.procedureId);
    const result = validateForm(procedureForm, req.body, req.t);
    if (!result.ok) return procedurePage(req, reply, editor, service, procedure, inFieldOrder(result, PROCEDURE_FIELDS), 400);
    const updated = await updateOnlineProcedure(db, actorOf(editor, req), service.leika_key, procedure.id, result.value);
    if (!updated.ok) return procedurePage(req, reply, editor, service, procedure, nameTaken(req), 400);
    return reply.redirect(serviceUrl(service.leika_key, 'verfahren-geaendert', 'verfahren'), 303);
  });

  app.post<{ Params: ProcedureParams }>(`${BASE}/:leikaKey/verfahren/:procedureId/status`, async (req, reply) => {
    const editor = await requireEditorOf(db, req, reply, body(req).tenantId);
    if (!editor) return reply;
    const service = await requireService(db, req.params.leikaKey);
    if (!procedureIdParam.safeParse(req.params.procedureId).success) throw new DomainError('NOT_FOUND');
    const status = procedureStatusForm.safeParse(req.body);
    if (!status.success) throw new DomainError('BAD_REQUEST');
    await setOnlineProcedureActive(db, actorOf(editor, req), service.leika_key, req.params.procedureId, status.data.active);
    return reply.redirect(serviceUrl(service.leika_key, status.data.active ? 'verfahren-aktiviert' : 'verfahren-deaktiviert', 'verfahren'), 303);
  });

  app.post<{ Params: ProcedureParams }>(`${BASE}/:leikaKey/verfahren/:procedureId/entfernen`, async (req, reply) => {
    const editor = await requireEditorOf(db, req, reply, body(req).tenantId);
    if (!editor) return reply;
    const service = await requireService(db, req.params.leikaKey);
    if (!procedureIdParam.safeParse(req.params.procedureId).success) throw new DomainError('NOT_FOUND');
    await removeOnlineProcedure(db, actorOf(editor, req), service.leika_key, req.params.procedureId);
    return reply.redirect(serviceUrl(service.leika_key, 'verfahren-entfernt', 'verfahren'), 303);
  });
}

/** What the user sent, as strings, to put back into the fields (never the CSRF token). */
function sentValues(req: FastifyRequest): Record<string, string> {
  return Object.fromEntries(Object.entries(body(req)).filter(([k]) => k !== '_csrf')
    .map(([k, v]) => [k, String((Array.isArray(v) ? v[0] : v) ?? '')]));
}

/** The procedure form again with the user's values and "this name is taken" at the name. */
function nameTaken(req: FastifyRequest): FormErrors {
  const message = req.t('catalogEditor.procedure.name.taken');
  return { errors: [{ field: 'name', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, name: message }, values: sentValues(req) };
}
