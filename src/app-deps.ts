/**
 * What every module's routes may use. Built once in app.ts.
 */
import type { Config } from './config.ts';
import type { VersionedCache } from './platform/cache/versioned-cache.ts';
import type { FieldCipher } from './platform/crypto/field-encryption.ts';
import type { TenantKeys } from './platform/crypto/tenant-keys.ts';
import type { Database, Db } from './platform/db/database.ts';
import type { MailService } from './platform/mail/mail.ts';
import type { SealKeyStore } from './platform/pdf/seal-keys.ts';
import type { MalwareScanner } from './platform/uploads/malware-scanner.ts';
import type { JobDefinition } from './platform/jobs/queue.ts';
import type { PaymentsRuntime } from './modules/payments/index.ts';
import type { FormVersions, SubmissionListener } from './modules/applications/index.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
  /** Catalogue lookups (search, authority finder, API answers), shared by the modules that read the catalogue. */
  catalogCache: VersionedCache;
  /** Stored form versions, parsed once per instance (they never change). */
  formVersions: FormVersions;
  /** Seal keys for PDFs: the platform's (receipts) and each tenant's (decisions); trust anchors for verification. */
  sealKeys: SealKeyStore;
  /** Per-tenant data keys (envelope encryption) for uploads and mailbox content. */
  tenantKeys: TenantKeys;
  /** Malware scanner for uploads (clamd, or none in the demo). */
  malwareScanner: MalwareScanner;
  /** Jobs that routes enqueue and that need the app's services to run. */
  jobs: { receipt: JobDefinition };
  /** Payment platforms and this portal's callback URL (see modules/payments). */
  payments: PaymentsRuntime;
  /** Run in the submission transaction of every application (the cases module opens the case). */
  onSubmitted: readonly SubmissionListener[];
}
