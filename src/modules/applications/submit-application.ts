/**
 * Submits a draft: all answers valid, routed to the authority the finder names for the applicant's
 * municipality, an application number, the first history entry, the receipt job and a content-free
 * e-mail notice — all in one transaction. Idempotent: a double click, a retry after a timeout or a
 * replayed request finds the application already submitted and answers with the same result.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import { enqueueJob, type JobDefinition } from '../../platform/jobs/queue.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import type { Answers } from '../forms/form-definition.ts';
import { validateAnswers, type FieldError } from '../forms/index.ts';
import { loadCitizenProfile, meetsLevel } from '../identity/index.ts';
import { findOwnApplication, findProcedure, insertEvent, markSubmitted, type ApplicationOwner } from './applications.repository.ts';
import { loadFormVersion } from './load-form.ts';
import { checkResponsibility } from './start-application.ts';
import type { ResponsibleAuthority } from '../catalog/index.ts';

export interface SubmitDeps {
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
  publicUrl: string;
  /** Produces the sealed PDF receipt after commit (`createReceiptJob`). */
  receiptJob: JobDefinition;
}

export interface SubmitInput {
  applicationId: string;
  owner: ApplicationOwner;
  trustLevel: TrustLevel;
  requestId: string;
}

export type SubmitResult =
  | { ok: true; value: { reference: string; alreadySubmitted: boolean } }
  | { ok: false; code: 'NOT_FOUND' }
  | { ok: false; code: 'INVALID'; errors: FieldError[] }
  | { ok: false; code: 'LEVEL_TOO_LOW'; needed: TrustLevel }
  | { ok: false; code: 'NOT_RESPONSIBLE'; authority: ResponsibleAuthority | undefined };

/** Submits the owner's draft. @throws when the database fails (nothing is written). */
export async function submitApplication(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const { db, cipher } = deps;
  return db.transaction().execute(async (tx): Promise<SubmitResult> => {
    // The row lock serialises concurrent submits of the same draft: the second sees it submitted.
    const application = await findOwnApplication(tx, input.owner, input.applicationId, { forUpdate: true });
    if (!application) return { ok: false, code: 'NOT_FOUND' };
    if (application.status !== 'draft') {
      return { ok: true, value: { reference: application.reference ?? '', alreadySubmitted: true } };
    }
    const procedure = await findProcedure(tx, application.procedureId);
    if (!procedure) return { ok: false, code: 'NOT_FOUND' };
    if (!meetsLevel(input.trustLevel, procedure.minTrustLevel)) return { ok: false, code: 'LEVEL_TOO_LOW', needed: procedure.minTrustLevel };
    const definition = await loadFormVersion(tx, application.formId, application.formVersion);
    const answers = JSON.parse(cipher.decrypt(application.answersEnc)) as Answers;
    const errors = validateAnswers(definition, answers);
    if (errors.length > 0) return { ok: false, code: 'INVALID', errors };
    // Routing is checked again: responsibilities may have changed since the draft was started.
    const responsibility = await checkResponsibility(tx, procedure, application.ags);
    if (!responsibility.ok) return { ok: false, code: 'NOT_RESPONSIBLE', authority: responsibility.authority };

    const submitted = await markSubmitted(tx, application.id, { answersEnc: application.answersEnc, trustLevel: input.trustLevel, tenantId: procedure.tenantId });
    if (!submitted) throw new Error('draft changed while locked');
    await insertEvent(tx, { applicationId: application.id, tenantId: procedure.tenantId, status: 'submitted', actorType: 'citizen', actorId: input.owner.accountId, trustLevel: input.trustLevel });
    await recordAudit(tx, {
      tenantId: procedure.tenantId, actorType: 'citizen', actorId: input.owner.accountId, action: 'application.submitted',
      subjectType: 'application', subjectId: application.id, requestId: input.requestId,
      details: { procedureId: procedure.id, formVersion: application.formVersion, trustLevel: input.trustLevel },
    });
    await enqueueJob(tx, deps.receiptJob, { applicationId: application.id }, { tenantId: procedure.tenantId, idempotencyKey: `receipt:${application.id}` });
    if (application.accountId) {
      const profile = await loadCitizenProfile(tx, cipher, application.accountId);
      // The notice says only that something arrived: the content stays on the platform.
      if (profile?.email) {
        await deps.mail.queue(tx, {
          to: profile.email, tenantId: procedure.tenantId,
          subject: 'Ihr Antrag ist eingegangen / Your application has been received',
          text: [
            'Guten Tag,', '', `Ihr Antrag ${submitted.reference} ist bei der zuständigen Behörde eingegangen.`,
            `Den Stand und Ihre Eingangsbestätigung finden Sie in Ihrem Konto: ${deps.publicUrl}/antraege`, '',
            'Hello,', '', `Your application ${submitted.reference} has been received by the responsible authority.`,
            `See its status and your receipt in your account: ${deps.publicUrl}/antraege`,
          ].join('\n'),
        });
      }
    }
    return { ok: true, value: { reference: submitted.reference, alreadySubmitted: false } };
  });
}
