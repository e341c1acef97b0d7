/**
 * Reads stored form versions. Versions are checked when they are stored (`checkFormDefinition`),
 * so here the shape is only parsed (which also fills defaults). A stored version never changes —
 * a change is a new version — so each instance keeps the parsed definitions it has read: a cache,
 * not state (a cold one costs one query per version).
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import { formDefinition, type FormDefinition } from '../forms/form-definition.ts';
import { findFormDefinition } from './applications.repository.ts';

export interface FormVersions {
  /** The form definition of a version. @throws when the version is missing or its JSON is not a definition. */
  load(db: Db | Tx, formId: string, version: number): Promise<FormDefinition>;
}

/** Form versions read through a per-instance cache of at most `maxEntries` (least recently used go first). */
export function createFormVersions(maxEntries = 500): FormVersions {
  const parsed = new Map<string, FormDefinition>();
  return {
    async load(db, formId, version) {
      const key = `${formId}@${version}`;
      const hit = parsed.get(key);
      if (hit) {
        parsed.delete(key);
        parsed.set(key, hit);
        return hit;
      }
      const stored = await findFormDefinition(db, formId, version);
      if (stored === undefined) throw new Error(`form version ${formId}@${version} is missing`);
      // Shared by every request of the instance: frozen, so that no caller can change it for the others.
      const definition = deepFreeze(formDefinition.parse(stored));
      parsed.set(key, definition);
      if (parsed.size > maxEntries) parsed.delete(parsed.keys().next().value as string);
      return definition;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
