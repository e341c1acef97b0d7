/**
 * The procedure a tenant offers on this portal for a service, with the form version in force
 * (for the public API's form endpoint).
 */
import type { Db } from '../../platform/db/database.ts';
import type { FormDefinition } from '../forms/form-definition.ts';
import { findApplicableProcedureId, findProcedure, type ProcedureForStart } from './applications.repository.ts';
import type { FormVersions } from './load-form.ts';

export async function findApplicableProcedure(db: Db, formVersions: FormVersions, tenantId: string, leikaKey: string): Promise<{ procedure: ProcedureForStart; definition: FormDefinition } | undefined> {
  const id = await findApplicableProcedureId(db, tenantId, leikaKey);
  const procedure = id ? await findProcedure(db, id) : undefined;
  if (!procedure) return undefined;
  return { procedure, definition: await formVersions.load(db, procedure.formId, procedure.formVersion) };
}
