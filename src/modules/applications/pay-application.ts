/**
 * Paying an application's fee before submission: the answers must be complete first (nothing is
 * charged for an application that could not be submitted), then the payment module sends the
 * payer to the payment platform. When the platform reports the payment as paid, the outcome
 * handler submits the application; a cancelled or failed payment leaves the draft with its
 * payment open and resumable (a second start resumes the open payment).
 */
import type { Tx } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import type { Answers } from '../forms/form-definition.ts';
import { validateAnswers, type FieldError } from '../forms/index.ts';
import { meetsLevel } from '../identity/index.ts';
import { registerPaymentOutcomeHandler, startPayment, type PaymentsRuntime } from '../payments/index.ts';
import { findOwnApplication, findProcedure, type ApplicationOwner } from './applications.repository.ts';
import { feeFor, submitPaidApplication, type SubmitDeps } from './submit-application.ts';

export type PayResult =
  | { ok: true; value: { redirectUrl: string } }
  | { ok: false; code: 'NOT_FOUND' | 'NO_FEE' }
  | { ok: false; code: 'LEVEL_TOO_LOW'; needed: TrustLevel }
  | { ok: false; code: 'INVALID'; errors: FieldError[] };

/** Starts (or resumes) the payment of the owner's draft. @throws when the database or the payment platform fails. */
export async function payApplication(
  deps: SubmitDeps & { payments: PaymentsRuntime },
  input: { applicationId: string; owner: ApplicationOwner; trustLevel: TrustLevel; baseUrl: string },
): Promise<PayResult> {
  const application = await findOwnApplication(deps.db, input.owner, input.applicationId);
  if (!application || application.status !== 'draft') return { ok: false, code: 'NOT_FOUND' };
  const procedure = await findProcedure(deps.db, application.procedureId);
  if (!procedure) return { ok: false, code: 'NOT_FOUND' };
  if (!meetsLevel(input.trustLevel, procedure.minTrustLevel)) return { ok: false, code: 'LEVEL_TOO_LOW', needed: procedure.minTrustLevel };
  const definition = await deps.formVersions.load(deps.db, application.formId, application.formVersion);
  const answers = JSON.parse(deps.cipher.decrypt(application.answersEnc)) as Answers;
  const errors = validateAnswers(definition, answers);
  if (errors.length > 0) return { ok: false, code: 'INVALID', errors };
  const fee = feeFor(procedure.feeSchedule, answers);
  if (procedure.paymentTiming !== 'before_submission' || fee.totalCents === 0) return { ok: false, code: 'NO_FEE' };
  const started = await startPayment({ db: deps.db, payments: deps.payments }, {
    tenantId: application.tenantId, payableKind: 'application', payableId: application.id, amountCents: fee.totalCents,
    purpose: `Antrag ${procedure.name}`, returnUrl: `/antraege/${application.id}/zahlung`, baseUrl: input.baseUrl,
  });
  return { ok: true, value: { redirectUrl: started.redirectUrl } };
}

/** Lets the payment module submit an application once its fee is paid. Call once at start. */
export function registerApplicationPayments(deps: SubmitDeps): void {
  registerPaymentOutcomeHandler('application', async (tx: Tx, event) => {
    if (event.status !== 'paid') return;
    await submitPaidApplication(tx, deps, event.payableId);
  });
}
