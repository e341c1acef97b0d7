/** Input of the form library's pages; messages are catalog keys. */
import { z } from 'zod';

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
};

/** Settings of a procedure built on a form. */
export const procedureSettingsForm = z.object(settingsFields);

/** Offering a form as an online procedure for a service. */
export const offerProcedureForm = z.object({
  ...settingsFields,
  leikaKey: z.string({ error: 'formLibrary.procedure.leikaKey.invalid' }).trim().regex(/^\d{14}$/, 'formLibrary.procedure.leikaKey.invalid'),
  name: z.string({ error: 'formLibrary.procedure.name.required' }).trim().min(1, 'formLibrary.procedure.name.required').max(200, 'formLibrary.procedure.name.tooLong'),
});

export const OFFER_FIELDS = ['leikaKey', 'name', 'formVersion', 'minTrustLevel', 'processingDays', 'contact'] as const;
