/** Input of the form library's pages; messages are catalog keys. */
import { z } from 'zod';
import { WORKFLOW_NAMES } from '../cases/index.ts';
import { parseEuroCents } from '../forms/index.ts';

export const formIdParam = z.object({ formId: z.uuid() });
export const procedureIdParam = z.object({ procedureId: z.uuid() });

/** A definition pasted or uploaded as JSON text. */
export const definitionForm = z.object({
  tenantId: z.string().min(1),
  definition: z.string({ error: 'formLibrary.definition.required' }).trim().min(1, 'formLibrary.definition.required').max(900_000, 'formLibrary.definition.tooLarge'),
});

export const shareFormInput = z.object({ tenantId: z.string().min(1), shared: z.enum(['true', 'false']).transform((v) => v === 'true') });

const settingsFields = {
  tenantId: z.string().min(1),
  formVersion: z.string({ error: 'formLibrary.procedure.version.required' }).regex(/^\d{1,6}$/, 'formLibrary.procedure.version.required').transform(Number),
  followLatest: z.literal('true').optional().transform((v) => v === 'true'),
  minTrustLevel: z.enum(['niedrig', 'substantiell', 'hoch'], { error: 'formLibrary.procedure.level.required' }),
  processingDays: z.string().trim().max(6).optional().default('')
    .refine((v) => v === '' || /^[1-9]\d{0,4}$/.test(v), 'formLibrary.procedure.processingDays.invalid')
    .transform((v) => (v === '' ? null : Number(v))),
  contact: z.string().trim().max(500, 'formLibrary.procedure.contact.tooLong').optional().default('').transform((v) => v || null),
  /** A fixed fee in euros ("13" or "13,50"); empty: no fee (or, when changing, keep the current rule). */
  fee: z.string().trim().max(20).optional().default('')
    .refine((v) => v === '' || ((parseEuroCents(v) ?? -1) >= 0 && (parseEuroCents(v) ?? 0) <= 100_000_000), 'formLibrary.procedure.fee.invalid')
    .transform((v) => (v === '' ? null : parseEuroCents(v))),
  paymentTiming: z.enum(['none', 'before_submission', 'with_decision'], { error: 'formLibrary.procedure.paymentTiming.required' }).default('none'),
  /** The case workflow (modules/cases/workflow.ts); the form always shows one chosen, so a missing one is an error. */
  workflow: z.enum(WORKFLOW_NAMES, { error: 'formLibrary.procedure.workflow.required' }),
};

/** A fee needs a time to be paid, and a time to pay needs a fee (or a rule already in place). */
function feeAndTiming(v: { fee: number | null; paymentTiming: string }, ctx: z.RefinementCtx, hasRule: boolean): void {
  if (v.fee !== null && v.fee > 0 && v.paymentTiming === 'none') ctx.addIssue({ code: 'custom', path: ['paymentTiming'], message: 'formLibrary.procedure.paymentTiming.required' });
  if ((v.fee === null || v.fee === 0) && !hasRule && v.paymentTiming !== 'none') ctx.addIssue({ code: 'custom', path: ['fee'], message: 'formLibrary.procedure.fee.required' });
}

/** The fee schedule (payments format) for a fixed fee. */
export function fixedFeeSchedule(cents: number): unknown {
  return { currency: 'EUR', items: [{ kind: 'fixed', label: { de: 'Gebühr', en: 'Fee' }, cents }] };
}

/** Settings of a procedure built on a form. */
export const procedureSettingsForm = (hasRule: boolean) => z.object(settingsFields).superRefine((v, ctx) => feeAndTiming(v, ctx, hasRule));

/** Offering a form as an online procedure for a service. */
export const offerProcedureForm = z.object({
  ...settingsFields,
  leikaKey: z.string({ error: 'formLibrary.procedure.leikaKey.invalid' }).trim().regex(/^\d{14}$/, 'formLibrary.procedure.leikaKey.invalid'),
  name: z.string({ error: 'formLibrary.procedure.name.required' }).trim().min(1, 'formLibrary.procedure.name.required').max(200, 'formLibrary.procedure.name.tooLong'),
}).superRefine((v, ctx) => feeAndTiming(v, ctx, false));

export const OFFER_FIELDS = ['leikaKey', 'name', 'formVersion', 'minTrustLevel', 'fee', 'paymentTiming', 'workflow', 'processingDays', 'contact'] as const;
