/**
 * The applicant's pages under /antraege: start an online procedure for a municipality, fill the
 * form step by step (saved at every step, works without JavaScript), check the answers, submit,
 * see the receipt and the history. Drafts and applications are the owner's alone: anyone else's
 * id is "not found". A procedure that needs a higher trust level sends the person to log in again
 * at that level (step-up) and back to the same page.
 */
import { applicationsApiRoutes } from './applications.api.ts';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { DomainError, invalidParamsOf } from '../../platform/http/errors.ts';
import { chosenMunicipality, findResponsibleAuthority } from '../catalog/index.ts';
import type { Answers, FormDefinition, FormItem } from '../forms/form-definition.ts';
import { applyPrefill, buildStepView, buildSummaryView, collectFiles, conditionStates, localize, readStepAnswers, shownFields, validateStep, visibleSteps, type FieldError } from '../forms/index.ts';
import { loadCitizenProfile, meetsLevel, requireCitizen, type Citizen, type TrustLevel } from '../identity/index.ts';
import { findMunicipality } from '../municipalities/index.ts';
import {
  findOwnApplication, findProcedure, findReceipt, listEvents, listOwnApplications, type ApplicationOwner, type ApplicationRow,
} from './applications.repository.ts';
import { attachUploads, removeUpload } from './attach-uploads.ts';
import { deleteOwnDraft } from './delete-draft.ts';
import { multipartRouteConfig, readMultipartForm } from '../../platform/http/multipart.ts';
import { readUpload, sendDownload } from '../../platform/uploads/index.ts';
import { prefillValuesOf } from './prefill.ts';
import { saveStep } from './save-step.ts';
import { startApplication } from './start-application.ts';
import { payApplication } from './pay-application.ts';
import { feeFor, submitApplication } from './submit-application.ts';
import { allowPaymentFormTargets, paymentsFor, presentFee } from '../payments/index.ts';

const VIEWS = 'modules/applications/views';
const idParam = z.object({ id: z.uuid() });
const stepParams = z.object({ id: z.uuid(), stepId: z.string().max(80) });
const startBody = z.object({ ags: z.string().regex(/^\d{8}$/), startKey: z.uuid(), prefill: z.literal('ja').optional() });
/** A posted step form as fields (url-encoded: every value a text or a list of texts). */
const stepFields = z.record(z.string().max(300), z.union([z.string(), z.array(z.string())]));
/**
 * Sent by public/app.js with a step once the page shows what the conditions decide for its current
 * answers: questions that appeared while the person answered were seen, so they are not listed
 * again as new ones (without JavaScript the field is never sent).
 */
const SHOWN_LIVE = '_live';

/** Whom an application belongs to: the person, or the organisation the person acts for (business account). */
export function ownerOf(citizen: Citizen): ApplicationOwner {
  return { accountId: citizen.id, organisationId: citizen.organisationId };
}

function stepUpUrl(level: TrustLevel, returnTo: string): string {
  return `/anmelden?niveau=${level}&weiter=${encodeURIComponent(returnTo)}`;
}

/**
 * Whether a step has file fields, shown or not yet: its form is then always sent as multipart, so a
 * file field that a condition reveals works whether or not it was on the page at first.
 */
function stepHasFiles(definition: FormDefinition, stepId: string): boolean {
  const has = (items: FormItem[]): boolean => items.some((i) => (i.kind === 'field' && i.type === 'file') || (i.kind === 'group' && has(i.items)));
  return has(definition.steps.find((s) => s.id === stepId)?.items ?? []);
}

/** Error texts in the page's language, linked to the field ids. */
export function errorList(errors: FieldError[], req: FastifyRequest): { field: string; message: string }[] {
  return errors.map((e) => ({ field: e.fieldId, message: messageText(e.message, req) }));
}

/** Engine messages come in both languages. */
function messageText(message: FieldError['message'], req: FastifyRequest): string {
  return localize(message, req.locale);
}


