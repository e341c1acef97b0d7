/**
 * Form validation for server-rendered pages: a zod schema whose messages are i18n keys becomes
 * either the parsed value or everything needed to re-render the form (error summary, field
 * messages, the values the user typed).
 */
import type { z } from 'zod';
import { isMessageKey, type Translate } from '../i18n/i18n.ts';

export interface FormErrors {
  /** For the error summary, in field order: each links to its field by id. */
  errors: { field: string; message: string }[];
  /** Field name -> message, plus `__prefix` ("Fehler:") read out before each message. */
  fieldErrors: Record<string, string>;
  /** What the user sent, as strings, to put back into the fields. */
  values: Record<string, string>;
}

export type FormResult<T> = { ok: true; value: T } | ({ ok: false } & FormErrors);

/** Validates a urlencoded body against `schema`; messages in the schema are catalog keys. */
export function validateForm<S extends z.ZodType>(schema: S, body: unknown, t: Translate): FormResult<z.infer<S>> {
  const values = toStringValues(body);
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: Record<string, string> = { __prefix: `${t('form.errorPrefix')} ` };
  const errors: FormErrors['errors'] = [];
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (fieldErrors[field]) continue;
    // A schema message is a catalog key; anything else (a check without its own message) gets the generic one.
    const message = t(isMessageKey(issue.message) ? issue.message : 'form.invalid');
    fieldErrors[field] = message;
    errors.push({ field, message });
  }
  return { ok: false, errors, fieldErrors, values };
}

/** An empty error state for the first render of a form. */
export function emptyForm(values: Record<string, string> = {}): FormErrors {
  return { errors: [], fieldErrors: {}, values };
}

function toStringValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (k === '_csrf') continue;
      out[k] = Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '');
    }
  }
  return out;
}
