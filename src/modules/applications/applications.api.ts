/**
 * The applications API for mobile apps (`/api/v1/applications`): start an application, save a
 * step, read it with its history, submit — with the pages' use cases and the form engine's
 * validation, so the API refuses exactly what the pages refuse; evidence is uploaded per step
 * (multipart, checked by content). A person authenticates with an
 * access token from their account page (`Authorization: Bearer`), which carries the trust level
 * of the login that created it. Errors are application/problem+json; invalid answers answer 422
 * naming each field by its path in the answers (`hunde.0.rasse`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { collectFiles, FIELD_PREFIX, localize, readStepAnswers, validateStep, visibleSteps, type Answers, type FieldError, type FormDefinition } from '../forms/index.ts';
import { multipartRouteConfig, readMultipartForm } from '../../platform/http/multipart.ts';
import { attachUploads, DEFAULT_FILE_BYTES } from './attach-uploads.ts';
import { authenticateApiCitizen, meetsLevel, type ApiCitizen } from '../identity/index.ts';
import { findOwnApplication, findProcedure, listEvents, listOwnApplications, type ApplicationEvent, type ApplicationOwner, type ApplicationRow, type ProcedureForStart } from './applications.repository.ts';
import { postedBodyOf } from './posted-values.ts';
import { saveStep } from './save-step.ts';
import { startApplication } from './start-application.ts';
import { feeFor, submitApplication } from './submit-application.ts';

export const startBody = z.object({
  procedureId: z.uuid({ error: 'api.applications.procedureId.invalid' }).meta({ description: 'api.applications.doc.field.procedureId' }),
  ags: z.string().regex(/^\d{8}$/, 'api.applications.ags.invalid').meta({ description: 'api.applications.doc.field.ags' }),
  startKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'api.applications.startKey.invalid').meta({ description: 'api.applications.doc.field.startKey' }),
  prefill: z.boolean().optional().default(false).meta({ description: 'api.applications.doc.field.prefill' }),
}).strict().meta({ description: 'api.applications.doc.schema.start' });
export const stepBody = z.object({
  values: z.record(z.string(), z.unknown()).meta({ description: 'api.applications.doc.field.values' }),
}).strict().meta({ description: 'api.applications.doc.schema.step' });
const idParams = z.object({ id: z.uuid() });
const stepParams = z.object({ id: z.uuid(), stepId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/) });

interface Problem { status: number; code: string; title: string; detail: string; invalidParams?: { name: string; reason: string; code?: string }[]; [extra: string]: unknown }

function problem(req: FastifyRequest, reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').header('cache-control', 'no-store')
    .send({ type: 'about:blank', instance: req.url.split('?')[0], requestId: req.id, ...p });
}

const fieldProblems = (errors: FieldError[], locale: string) => errors.map((e) => ({ name: e.path, reason: localize(e.message, locale), code: e.code }));

/** Registers the routes under /api/v1/applications. */
export async function applicationsApiRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, cipher, config } = deps;
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;

  async function caller(req: FastifyRequest): Promise<ApiCitizen> {
    const who = await authenticateApiCitizen(db, req.headers.authorization);
    if (!who) throw new DomainError('UNAUTHENTICATED');
    return who;
  }
  const ownerOf = (who: ApiCitizen): ApplicationOwner => ({ accountId: who.accountId, organisationId: who.organisationId });
  const answersOf = (a: ApplicationRow): Answers => JSON.parse(cipher.decrypt(a.answersEnc)) as Answers;

  async function own(req: FastifyRequest): Promise<{ who: ApiCitizen; application: ApplicationRow }> {
    const who = await caller(req);
    const params = idParams.safeParse(req.params);
    const application = params.success ? await findOwnApplication(db, ownerOf(who), params.data.id) : undefined;
    if (!application) throw new DomainError('NOT_FOUND');
    return { who, application };
  }

  /**
   * The application as the API shows it. `loaded` is what the caller already holds (a submission
   * just wrote it): then nothing is read again.
   */
  async function present(req: FastifyRequest, application: ApplicationRow, loaded?: { definition: FormDefinition; procedure: ProcedureForStart; history: ApplicationEvent[] }) {
    const definition = loaded?.definition ?? await deps.formVersions.load(db, application.formId, application.formVersion);
    const answers = answersOf(application);
    const procedure = loaded ? loaded.procedure : await findProcedure(db, application.procedureId);
    const fee = procedure ? feeFor(procedure.feeSchedule, answers) : { totalCents: 0, lines: [] };
    return {
      id: application.id, reference: application.reference, status: application.status,
      procedure: { id: application.procedureId, name: application.procedureName, leikaKey: application.leikaKey, minTrustLevel: procedure?.minTrustLevel ?? null, paymentTiming: procedure?.paymentTiming ?? 'none' },
      authority: { id: application.tenantId, name: application.tenantName }, ags: application.ags,
      form: { id: application.formId, version: application.formVersion, href: `/api/v1/services/${application.leikaKey}/form?ags=${application.ags}` },
      currentStep: application.currentStep, steps: visibleSteps(definition, answers).map((s) => ({ id: s.id, title: localize(s.title, req.locale) })),
      answers, feeCents: fee.totalCents, submittedAt: application.submittedAt, updatedAt: application.updatedAt,
      history: (loaded?.history ?? await listEvents(db, application.id)).map((e) => ({ status: e.status, at: e.createdAt, trustLevel: e.trustLevel })),
      links: { self: `/api/v1/applications/${application.id}`, page: `${publicUrl}/antraege/${application.id}` },
    };
  }

  app.get('/api/v1/applications', async (req, reply) => {
    const who = await caller(req);
    const rows = await listOwnApplications(db, ownerOf(who));
    reply.header('cache-control', 'no-store');
    return { items: rows.map((a) => ({ id: a.id, reference: a.reference, status: a.status, procedure: a.procedureName, authority: a.tenantName, updatedAt: a.updatedAt, href: `/api/v1/applications/${a.id}` })) };
  });

  app.post('/api/v1/applications', async (req, reply) => {
    const who = await caller(req);
    const body = startBody.safeParse(req.body ?? {});
    if (!body.success) {
      return problem(req, reply, { status: 400, code: 'BAD_REQUEST', title: req.t('error.badRequest.title'), detail: req.t('error.badRequest.text'),
        invalidParams: body.error.issues.map((i) => ({ name: i.path.map(String).join('.') || '(body)', reason: req.t(i.message.startsWith('api.') ? i.message as 'api.applications.ags.invalid' : 'form.invalid') })) });
    }
    const started = await startApplication({ db, cipher, formVersions: deps.formVersions, draftRetentionDays: config.applications.draftRetentionDays }, {
      procedureId: body.data.procedureId, ags: body.data.ags, owner: ownerOf(who), trustLevel: who.level, startKey: body.data.startKey, prefillConsent: body.data.prefill,
    });
    if (!started.ok) {
      if (started.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND');
      if (started.code === 'LEVEL_TOO_LOW') return problem(req, reply, { status: 403, code: 'LEVEL_TOO_LOW', title: req.t('api.applications.level.title'), detail: req.t('api.applications.level.text', { level: started.needed }), neededLevel: started.needed });
      return problem(req, reply, { status: 409, code: 'NOT_RESPONSIBLE', title: req.t('api.applications.notResponsible.title'), detail: req.t('api.applications.notResponsible.text'), responsibleAuthority: started.authority?.name ?? null });
    }
    const application = (await findOwnApplication(db, ownerOf(who), started.value.applicationId))!;
    reply.code(started.value.created ? 201 : 200).header('location', `/api/v1/applications/${application.id}`).header('cache-control', 'no-store');
    return present(req, application);
  });

  app.get('/api/v1/applications/:id', async (req, reply) => {
    const { application } = await own(req);
    reply.header('cache-control', 'no-store');
    return present(req, application);
  });

  app.put('/api/v1/applications/:id/steps/:stepId', async (req, reply) => {
    const { who, application } = await own(req);
    const params = stepParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    if (application.status !== 'draft') return problem(req, reply, { status: 409, code: 'ALREADY_SUBMITTED', title: req.t('api.applications.submitted.title'), detail: req.t('api.applications.submitted.text') });
    const procedure = await findProcedure(db, application.procedureId);
    if (procedure && !meetsLevel(who.level, procedure.minTrustLevel)) {
      return problem(req, reply, { status: 403, code: 'LEVEL_TOO_LOW', title: req.t('api.applications.level.title'), detail: req.t('api.applications.level.text', { level: procedure.minTrustLevel }), neededLevel: procedure.minTrustLevel });
    }
    const definition = await deps.formVersions.load(db, application.formId, application.formVersion);
    const previous = answersOf(application);
    if (!visibleSteps(definition, previous).some((s) => s.id === params.data.stepId)) throw new DomainError('NOT_FOUND');
    const body = stepBody.safeParse(req.body ?? {});
    const posted = body.success ? postedBodyOf(body.data.values) : { ok: false as const, path: 'values' };
    if (!posted.ok) {
      return problem(req, reply, { status: 400, code: 'BAD_REQUEST', title: req.t('error.badRequest.title'), detail: req.t('error.badRequest.text'), invalidParams: [{ name: posted.path, reason: req.t('api.applications.values.invalid') }] });
    }
    const read = readStepAnswers(definition, params.data.stepId, posted.body, previous);
    const errors = validateStep(definition, params.data.stepId, read.answers, read.raw);
    const steps = visibleSteps(definition, read.answers);
    const next = errors.length === 0 ? steps[steps.findIndex((s) => s.id === params.data.stepId) + 1] : undefined;
    // Saved also with errors, like the pages: nothing sent is lost.
    await saveStep({ db, cipher, draftRetentionDays: config.applications.draftRetentionDays }, {
      application, answers: read.answers, currentStep: next?.id ?? params.data.stepId, trustLevel: who.level,
    });
    if (errors.length > 0) {
      return problem(req, reply, { status: 422, code: 'INVALID_ANSWERS', title: req.t('api.applications.invalid.title'), detail: req.t('api.applications.invalid.text'), invalidParams: fieldProblems(errors, req.locale) });
    }
    reply.header('cache-control', 'no-store');
    return { saved: true, nextStep: next?.id ?? null, complete: next === undefined };
  });

  // Evidence for a step's file fields: multipart, each part named by the field's path in the answers
  // (`ermaessigung_nachweis`, `hunde.0.erlaubnis`); checked by content, scanned, stored encrypted.
  app.post('/api/v1/applications/:id/steps/:stepId/files', { config: multipartRouteConfig({ maxFileBytes: DEFAULT_FILE_BYTES, maxFiles: 10 }) }, async (req, reply) => {
    const { who, application } = await own(req);
    const params = stepParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    if (application.status !== 'draft') return problem(req, reply, { status: 409, code: 'ALREADY_SUBMITTED', title: req.t('api.applications.submitted.title'), detail: req.t('api.applications.submitted.text') });
    const definition = await deps.formVersions.load(db, application.formId, application.formVersion);
    const answers = answersOf(application);
    if (!visibleSteps(definition, answers).some((s) => s.id === params.data.stepId)) throw new DomainError('NOT_FOUND');
    const form = readMultipartForm(req);
    const files = form.files.map((f) => ({ ...f, fieldName: `${FIELD_PREFIX}.${f.fieldName}` }));
    if (files.length === 0) {
      return problem(req, reply, { status: 400, code: 'BAD_REQUEST', title: req.t('error.badRequest.title'), detail: req.t('error.badRequest.text'), invalidParams: [{ name: '(body)', reason: req.t('api.applications.files.none') }] });
    }
    const uploadErrors = await attachUploads({ db, tenantKeys: deps.tenantKeys, scanner: deps.malwareScanner }, {
      definition, stepId: params.data.stepId, tenantId: application.tenantId, applicationId: application.id, answers, files,
    });
    await saveStep({ db, cipher, draftRetentionDays: config.applications.draftRetentionDays }, { application, answers, currentStep: application.currentStep ?? params.data.stepId, trustLevel: who.level });
    if (uploadErrors.length > 0) {
      return problem(req, reply, { status: 422, code: 'INVALID_FILES', title: req.t('api.applications.invalid.title'), detail: req.t('api.applications.invalid.text'),
        invalidParams: uploadErrors.map((e) => ({ name: e.fieldId.replace(/^f\./, ''), reason: localize(e.message, req.locale), code: e.code })) });
    }
    reply.code(201).header('cache-control', 'no-store');
    return { files: collectFiles(definition, answers).map((f) => ({ path: f.fieldId.replace(/^f\./, ''), ...f.file })) };
  });

  app.post('/api/v1/applications/:id/submission', async (req, reply) => {
    // No read of the draft before: the submission reads (and locks) it, and answers NOT_FOUND
    // for an application that is not the caller's.
    const who = await caller(req);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new DomainError('NOT_FOUND');
    const application = { id: params.data.id };
    const result = await submitApplication({ db, cipher, formVersions: deps.formVersions, catalogCache: deps.catalogCache, mail: deps.mail, publicUrl, receiptJob: deps.jobs.receipt, onSubmitted: deps.onSubmitted }, {
      applicationId: application.id, owner: ownerOf(who), trustLevel: who.level, requestId: req.id,
    });
    if (result.ok) {
      reply.header('cache-control', 'no-store');
      const { reference, alreadySubmitted, submitted } = result.value;
      if (submitted) {
        // Just submitted: its history is the one entry the submission wrote.
        const history: ApplicationEvent[] = [{ status: 'submitted', actorType: 'citizen', trustLevel: submitted.application.trustLevel, createdAt: submitted.application.submittedAt ?? new Date() }];
        return { reference, alreadySubmitted, application: await present(req, submitted.application, { definition: submitted.definition, procedure: submitted.procedure, history }) };
      }
      const found = await findOwnApplication(db, ownerOf(who), application.id);
      if (!found) throw new DomainError('NOT_FOUND');
      return { reference, alreadySubmitted, application: await present(req, found) };
    }
    switch (result.code) {
      case 'NOT_FOUND': throw new DomainError('NOT_FOUND');
      case 'INVALID': return problem(req, reply, { status: 422, code: 'INVALID_ANSWERS', title: req.t('api.applications.invalid.title'), detail: req.t('api.applications.invalid.text'), invalidParams: fieldProblems(result.errors, req.locale) });
      case 'LEVEL_TOO_LOW': return problem(req, reply, { status: 403, code: 'LEVEL_TOO_LOW', title: req.t('api.applications.level.title'), detail: req.t('api.applications.level.text', { level: result.needed }), neededLevel: result.needed });
      case 'PAYMENT_REQUIRED': return problem(req, reply, { status: 402, code: 'PAYMENT_REQUIRED', title: req.t('api.applications.payment.title'), detail: req.t('api.applications.payment.text'), amountCents: result.amountCents, payUrl: `${publicUrl}/antraege/${application.id}/pruefen` });
      case 'NOT_RESPONSIBLE': return problem(req, reply, { status: 409, code: 'NOT_RESPONSIBLE', title: req.t('api.applications.notResponsible.title'), detail: req.t('api.applications.notResponsible.text'), responsibleAuthority: result.authority?.name ?? null });
    }
  });
}