export async function applicationsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(applicationsApiRoutes, deps);
  const { db, cipher, config } = deps;
  const baseUrlOf = (req: FastifyRequest) => config.publicUrl ?? `${req.protocol}://${req.host}`;

  /** The logged-in person's application named in the URL, or NOT_FOUND. */
  async function ownApplication(req: FastifyRequest, citizen: Citizen): Promise<ApplicationRow> {
    const params = idParam.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const application = await findOwnApplication(db, ownerOf(citizen), params.data.id);
    if (!application) throw new DomainError('NOT_FOUND');
    return application;
  }

  /** The trust level the procedure needs when the person's login is below it, else null. */
  async function missingLevel(citizen: Citizen, procedureId: string): Promise<TrustLevel | null> {
    const procedure = await findProcedure(db, procedureId);
    return procedure && !meetsLevel(citizen.level, procedure.minTrustLevel) ? procedure.minTrustLevel : null;
  }

  /** Sends a person below the procedure's level to log in again at that level; true when it did. */
  async function stepUpIfNeeded(req: FastifyRequest, reply: FastifyReply, citizen: Citizen, procedureId: string): Promise<boolean> {
    const level = await missingLevel(citizen, procedureId);
    if (level) await reply.redirect(stepUpUrl(level, req.url.split('?')[0] ?? '/antraege'), 303);
    return level !== null;
  }

  function answersOf(application: ApplicationRow): Answers {
    return JSON.parse(cipher.decrypt(application.answersEnc)) as Answers;
  }

  async function prefilledIds(application: ApplicationRow, definition: FormDefinition): Promise<string[]> {
    if (!application.prefillConsent || !application.accountId) return [];
    const profile = await loadCitizenProfile(db, cipher, application.accountId);
    return profile ? applyPrefill(definition, {}, prefillValuesOf(profile)).prefilledIds : [];
  }

  app.get('/antraege', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const applications = await listOwnApplications(db, ownerOf(citizen));
    return reply.page(`${VIEWS}/list.njk`, {
      pageTitle: req.t('applications.list.title'),
      drafts: applications.filter((a) => a.status === 'draft'),
      submitted: applications.filter((a) => a.status !== 'draft'),
    });
  });

  // What the procedure is, who is responsible for the chosen municipality, what it costs and which
  // level of login it needs; the start button for a logged-in person at that level.
  app.get<{ Params: { procedureId: string } }>('/antraege/neu/:procedureId', async (req, reply) => {
    if (!z.uuid().safeParse(req.params.procedureId).success) throw new DomainError('NOT_FOUND');
    const procedure = await findProcedure(db, req.params.procedureId);
    if (!procedure) throw new DomainError('NOT_FOUND');
    const municipality = await chosenMunicipality(db, req);
    const authority = municipality ? await findResponsibleAuthority(db, procedure.leikaKey, municipality.ags) : undefined;
    const definition = await deps.formVersions.load(db, procedure.formId, procedure.formVersion);
    const here = `/antraege/neu/${procedure.id}${municipality ? `?ags=${municipality.ags}` : ''}`;
    return reply.page(`${VIEWS}/start.njk`, {
      pageTitle: req.t('applications.start.title', { name: procedure.name }),
      procedure, municipality, authority, here,
      responsible: Boolean(authority && authority.tenantId === procedure.tenantId),
      intro: definition.intro ? localize(definition.intro, req.locale) : null,
      steps: definition.steps.map((s) => localize(s.title, req.locale)),
      citizen: req.citizen ?? null,
      levelMet: req.citizen ? meetsLevel(req.citizen.level, procedure.minTrustLevel) : false,
      loginUrl: stepUpUrl(procedure.minTrustLevel, here),
      startKey: randomUUID(),
    });
  });

  app.post<{ Params: { procedureId: string } }>('/antraege/neu/:procedureId', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    if (!z.uuid().safeParse(req.params.procedureId).success) throw new DomainError('NOT_FOUND');
    const input = startBody.safeParse(req.body);
    if (!input.success || !(await findMunicipality(db, input.data.ags))) throw new DomainError('BAD_REQUEST');
    const result = await startApplication({ db, cipher, formVersions: deps.formVersions, draftRetentionDays: config.applications.draftRetentionDays }, {
      procedureId: req.params.procedureId, ags: input.data.ags, owner: ownerOf(citizen), trustLevel: citizen.level,
      startKey: input.data.startKey, prefillConsent: input.data.prefill === 'ja',
    });
    if (result.ok) return reply.redirect(`/antraege/${result.value.applicationId}`, 303);
    if (result.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
    if (result.code === 'LEVEL_TOO_LOW') return reply.redirect(stepUpUrl(result.needed, `/antraege/neu/${req.params.procedureId}?ags=${input.data.ags}`), 303);
    return reply.redirect(`/antraege/neu/${req.params.procedureId}?ags=${input.data.ags}`, 303);
  });

  // A draft: continue where the person stopped. A submitted application: its status and history.
  app.get('/antraege/:id', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    if (application.status === 'draft') {
      if (await stepUpIfNeeded(req, reply, citizen, application.procedureId)) return reply;
      const definition = await deps.formVersions.load(db, application.formId, application.formVersion);
      const steps = visibleSteps(definition, answersOf(application));
      const step = steps.find((s) => s.id === application.currentStep) ?? steps[0];
      return reply.redirect(`/antraege/${application.id}/schritte/${step?.id ?? ''}`, 303);
    }
    const [events, receipt] = await Promise.all([listEvents(db, application.id), findReceipt(db, application.id)]);
    return reply.page(`${VIEWS}/status.njk`, {
      pageTitle: req.t('applications.status.title', { reference: application.reference ?? '' }),
      application, events, receiptReady: receipt !== undefined,
      received: (req.query as Record<string, unknown>).eingegangen === '1',
    });
  });

  /**
   * The person's draft and the visible step named in the URL; instead, `submitted` when the
   * application is no longer a draft, or `step-up` with the trust level the procedure needs above the login's.
   * @throws DomainError NOT_FOUND for another person's application or an unknown or hidden step.
   */
  async function findDraftStep(req: FastifyRequest, citizen: Citizen) {
    const application = await ownApplication(req, citizen);
    if (application.status !== 'draft') return { kind: 'submitted', applicationId: application.id } as const;
    const level = await missingLevel(citizen, application.procedureId);
    if (level) return { kind: 'step-up', level } as const;
    const params = stepParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const definition = await deps.formVersions.load(db, application.formId, application.formVersion);
    const answers = answersOf(application);
    if (!visibleSteps(definition, answers).some((s) => s.id === params.data.stepId)) throw new DomainError('NOT_FOUND');
    return { kind: 'draft', citizen, application, definition, stepId: params.data.stepId, answers } as const;
  }

  /**
   * The logged-in person's draft and the visible step named in the URL, at the procedure's trust
   * level; null after a redirect (login, step-up, or the application is no longer a draft).
   * @throws DomainError NOT_FOUND for another person's application or an unknown or hidden step.
   */
  async function openDraftStep(req: FastifyRequest, reply: FastifyReply) {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return null;
    const draft = await findDraftStep(req, citizen);
    if (draft.kind === 'submitted') {
      await reply.redirect(`/antraege/${draft.applicationId}`, 303);
      return null;
    }
    if (draft.kind === 'step-up') {
      await reply.redirect(stepUpUrl(draft.level, req.url.split('?')[0] ?? '/antraege'), 303);
      return null;
    }
    return draft;
  }

  app.get('/antraege/:id/schritte/:stepId', async (req, reply) => {
    const draft = await openDraftStep(req, reply);
    if (!draft) return reply;
    return renderStep(req, reply, draft.application, draft.definition, draft.stepId, { answers: draft.answers, raw: {}, errors: [] }, 200);
  });

  /** Whether the step was opened with a change link of the check page (`?pruefen=1`): continuing returns there. */
  const returnsToCheck = (req: FastifyRequest) => (req.query as Record<string, unknown>).pruefen === '1';

  async function renderStep(
    req: FastifyRequest, reply: FastifyReply, application: ApplicationRow, definition: FormDefinition, stepId: string,
    state: { answers: Answers; raw: Record<string, string | string[]>; errors: FieldError[]; revealed?: { label: string; target: string }[] }, status: number,
  ) {
    const steps = visibleSteps(definition, state.answers);
    const index = steps.findIndex((s) => s.id === stepId);
    const step = buildStepView(definition, stepId, {
      answers: state.answers, raw: state.raw, errors: state.errors, locale: req.locale,
      prefilledIds: await prefilledIds(application, definition), withHidden: true,
    });
    return reply.page(`${VIEWS}/step.njk`, {
      pageTitle: `${state.errors.length ? `${req.t('form.errorPrefix')} ` : ''}${localize(steps[index]?.title ?? definition.title, req.locale)} – ${application.procedureName}`,
      application, step, revealed: state.revealed ?? [], returnToCheck: returnsToCheck(req), formTitle: localize(definition.title, req.locale), hasFiles: stepHasFiles(definition, stepId),
      stepNumber: index + 1, stepCount: steps.length,
      previousUrl: returnsToCheck(req) ? `/antraege/${application.id}/pruefen` : index > 0 ? `/antraege/${application.id}/schritte/${steps[index - 1]?.id}` : null,
    }, status);
  }

  // A step with file fields is posted as multipart (up to 30 files, each within the global limit;
  // the field's own limits are checked by attachUploads).
  app.post('/antraege/:id/schritte/:stepId', { config: multipartRouteConfig({ maxFiles: 30 }) }, async (req, reply) => {
    const draft = await openDraftStep(req, reply);
    if (!draft) return reply;
    const { citizen, application, definition, stepId, answers: previous } = draft;
    const form = readMultipartForm(req);
    const read = readStepAnswers(definition, stepId, form.fields, previous);
    if (read.action.kind === 'remove-file') await removeUpload(db, application.tenantId, read.action.uploadId);
    const uploadErrors = await attachUploads({ db, tenantKeys: deps.tenantKeys, scanner: deps.malwareScanner }, {
      definition, stepId, tenantId: application.tenantId, applicationId: application.id, answers: read.answers, files: form.files,
    });
    // Saved at every step, also when the step still has errors: nothing typed or uploaded is lost.
    await saveStep({ db, cipher, draftRetentionDays: config.applications.draftRetentionDays }, {
      application, answers: read.answers, currentStep: stepId, trustLevel: citizen.level,
    });
    const fileErrors: FieldError[] = uploadErrors.map((e) => ({ fieldId: e.fieldId, path: e.fieldId.replace(/^f\./, ''), stepId: e.stepId, itemId: e.fieldId.split('.').pop() ?? e.fieldId, code: e.code, message: e.message }));
    if (read.action.kind !== 'continue') {
      return renderStep(req, reply, application, definition, stepId, { answers: read.answers, raw: read.raw, errors: fileErrors }, fileErrors.length ? 400 : 200);
    }
    const errors = [...fileErrors, ...validateStep(definition, stepId, read.answers, read.raw).filter((e) => !fileErrors.some((f) => f.fieldId === e.fieldId))];
    // Questions the answers have just revealed on this step (a secondary residence asks for the main
    // one) are asked, not reported as missing: the person has not seen them yet.
    const revealed = form.fields[SHOWN_LIVE] === '1' ? [] : newlyShownQuestions(definition, stepId, previous, read, req.locale);
    const unseen = (e: FieldError) => !fileErrors.includes(e) && revealed.some((f) => e.fieldId === f.name || e.fieldId.startsWith(`${f.name}.`));
    if (errors.some(unseen)) {
      const remaining = errors.filter((e) => !unseen(e));
      return renderStep(req, reply, application, definition, stepId, { answers: read.answers, raw: read.raw, errors: remaining, revealed }, remaining.length > 0 ? 400 : 200);
    }
    if (errors.length > 0) return renderStep(req, reply, application, definition, stepId, { answers: read.answers, raw: read.raw, errors }, 400);
    const steps = visibleSteps(definition, read.answers);
    if (returnsToCheck(req)) {
      // Changed from the check page: back there, unless the change leaves a step to answer (one it
      // revealed, or one its answers now fail), which comes first.
      const open = steps.find((s) => validateStep(definition, s.id, read.answers).length > 0);
      if (open) {
        await saveStep({ db, cipher, draftRetentionDays: config.applications.draftRetentionDays }, {
          application, answers: read.answers, currentStep: open.id, trustLevel: citizen.level,
        });
      }
      return reply.redirect(open ? `/antraege/${application.id}/schritte/${open.id}?pruefen=1` : `/antraege/${application.id}/pruefen`, 303);
    }
    const next = steps[steps.findIndex((s) => s.id === stepId) + 1];
    if (next) {
      await saveStep({ db, cipher, draftRetentionDays: config.applications.draftRetentionDays }, {
        application, answers: read.answers, currentStep: next.id, trustLevel: citizen.level,
      });
      return reply.redirect(`/antraege/${application.id}/schritte/${next.id}`, 303);
    }
    return reply.redirect(`/antraege/${application.id}/pruefen`, 303);
  });

  // What the step shows for the answers on the page as the person changes them (public/app.js): the
  // step's fields are read as a save reads them, over the saved draft, and the form engine decides;
  // nothing is stored. Guarded like the step itself (the owner, CSRF, the platform's rate limit).
  app.post('/antraege/:id/schritte/:stepId/bedingungen', async (req) => {
    if (!req.citizen) throw new DomainError('UNAUTHENTICATED');
    const draft = await findDraftStep(req, req.citizen);
    if (draft.kind === 'submitted') throw new DomainError('NOT_FOUND');
    if (draft.kind === 'step-up') throw new DomainError('UNAUTHENTICATED');
    const fields = stepFields.safeParse(req.body ?? {});
    if (!fields.success) throw new DomainError('BAD_REQUEST', 'step fields expected', { invalidParams: invalidParamsOf(fields.error) });
    const read = readStepAnswers(draft.definition, draft.stepId, fields.data, draft.answers);
    return conditionStates(draft.definition, draft.stepId, read);
  });

  /** Fields shown for the posted answers that the page did not show, and that were not posted with a value. */
  function newlyShownQuestions(definition: FormDefinition, stepId: string, previous: Answers, read: { answers: Answers; raw: Record<string, string | string[]> }, locale: 'de' | 'en') {
    const shownBefore = new Set(shownFields(definition, stepId, { answers: previous, raw: read.raw, locale }).map((f) => f.name));
    const posted = (name: string) => Object.entries(read.raw).some(([key, value]) =>
      (key === name || key.startsWith(`${name}.`)) && (Array.isArray(value) ? value : [value]).some((v) => v.trim() !== ''));
    return shownFields(definition, stepId, { answers: read.answers, raw: read.raw, locale }).filter((f) => !shownBefore.has(f.name) && !posted(f.name));
  }

  // The applicant's own uploads, as attachments (never rendered inline on this origin).
  app.get('/antraege/:id/dateien/:uploadId', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    const uploadId = z.uuid().safeParse((req.params as { uploadId?: string }).uploadId);
    if (!uploadId.success) throw new DomainError('NOT_FOUND');
    const definition = await deps.formVersions.load(db, application.formId, application.formVersion);
    // Only a file the application refers to: an upload id alone opens nothing.
    if (!collectFiles(definition, answersOf(application)).some((f) => f.file.uploadId === uploadId.data)) throw new DomainError('NOT_FOUND');
    const upload = await readUpload(db, deps.tenantKeys, application.tenantId, uploadId.data);
    if (!upload) throw new DomainError('NOT_FOUND');
    return sendDownload(reply, { fileName: upload.fileName, mediaType: upload.mediaType, bytes: upload.bytes, disposition: 'attachment' });
  });

  /**
   * The check page: every answer with its change link, the fee (shown before the applicant
   * commits) and either the submit button or, where the fee is paid first, the pay button.
   */
  async function renderCheck(
    req: FastifyRequest, reply: FastifyReply, application: ApplicationRow,
    state: { errors?: { field: string; message: string; href?: string }[]; notResponsible?: unknown; paymentRequired?: boolean } = {}, status = 200,
  ) {
    const [definition, procedure] = await Promise.all([deps.formVersions.load(db, application.formId, application.formVersion), findProcedure(db, application.procedureId)]);
    const answers = answersOf(application);
    const fee = procedure ? presentFee(feeFor(procedure.feeSchedule, answers), req.locale) : null;
    const payFirst = Boolean(procedure && procedure.paymentTiming === 'before_submission' && fee && !fee.free);
    const payments = payFirst ? await paymentsFor(db, application.tenantId, 'application', application.id) : [];
    const paid = payments.filter((p) => p.status === 'paid').reduce((sum, p) => sum + p.amountCents, 0);
    if (payFirst) allowPaymentFormTargets(reply, deps.payments);
    const errors = state.errors ?? [];
    return reply.page(`${VIEWS}/check.njk`, {
      pageTitle: `${errors.length || state.paymentRequired ? `${req.t('form.errorPrefix')} ` : ''}${req.t('applications.check.title')}`,
      application, formTitle: localize(definition.title, req.locale),
      summary: buildSummaryView(definition, answers, req.locale),
      fee, payFirst, paidInFull: payFirst && fee !== null && paid >= fee.totalCents, payments,
      paymentTiming: procedure?.paymentTiming ?? 'none',
      errors, notResponsible: state.notResponsible ?? null, paymentRequired: state.paymentRequired ?? false,
    }, status);
  }

  app.get('/antraege/:id/pruefen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    if (application.status !== 'draft') return reply.redirect(`/antraege/${application.id}`, 303);
    if (await stepUpIfNeeded(req, reply, citizen, application.procedureId)) return reply;
    const notice = (req.query as Record<string, unknown>).zahlung;
    return renderCheck(req, reply, application, { paymentRequired: notice === 'offen' });
  });

  const submitDeps = (req: FastifyRequest) => ({ db, cipher, formVersions: deps.formVersions, catalogCache: deps.catalogCache, mail: deps.mail, publicUrl: baseUrlOf(req), receiptJob: deps.jobs.receipt, onSubmitted: deps.onSubmitted });

  /** Errors that link to the step page where each field is. */
  function stepErrors(req: FastifyRequest, application: ApplicationRow, errors: FieldError[]) {
    return errors.map((e) => ({ field: e.fieldId, message: messageText(e.message, req), href: `/antraege/${application.id}/schritte/${e.stepId}#${e.fieldId}` }));
  }

  app.post('/antraege/:id/absenden', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    const result = await submitApplication(submitDeps(req), {
      applicationId: application.id, owner: ownerOf(citizen), trustLevel: citizen.level, requestId: req.id,
    });
    if (result.ok) return reply.redirect(`/antraege/${application.id}?eingegangen=1`, 303);
    if (result.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
    if (result.code === 'LEVEL_TOO_LOW') return reply.redirect(stepUpUrl(result.needed, `/antraege/${application.id}/pruefen`), 303);
    if (result.code === 'INVALID') return renderCheck(req, reply, application, { errors: stepErrors(req, application, result.errors) }, 400);
    if (result.code === 'PAYMENT_REQUIRED') return renderCheck(req, reply, application, { paymentRequired: true }, 409);
    return renderCheck(req, reply, application, { notResponsible: result.authority ?? { name: null } }, 409);
  });

  // Pay the fee first: the payment platform's page, then back to /zahlung.
  app.post('/antraege/:id/bezahlen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    const result = await payApplication({ ...submitDeps(req), payments: deps.payments }, {
      applicationId: application.id, owner: ownerOf(citizen), trustLevel: citizen.level, baseUrl: deps.payments.baseUrlOf(req),
    });
    if (result.ok) {
      allowPaymentFormTargets(reply, deps.payments);
      return reply.redirect(result.value.redirectUrl, 303);
    }
    if (result.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
    if (result.code === 'LEVEL_TOO_LOW') return reply.redirect(stepUpUrl(result.needed, `/antraege/${application.id}/pruefen`), 303);
    if (result.code === 'INVALID') return renderCheck(req, reply, application, { errors: stepErrors(req, application, result.errors) }, 400);
    return reply.redirect(`/antraege/${application.id}/pruefen`, 303);
  });

  // Where the payment platform sends the payer back: submitted once the payment is booked.
  app.get('/antraege/:id/zahlung', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    if (application.status !== 'draft') return reply.redirect(`/antraege/${application.id}?eingegangen=1`, 303);
    const payments = await paymentsFor(db, application.tenantId, 'application', application.id);
    const latest = payments[0];
    if (latest?.status === 'paid') {
      // The payment is booked; the submission follows in a moment (a job), or now if it can.
      const result = await submitApplication(submitDeps(req), { applicationId: application.id, owner: ownerOf(citizen), trustLevel: citizen.level, requestId: req.id });
      if (result.ok) return reply.redirect(`/antraege/${application.id}?eingegangen=1`, 303);
    }
    return reply.page(`${VIEWS}/payment-return.njk`, {
      pageTitle: req.t('applications.payment.title'), application, payment: latest ?? null,
    });
  });

  app.get('/antraege/:id/eingangsbestaetigung.pdf', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const application = await ownApplication(req, citizen);
    const receipt = application.status === 'draft' ? undefined : await findReceipt(db, application.id);
    if (!receipt) throw new DomainError('NOT_FOUND');
    const pdf = Buffer.from(cipher.decrypt(receipt), 'base64');
    return reply
      .header('Content-Type', 'application/pdf')
      .header('Content-Disposition', `attachment; filename="Eingangsbestaetigung-${application.reference}.pdf"`)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  });

  app.post('/antraege/:id/loeschen', async (req, reply) => {
    const citizen = requireCitizen(req, reply);
    if (!citizen) return reply;
    const params = idParam.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    if (!(await deleteOwnDraft(db, ownerOf(citizen), params.data.id, req.id))) throw new DomainError('NOT_FOUND');
    return reply.redirect('/antraege?geloescht=1', 303);
  });
}
