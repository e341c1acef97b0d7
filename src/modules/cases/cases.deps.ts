/**
 * What the cases module's use cases need, built once in app.ts.
 */
import type { KeyObject } from 'node:crypto';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import type { SealKeyStore } from '../../platform/pdf/index.ts';
import type { MailboxDeps } from '../mailbox/index.ts';

/** Runs in the transaction that opens a case (delivery to specialist procedures listens here). */
export type CaseOpenedListener = (tx: Tx, event: { tenantId: string; caseId: string; procedureId: string }) => Promise<void>;

export interface CasesDeps {
  db: Db;
  cipher: FieldCipher;
  tenantKeys: TenantKeys;
  mail: MailService;
  sealKeys: SealKeyStore;
  mailbox: MailboxDeps;
  publicUrl: string;
  /** Key of the blind index over applicant names (`deriveApplicantTermKey`). */
  applicantTermKey: KeyObject;
  onCaseOpened: CaseOpenedListener[];
}
