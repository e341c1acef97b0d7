/**
 * For the OpenAPI document: JSON Schemas generated from zod carry catalog keys as descriptions
 * (the same keys the routes' error messages use); these turn them into text in the request's
 * language. Shared by every module that documents its part of the API.
 */
import { z } from 'zod';
import { isMessageKey, type Translate } from './i18n.ts';

type Schema = Record<string, unknown>;

/** Replaces every `description` that is a catalog key with its text, and drops JSON Schema's document keywords. */
export function localizeSchema(value: unknown, t: Translate): unknown {
  if (Array.isArray(value)) return value.map((v) => localizeSchema(v, t));
  if (value === null || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$schema' || key === '$id') continue;
    out[key] = key === 'description' && typeof v === 'string' && isMessageKey(v) ? t(v) : localizeSchema(v, t);
  }
  return out;
}

/** The input JSON Schema of a zod schema, with its descriptions in the request's language. */
export function localizedJsonSchema(schema: z.ZodType, t: Translate): Schema {
  return localizeSchema(z.toJSONSchema(schema, { io: 'input' }), t) as Schema;
}
