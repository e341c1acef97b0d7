/**
 * Reads a stored form version. Versions are checked when they are stored (`checkFormDefinition`),
 * so here the shape is only parsed (which also fills defaults).
 */
import type { Db, Tx } from '../../platform/db/database.ts';
import { formDefinition, type FormDefinition } from '../forms/form-definition.ts';
import { findFormDefinition } from './applications.repository.ts';

/** The form definition of a version. @throws when the version is missing or its JSON is not a definition. */
export async function loadFormVersion(db: Db | Tx, formId: string, version: number): Promise<FormDefinition> {
  const stored = await findFormDefinition(db, formId, version);
  if (stored === undefined) throw new Error(`form version ${formId}@${version} is missing`);
  return formDefinition.parse(stored);
}
