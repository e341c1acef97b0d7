/**
 * Input of the catalogue editor's forms. Messages are i18n keys (`validateForm` translates them).
 */
import { z } from 'zod';
import { isHttpsUrl } from '../../platform/validation/https-url.ts';

/** A LeiKa key in a URL (14 digits). */
export const leikaKeyParam = z.string().regex(/^\d{14}$/);
/** A procedure id in a URL. */
export const procedureIdParam = z.uuid();

/** An optional free text: trimmed, empty becomes null. */
function optionalText(max: number, tooLong: string) {
  return z.string().trim().max(max, tooLong).optional().default('').transform((v) => (v === '' ? null : v));
}

/** The authority's own additions to a service description. */
export const localTextForm = z.object({
  fees: optionalText(2000, 'catalogEditor.text.fees.tooLong'),
  contact: optionalText(2000, 'catalogEditor.text.contact.tooLong'),
  localRequirements: optionalText(5000, 'catalogEditor.text.localRequirements.tooLong'),
});
/** A validated local text: trimmed, empty fields null. */
export type LocalTextInput = z.infer<typeof localTextForm>;

/**
 * Hidden fields of every editor form: the tenant the page was shown for (checked against the
 * editor's memberships) and, for the local text, the version the edit is based on.
 */
export const tenantField = z.object({ tenantId: z.uuid() });
export const versionField = z.object({ version: z.coerce.number().int().min(0).max(1_000_000) });


/** Link or change an online procedure: name, where it runs, OZG maturity model and level. */
export const procedureForm = z.object({
  name: z.string({ error: 'catalogEditor.procedure.name.required' }).trim()
    .min(1, 'catalogEditor.procedure.name.required').max(200, 'catalogEditor.procedure.name.tooLong'),
  kind: z.enum(['internal', 'external'], { error: 'catalogEditor.procedure.kind.required' }),
  url: z.string().trim().max(500, 'catalogEditor.procedure.url.tooLong').optional().default(''),
  maturityModel: z.enum(['1', '2'], { error: 'catalogEditor.procedure.model.required' }),
  maturityLevel: z.string({ error: 'catalogEditor.procedure.level.required' }).trim()
    .min(1, 'catalogEditor.procedure.level.required').regex(/^[0-7]$/, 'catalogEditor.procedure.level.invalid').transform(Number),
}).superRefine((v, ctx) => {
  // Cross-field rules; they run even when another field failed, so that every error shows at once
  // (the values may then still be raw strings).
  if (v.kind === 'external') {
    if (!v.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'catalogEditor.procedure.url.required' });
    else if (v.url.length <= 500 && !isHttpsUrl(v.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'catalogEditor.procedure.url.https' });
  } else if (v.kind === 'internal' && v.url) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'catalogEditor.procedure.url.notForInternal' });
  }
  if (v.maturityModel === '1' && typeof v.maturityLevel === 'number' && v.maturityLevel > 4) {
    ctx.addIssue({ code: 'custom', path: ['maturityLevel'], message: 'catalogEditor.procedure.level.model1Range' });
  }
}).transform((v) => ({
  name: v.name,
  kind: v.kind,
  // Stored normalised (lower-case scheme and host), as the database CHECK expects `https://`.
  url: v.kind === 'external' ? new URL(v.url).href : null,
  maturityModel: v.maturityModel,
  maturityLevel: v.maturityLevel,
}));
/** A validated procedure: url normalised, and null unless external; level a number. */
export type ProcedureInput = z.infer<typeof procedureForm>;

/** The order of the procedure form's fields, for the error summary. */
export const PROCEDURE_FIELDS = ['name', 'kind', 'url', 'maturityModel', 'maturityLevel'] as const;

/** Activate or deactivate a linked procedure. */
export const procedureStatusForm = z.object({ active: z.enum(['true', 'false']).transform((v) => v === 'true') });

