/**
 * The tenant administrator's decision templates under /verwaltung/bescheidvorlagen: the tenant's
 * online procedures, per procedure what a decision of each outcome starts from (its own template,
 * the general one, or the platform's default), and one page per outcome to write, change or remove
 * its template. Every procedure is looked up with the active tenant: another tenant's procedure
 * (and so its templates) is "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DecisionTemplateOutcome } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { emptyForm, validateForm, type FormErrors } from '../../platform/http/forms.ts';
import type { MessageKey } from '../../platform/i18n/i18n.ts';
import { requireStaffTenant, type StaffContext } from '../staff/index.ts';
import { findTemplateProcedure, listTemplateProcedures, listTemplates, type DecisionTemplateRow, type TemplateProcedure } from './cases.repository.ts';
import type { CasesRouteOptions } from './cases.routes.ts';
import { templateForm, TEMPLATE_OUTCOMES } from './cases.schemas.ts';
import { checkTemplateText, defaultTemplate, PLACEHOLDERS } from './decision-text.ts';
import { removeDecisionTemplate, saveDecisionTemplate, type TemplateActor } from './save-decision-template.ts';

const VIEWS = 'modules/cases/views';
const BASE = '/verwaltung/bescheidvorlagen';

/** Confirmations after a redirect (`?hinweis=`). */
const NOTICES = {
  gespeichert: 'cases.templates.notice.saved',
  entfernt: 'cases.templates.notice.removed',
} as const satisfies Record<string, MessageKey>;

const outcomeLabel = (req: FastifyRequest, outcome: DecisionTemplateOutcome) => req.t(outcome === 'general' ? 'cases.templates.outcome.general' : `cases.decision.outcome.${outcome}` as MessageKey);

/** The text an outcome's editor starts with: its template, else what a decision would start from today. */
function startingText(outcome: DecisionTemplateOutcome, templates: DecisionTemplateRow[], procedure: TemplateProcedure): { title: string; body: string; from: 'own' | 'general' | 'default'; own?: DecisionTemplateRow } {
  const own = templates.find((t) => t.outcome === outcome);
  if (own) return { title: own.title, body: own.body, from: 'own', own };
  const general = outcome === 'general' ? undefined : templates.find((t) => t.outcome === 'general');
  if (general) return { title: general.title, body: general.body, from: 'general' };
  // A general template starts from the text for "other": it leaves the operative part as a gap.
  return { ...defaultTemplate(outcome === 'general' ? 'other' : outcome, procedure.paymentTiming === 'with_decision'), from: 'default' };
}

