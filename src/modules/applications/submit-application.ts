/**
 * Submits a draft: all answers valid, the fee paid where the procedure wants it before submission,
 * routed to the authority the finder names for the applicant's municipality, an application
 * number, the first history entry, the receipt job and a content-free e-mail notice — all in one
 * transaction. Idempotent: a double click, a retry after a timeout or a replayed request finds the
 * application already submitted and answers with the same result. The payment module submits a
 * paid application the same way (`submitPaidApplication`), with the trust level of the draft.
 */
import { auditEventWrite } from '../../platform/audit/audit.ts';
import type { VersionedCache } from '../../platform/cache/versioned-cache.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import { writeTogether, type Write } from '../../platform/db/write-together.ts';
import { jobWrite, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import type { ResponsibleAuthority } from '../catalog/index.ts';
import type { Answers, FormDefinition } from '../forms/form-definition.ts';
import { validateAnswers, type FieldError } from '../forms/index.ts';
import { applicantContact, meetsLevel } from '../identity/index.ts';
import { computeFee, feeSchedule, paymentsFor } from '../payments/index.ts';
import { findOwnApplicationForSubmission, findProcedure, findApplicationForUpdate, eventWrite, markSubmitted, type ApplicationOwner, type ApplicationRow, type ProcedureForStart } from './applications.repository.ts';
import type { FormVersions } from './load-form.ts';
import { checkResponsibility } from './start-application.ts';

export interface SubmitDeps {
  db: Db;
  cipher: FieldCipher;
  formVersions: FormVersions;
  /** The catalogue's cache: the routing check reads the authority finder through it. */
  catalogCache: VersionedCache;
  mail: MailService;
  publicUrl: string;
  /** Produces the sealed PDF receipt after commit (`createReceiptJob`). */
  receiptJob: JobDefinition;
  /** Called in the submission transaction (the cases module opens the case here). */
  onSubmitted?: readonly SubmissionListener[];
}

/** What a listener learns about a submission, inside its transaction. */
export interface SubmissionEvent {
  tenantId: string;
  applicationId: string;
  procedureId: string;
  reference: string;
  submittedAt: Date;
  accountId: string | null;
  organisationId: string | null;
  /** Statutory processing time of the procedure in days, when it has one. */
  processingDays: number | null;
  /** The applicant's name as the authority addresses them (`applicantName`), or null. */
  applicantName: string | null;
}

/** Runs in the submission transaction; throwing rolls the submission back. */
export type SubmissionListener = (tx: Tx, event: SubmissionEvent) => Promise<void>;

export interface SubmitInput {
  applicationId: string;
  owner: ApplicationOwner;
  trustLevel: TrustLevel;
  requestId: string;
}

/**
 * What a submission just wrote, as a reader would find it after commit: the application, its form
 * version and procedure (so that callers can show it without reading it again).
 */
export interface SubmittedApplication {
  application: ApplicationRow;
  definition: FormDefinition;
  procedure: ProcedureForStart;
}

export type SubmitResult =
  | { ok: true; value: { reference: string; alreadySubmitted: boolean; submitted?: SubmittedApplication } }
  | { ok: false; code: 'NOT_FOUND' }
  | { ok: false; code: 'INVALID'; errors: FieldError[] }
  | { ok: false; code: 'LEVEL_TOO_LOW'; needed: TrustLevel }
  | { ok: false; code: 'PAYMENT_REQUIRED'; amountCents: number }
  | { ok: false; code: 'NOT_RESPONSIBLE'; authority: ResponsibleAuthority | undefined };

/** The fee the answers cost under the procedure's schedule (0 when the procedure is free). */
export function feeFor(schedule: unknown, answers: Answers): { totalCents: number; lines: ReturnType<typeof computeFee>['lines'] } {
  if (schedule == null) return { totalCents: 0, lines: [] };
  return computeFee(feeSchedule.parse(schedule), answers);
}

/** Submits the owner's draft. @throws when the database fails (nothing is written). */
export async function submitApplication(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  return deps.db.transaction().execute(async (tx): Promise<SubmitResult> => {
    // The row lock serialises concurrent submits of the same draft: the second sees it submitted.
    const found = await findOwnApplicationForSubmission(tx, input.owner, input.applicationId);
    if (!found) return { ok: false, code: 'NOT_FOUND' };
    return submitLocked(tx, deps, found.application, found.procedure, { actorType: 'citizen', actorId: input.owner.accountId, trustLevel: input.trustLevel, requestId: input.requestId });
  });
}

/**
 * Submits the draft `applicationId` after its fee was paid (called by the payment outcome job in
 * its transaction), with the trust level the applicant had at the last change. A draft that is no
 * longer valid or routable stays a draft: the applicant sees the payment and submits again.
 */
export async function submitPaidApplication(tx: Tx, deps: SubmitDeps, applicationId: string): Promise<SubmitResult> {
  const application = await findApplicationForUpdate(tx, applicationId);
  if (!application) return { ok: false, code: 'NOT_FOUND' };
  return submitLocked(tx, deps, application, await findProcedure(tx, application.procedureId), { actorType: 'system', actorId: null, trustLevel: application.trustLevel, requestId: undefined });
}

async function submitLocked(
  tx: Tx, deps: SubmitDeps, application: ApplicationRow, procedure: ProcedureForStart | undefined,
  actor: { actorType: 'citizen' | 'system'; actorId: string | null; trustLevel: TrustLevel; requestId: string | undefined },
): Promise<SubmitResult> {
  const { cipher } = deps;
  if (application.status !== 'draft') return { ok: true, value: { reference: application.reference ?? '', alreadySubmitted: true } };
  if (!procedure) return { ok: false, code: 'NOT_FOUND' };
  if (!meetsLevel(actor.trustLevel, procedure.minTrustLevel)) return { ok: false, code: 'LEVEL_TOO_LOW', needed: procedure.minTrustLevel };
  const definition = await deps.formVersions.load(tx, application.formId, application.formVersion);
  const answers = JSON.parse(cipher.decrypt(application.answersEnc)) as Answers;
  const errors = validateAnswers(definition, answers);
  if (errors.length > 0) return { ok: false, code: 'INVALID', errors };
  if (procedure.paymentTiming === 'before_submission') {
    const fee = feeFor(procedure.feeSchedule, answers);
    if (fee.totalCents > 0) {
      const paid = (await paymentsFor(tx, application.tenantId, 'application', application.id))
        .filter((p) => p.status === 'paid').reduce((sum, p) => sum + p.amountCents, 0);
      if (paid < fee.totalCents) return { ok: false, code: 'PAYMENT_REQUIRED', amountCents: fee.totalCents - paid };
    }
  }
  // Routing is checked again: responsibilities may have changed since the draft was started.
  const responsibility = await checkResponsibility(tx, procedure, application.ags, deps.catalogCache);
  if (!responsibility.ok) return { ok: false, code: 'NOT_RESPONSIBLE', authority: responsibility.authority };

  const submitted = await markSubmitted(tx, application.id, { answersEnc: application.answersEnc, trustLevel: actor.trustLevel, tenantId: procedure.tenantId });
  if (!submitted) throw new Error('draft changed while locked');
  const applicant = await applicantContact(tx, cipher, { accountId: application.accountId, organisationId: application.organisationId });
  // The history entry, the audit event, the receipt job and the e-mail notice depend on nothing
  // but what is known now: one statement.
  const writes: Write[] = [
    eventWrite(tx, { applicationId: application.id, tenantId: procedure.tenantId, status: 'submitted', actorType: actor.actorType, actorId: actor.actorId, trustLevel: actor.trustLevel }),
    auditEventWrite(tx, {
      tenantId: procedure.tenantId, actorType: actor.actorType, actorId: actor.actorId, action: 'application.submitted',
      subjectType: 'application', subjectId: application.id, ...(actor.requestId ? { requestId: actor.requestId } : {}),
      details: { procedureId: procedure.id, formVersion: application.formVersion, trustLevel: actor.trustLevel },
    }),
    jobWrite(tx, deps.receiptJob, { applicationId: application.id }, { tenantId: procedure.tenantId, idempotencyKey: `receipt:${application.id}` }),
  ];
  // The notice says only that something arrived: the content stays on the platform.
  if (applicant.email) {
    writes.push(...deps.mail.queueWrites(tx, {
      to: applicant.email, tenantId: procedure.tenantId,
      subject: 'Ihr Antrag ist eingegangen / Your application has been received',
      text: [
        'Guten Tag,', '', `Ihr Antrag ${submitted.reference} ist bei der zuständigen Behörde eingegangen.`,
        `Den Stand und Ihre Eingangsbestätigung finden Sie in Ihrem Konto: ${deps.publicUrl}/antraege`, '',
        'Hello,', '', `Your application ${submitted.reference} has been received by the responsible authority.`,
        `See its status and your receipt in your account: ${deps.publicUrl}/antraege`,
      ].join('\n'),
    }).writes);
  }
  await writeTogether(tx, writes);
  // The listeners come last: opening the case appends to the tenant's case trail, whose head row
  // stays locked until commit and makes every other submission to the tenant wait.
  for (const listener of deps.onSubmitted ?? []) {
    await listener(tx, {
      tenantId: procedure.tenantId, applicationId: application.id, procedureId: procedure.id, reference: submitted.reference,
      submittedAt: submitted.submittedAt, accountId: application.accountId, organisationId: application.organisationId, processingDays: procedure.processingDays,
      applicantName: applicant.name,
    });
  }
  return {
    ok: true,
    value: {
      reference: submitted.reference, alreadySubmitted: false,
      submitted: {
        application: {
          ...application, status: 'submitted', reference: submitted.reference, submittedAt: submitted.submittedAt, updatedAt: submitted.submittedAt,
          trustLevel: actor.trustLevel, tenantId: procedure.tenantId, tenantName: procedure.tenantName, draftExpiresAt: null,
        },
        definition, procedure,
      },
    },
  };
}
