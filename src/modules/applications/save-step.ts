/**
 * Saves a draft's answers and the step the person is on, and pushes its expiry out: drafts are
 * saved at every step, so the person can resume later, on another device.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import type { TrustLevel } from '../../platform/db/schema.ts';
import type { Answers } from '../forms/form-definition.ts';
import { updateDraft, type ApplicationRow } from './applications.repository.ts';
import { draftExpiry } from './start-application.ts';

export interface SaveStepDeps {
  db: Db;
  cipher: FieldCipher;
  draftRetentionDays: number;
}

/** Saves; false when the application is no longer a draft (submitted meanwhile, e.g. in another tab). */
export async function saveStep(deps: SaveStepDeps, input: { application: ApplicationRow; answers: Answers; currentStep: string; trustLevel: TrustLevel }): Promise<boolean> {
  return deps.db.transaction().execute((tx) => updateDraft(tx, input.application.id, {
    answersEnc: deps.cipher.encrypt(JSON.stringify(input.answers)),
    currentStep: input.currentStep,
    trustLevel: input.trustLevel,
    expiresAt: draftExpiry(deps.draftRetentionDays),
  }));
}