/** Registers the template pages (tenant administrators only). */
export async function decisionTemplateRoutes(app: FastifyInstance, options: CasesRouteOptions): Promise<void> {
  const { db } = options;
  const requireAdmin = (req: FastifyRequest, reply: FastifyReply): StaffContext | null => requireStaffTenant(req, reply, ['tenant_admin']);
  const actorOf = (admin: StaffContext, req: FastifyRequest): TemplateActor => ({ tenantId: admin.tenant.id, staffId: admin.account.id, requestId: req.id });

  /** The procedure named in the path, one of the admin's tenant. @throws DomainError NOT_FOUND otherwise. */
  async function procedureOf(admin: StaffContext, procedureId: string): Promise<TemplateProcedure> {
    const procedure = z.uuid().safeParse(procedureId).success ? await findTemplateProcedure(db, admin.tenant.id, procedureId) : undefined;
    if (!procedure) throw new DomainError('NOT_FOUND');
    return procedure;
  }

  /** The outcome named in the path. @throws DomainError NOT_FOUND for anything else. */
  function outcomeOf(value: string): DecisionTemplateOutcome {
    if (!(TEMPLATE_OUTCOMES as readonly string[]).includes(value)) throw new DomainError('NOT_FOUND');
    return value as DecisionTemplateOutcome;
  }

  const notice = (req: FastifyRequest) => {
    const hinweis = (req.query as Record<string, unknown>).hinweis;
    return typeof hinweis === 'string' && Object.hasOwn(NOTICES, hinweis) ? req.t(NOTICES[hinweis as keyof typeof NOTICES]) : null;
  };

  app.get(BASE, async (req, reply) => {
    const admin = requireAdmin(req, reply);
    if (!admin) return reply;
    const procedures = await listTemplateProcedures(db, admin.tenant.id);
    return reply.page(`${VIEWS}/templates.njk`, {
      pageTitle: req.t('cases.templates.title'),
      procedures: procedures.map((p) => ({
        ...p, notification: p.workflow === 'notification',
        own: TEMPLATE_OUTCOMES.filter((o) => p.outcomes.includes(o)).map((o) => outcomeLabel(req, o)),
      })),
    });
  });

  app.get<{ Params: { procedureId: string } }>(`${BASE}/:procedureId`, async (req, reply) => {
    const admin = requireAdmin(req, reply);
    if (!admin) return reply;
    const procedure = await procedureOf(admin, req.params.procedureId);
    const templates = await listTemplates(db, admin.tenant.id, procedure.id);
    const hasGeneral = templates.some((t) => t.outcome === 'general');
    return reply.page(`${VIEWS}/template-procedure.njk`, {
      pageTitle: req.t('cases.templates.procedure.title', { procedure: procedure.name }), procedure, notice: notice(req),
      rows: TEMPLATE_OUTCOMES.map((outcome) => {
        const own = templates.find((t) => t.outcome === outcome);
        return {
          outcome, label: outcomeLabel(req, outcome), url: `${BASE}/${procedure.id}/${outcome}`, updatedAt: own?.updatedAt ?? null,
          state: own ? null : req.t(outcome === 'general' ? 'cases.templates.state.generalNone' : hasGeneral ? 'cases.templates.state.general' : 'cases.templates.state.default'),
        };
      }),
    });
  });

  const editPage = async (req: FastifyRequest, reply: FastifyReply, admin: StaffContext, procedure: TemplateProcedure, outcome: DecisionTemplateOutcome, form: FormErrors | null, status = 200) => {
    const templates = await listTemplates(db, admin.tenant.id, procedure.id);
    const start = startingText(outcome, templates, procedure);
    const shown = form ?? emptyForm({ title: start.title, body: start.body });
    return reply.page(`${VIEWS}/template-edit.njk`, {
      pageTitle: req.t('cases.templates.edit.title', { outcome: outcomeLabel(req, outcome) }), procedure, outcome,
      from: start.from, ownUpdatedAt: start.own?.updatedAt ?? null, isGeneral: outcome === 'general',
      placeholders: PLACEHOLDERS, action: `${BASE}/${procedure.id}/${outcome}`, backUrl: `${BASE}/${procedure.id}`,
      errorCount: shown.errors.length, ...shown,
    }, status);
  };

  app.get<{ Params: { procedureId: string; outcome: string } }>(`${BASE}/:procedureId/:outcome`, async (req, reply) => {
    const admin = requireAdmin(req, reply);
    if (!admin) return reply;
    const outcome = outcomeOf(req.params.outcome);
    const procedure = await procedureOf(admin, req.params.procedureId);
    return editPage(req, reply, admin, procedure, outcome, null);
  });

  app.post<{ Params: { procedureId: string; outcome: string } }>(`${BASE}/:procedureId/:outcome`, async (req, reply) => {
    const admin = requireAdmin(req, reply);
    if (!admin) return reply;
    const outcome = outcomeOf(req.params.outcome);
    const procedure = await procedureOf(admin, req.params.procedureId);
    const form = validateForm(templateForm, req.body, req.t);
    if (!form.ok) return editPage(req, reply, admin, procedure, outcome, form, 400);
    const problems = checkTemplateText(outcome, form.value.body);
    if (problems.length > 0) {
      const message = problems.map((p) => req.t(p === 'REASONS_HEADING' ? 'cases.templates.body.reasonsHeading' : 'cases.templates.body.remedyHeading')).join(' ');
      return editPage(req, reply, admin, procedure, outcome, {
        errors: [{ field: 'body', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, body: message }, values: { title: form.value.title, body: form.value.body },
      }, 400);
    }
    const saved = await saveDecisionTemplate(db, actorOf(admin, req), { procedureId: procedure.id, outcome, title: form.value.title, body: form.value.body });
    if (!saved.ok) throw new DomainError('NOT_FOUND');
    return reply.redirect(`${BASE}/${procedure.id}?hinweis=gespeichert`, 303);
  });

  app.post<{ Params: { procedureId: string; outcome: string } }>(`${BASE}/:procedureId/:outcome/entfernen`, async (req, reply) => {
    const admin = requireAdmin(req, reply);
    if (!admin) return reply;
    const outcome = outcomeOf(req.params.outcome);
    const procedure = await procedureOf(admin, req.params.procedureId);
    const removed = await removeDecisionTemplate(db, actorOf(admin, req), { procedureId: procedure.id, outcome });
    if (!removed.ok) throw new DomainError('NOT_FOUND');
    return reply.redirect(`${BASE}/${procedure.id}?hinweis=entfernt`, 303);
  });
}
