/**
 * The JSON API sends a step's answers as a JSON object keyed by item id, nested like the form
 * (address blocks as objects, repeating groups as arrays of objects, checkboxes as arrays of
 * strings). The form engine reads posted HTML forms; this turns the JSON into the same posted
 * fields (`f.<id>`, `f.<group>.count`, `f.<group>.<i>.<id>`), so that the API and the pages share
 * one reading and one validation, with the same messages.
 */
import { FIELD_PREFIX, type PostedBody } from '../forms/index.ts';

/** @returns the posted body, or the path of the first value that is not text, number, yes/no, list or object. */
export function postedBodyOf(values: Record<string, unknown>): { ok: true; body: PostedBody } | { ok: false; path: string } {
  const body: PostedBody = {};
  const walk = (value: unknown, name: string, path: string): string | null => {
    if (value === null || value === undefined) { body[name] = ''; return null; }
    if (typeof value === 'string') { body[name] = value; return null; }
    if (typeof value === 'number' && Number.isFinite(value)) { body[name] = String(value); return null; }
    if (typeof value === 'boolean') { body[name] = value ? 'yes' : 'no'; return null; }
    if (Array.isArray(value)) {
      if (value.every((v) => typeof v === 'string')) { body[name] = value as string[]; return null; }
      if (!value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) return path;
      body[`${name}.count`] = String(value.length);
      for (let i = 0; i < value.length; i++) {
        for (const [key, inner] of Object.entries(value[i] as Record<string, unknown>)) {
          const problem = walk(inner, `${name}.${i}.${key}`, `${path}.${i}.${key}`);
          if (problem) return problem;
        }
      }
      return null;
    }
    if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        const problem = walk(inner, `${name}.${key}`, `${path}.${key}`);
        if (problem) return problem;
      }
      return null;
    }
    return path;
  };
  for (const [key, value] of Object.entries(values)) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(key)) return { ok: false, path: key };
    const problem = walk(value, `${FIELD_PREFIX}.${key}`, key);
    if (problem) return { ok: false, path: problem };
  }
  return { ok: true, body };
}
