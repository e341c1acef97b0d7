/**
 * The demo's reference procedures as form definitions (JSON data in `reference-forms/`, checked on
 * loading): Wohnsitzanmeldung, Hundesteuer, Führungszeugnis, Bauantrag.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFormDefinition } from './check-form-definition.ts';
import type { FormDefinition } from './form-definition.ts';

export const REFERENCE_FORMS = ['wohnsitzanmeldung', 'hundesteuer', 'fuehrungszeugnis', 'bauantrag'] as const;
export type ReferenceFormName = (typeof REFERENCE_FORMS)[number];

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference-forms');

/** Reads and checks one reference form. Throws when the file is missing or the definition is invalid (a defect in the shipped data). */
export function loadReferenceForm(name: ReferenceFormName): FormDefinition {
  const json: unknown = JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
  const result = checkFormDefinition(json);
  if (!result.ok) throw new Error(`reference form ${name} is invalid: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return result.definition;
}
