/**
 * Configuration: the environment is parsed once at boot, here and nowhere else.
 * Every invalid setting is collected so that one start attempt names all of them.
 */
import path from 'node:path';
import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.pathname.length > 1;
    } catch {
      return false;
    }
  }, 'must be a URL like postgres://user:password@host:5432/database');

const smtpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'smtp:' || u.protocol === 'smtps:';
  } catch {
    return false;
  }
}, 'must be a URL like smtp://user:password@host:587 or smtps://host:465');

const hexKey32 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)');

/** Every environment variable the platform reads, with its default and meaning (the README table is checked against this). */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development')
    .describe('development, test or production; production refuses demo defaults'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port'),
  HOST: z.string().min(1).default('127.0.0.1').describe('address to listen on (0.0.0.0 in a container)'),
  PUBLIC_URL: z.url().optional().describe('external base URL, e.g. https://portal.example.de; https makes cookies Secure'),
  DATA_DIR: z.string().min(1).default('./data').describe('directory of the embedded PGlite database (ignored with DATABASE_URL)'),
  DATABASE_URL: postgresUrl.optional().describe('PostgreSQL server; when set, used instead of embedded PGlite'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('connections per instance to the PostgreSQL server'),
  DATABASE_PREPARED_STATEMENTS: booleanString.default(true).describe('named prepared statements on the PostgreSQL server (false behind PgBouncer before 1.21 in transaction mode)'),
  DEMO: booleanString.optional().describe('load demo tenants and accounts and capture mail (default: true outside production)'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional()
    .describe('secret for signing session cookies (required in production)'),
  DATA_ENCRYPTION_KEY: hexKey32.optional().describe('key for encrypting personal data at rest, 64 hex chars (required in production)'),
  SMTP_URL: smtpUrl.optional().describe('SMTP server for outgoing mail (required in production; demo keeps mail in the database)'),
  MAIL_FROM: z.string().min(3).default('Digitales Amt <noreply@digitales-amt.invalid>').describe('sender of outgoing mail'),
  RUN_WORKER: booleanString.default(true).describe('run the job worker inside the web process (false when `npm run worker` runs apart)'),
  WORKER_POLL_MS: z.coerce.number().int().min(50).max(60000).default(1000).describe('how often the worker looks for due jobs'),
  CACHE_CHECK_MS: z.coerce.number().int().min(0).max(60000).default(1000)
    .describe('how often each instance checks whether cached catalogue data changed (the longest another instance\'s change may go unseen)'),
  DRAFT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30)
    .describe('days an unfinished application (draft) is kept after its last change'),
  DRAFT_EXPIRY_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(7)
    .describe('days before a draft expires that its owner is told in the mailbox (0: no notice)'),
  CASE_RETENTION_DAYS: z.coerce.number().int().min(30).max(36500).default(3650)
    .describe('days after which a closed case is deleted with its application, evidence, decision and mailbox thread (default ten years)'),
  CASE_DEADLINE_WARNING_DAYS: z.coerce.number().int().min(0).max(365).default(14)
    .describe('days before a statutory processing time runs out that the assigned caseworker gets a reminder'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600).describe('requests per minute per client address'),
  TRUST_PROXY: booleanString.default(false).describe('trust X-Forwarded-* headers from a reverse proxy'),
  OPERATOR_NAME: z.string().min(2).optional().describe('operator named in the Impressum (required in production)'),
  OPERATOR_ADDRESS: z.string().min(5).optional().describe('operator postal address, lines separated by ";" (required in production)'),
  OPERATOR_EMAIL: z.email().optional().describe('operator contact e-mail (required in production)'),
  FEEDBACK_EMAIL: z.email().optional().describe('where accessibility feedback notices are sent (no content, only the reference)'),
  SAML_IDP_METADATA: z.string().min(1).optional()
    .describe('SAML metadata of the citizens\' identity provider (BundID/BayernID): a file path or an https URL (required in production; demo default: the embedded demo identity provider)'),
  SAML_SP_ENTITY_ID: z.string().min(1).optional()
    .describe('entity id of this portal as SAML service provider (default: PUBLIC_URL + /saml/metadata, or urn:digitales-amt:demo-sp)'),
  SAML_SP_KEY_FILE: z.string().min(1).optional()
    .describe('PEM private key with which this portal signs its SAML requests (required in production; demo: generated under DATA_DIR/saml)'),
  SAML_SP_CERT_FILE: z.string().min(1).optional()
    .describe('PEM certificate belonging to SAML_SP_KEY_FILE (required in production; demo: generated under DATA_DIR/saml)'),
  SAML_DEMO_IDP: booleanString.optional()
    .describe('serve the embedded demo identity provider with the BundID test persons (default: true in demo mode; refused in production)'),
  SEAL_KEY_FILE: z.string().min(1).optional()
    .describe('PEM private key of the platform seal (PAdES; receipts) (required in production; demo: generated and kept encrypted in the database)'),
  SEAL_CERT_FILE: z.string().min(1).optional()
    .describe('PEM certificate chain of SEAL_KEY_FILE, the seal certificate first (required in production)'),
  SEAL_TENANT_KEY_DIR: z.string().min(1).optional()
    .describe('directory with each authority\'s seal key as `<tenant slug>.key.pem` and `<tenant slug>.cert.pem` (decisions; demo: generated per tenant)'),
  SEAL_TRUST_ANCHORS: z.string().min(1).optional()
    .describe('PEM file of the CA certificates whose seals the verification page and `npm run verify-pdf` report as trusted (demo: the demo CA)'),
  SEAL_DEMO_KEYS: booleanString.optional()
    .describe('create a demo CA and seal keys on first use (default: true in demo mode; refused in production)'),
  CLAMD_ADDRESS: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port').optional()
    .describe('ClamAV daemon (clamd) that scans uploads, as host:port (default: no scanner)'),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(20 * 1024 * 1024)
    .describe('largest file one multipart upload may carry (per-field limits are lower)'),
  UPLOAD_MAX_REQUEST_BYTES: z.coerce.number().int().min(1024).max(4 * 1024 * 1024 * 1024).default(100 * 1024 * 1024)
    .describe('most bytes of files one multipart request may hold in memory (files beyond are refused as too large)'),
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(100).default(20).describe('most files one multipart request may carry'),
  PAYMENT_PROVIDER: z.enum(['pmpayment', 'epaybl']).default('pmpayment')
    .describe('payment platform used for online fees: pmpayment or epaybl'),
  PMPAYMENT_URL: z.url().optional()
    .describe('base URL of the pmPayment platform (required in production when used; demo default: the embedded payment simulator)'),
  PMPAYMENT_SECRET: z.string().min(32, 'must be at least 32 characters').optional()
    .describe('pmPayment HMAC secret; each authority\'s key is derived from it and its AGS (required in production when used)'),
  EPAYBL_URL: z.url().optional()
    .describe('base URL of the ePayBL REST interface (required in production when used; demo default: the embedded payment simulator)'),
  EPAYBL_MANDANT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - only').default('demo-mandant')
    .describe('ePayBL mandant (client) id of the state portal'),
  EPAYBL_SECRET: z.string().min(32, 'must be at least 32 characters').optional()
    .describe('ePayBL secret; each authority\'s key is derived from it and its AGS (required in production when used)'),
  PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000)
    .describe('how long to wait for the payment platform before leaving a payment pending'),
  PAYMENT_SIMULATOR: booleanString.optional()
    .describe('serve the embedded payment platform simulator at /demo-zahlung (default: true in demo mode; refused in production)'),
  PAYMENT_SIMULATOR_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000)
    .describe('simulator: how long "pay with delayed notification" waits before the payment is settled and notified'),
  STAFF_IDLE_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(720).default(30)
    .describe('minutes of inactivity after which a staff session ends (staff must log in again)'),
  CITIZEN_LOGIN_METHODS: z.string().regex(/^(saml|oidc)(,(saml|oidc))*$/, 'must be saml, oidc or saml,oidc').optional()
    .describe('citizen login methods offered on /anmelden, comma-separated: saml, oidc (default: saml, plus oidc when OIDC_ISSUER is set or the demo identity provider runs)'),
  OIDC_ISSUER: z.url().optional()
    .describe('OpenID Connect issuer for citizen login (e.g. a Keycloak broker in front of BundID); https in production (demo default: the embedded demo identity provider at /demo-idp/oidc)'),
  OIDC_CLIENT_ID: z.string().min(1).optional().describe('client id of this portal at the OpenID Connect provider (required with OIDC_ISSUER)'),
  OIDC_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional()
    .describe('client secret of this portal at the OpenID Connect provider (required with OIDC_ISSUER)'),
  OIDC_REDIRECT_URI: z.url().optional().describe('redirect URI registered at the provider (default: PUBLIC_URL + /oidc/callback)'),
  OIDC_ACR_VALUES: z.string().regex(/^[^,\s]+,[^,\s]+,[^,\s]+$/, 'must be three acr values: niedrig,substantiell,hoch').default('STORK-QAA-Level-1,STORK-QAA-Level-3,STORK-QAA-Level-4')
    .describe('acr values that stand for the levels niedrig,substantiell,hoch (requested as acr_values, read from the ID token\'s acr)'),
  OIDC_BPK2_CLAIM: z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/).default('bpk2')
    .describe('ID token claim that carries the stable person id (bPK2); the account key'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level'),
});

type RawConfig = z.infer<typeof configSchema>;

/** The parsed configuration the application is built from. */
export interface Config {
  env: RawConfig['NODE_ENV'];
  port: number;
  host: string;
  publicUrl: string | undefined;
  /** Embedded database directory, or `null` to run PGlite in memory (tests). */
  dataDir: string | null;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databasePreparedStatements: boolean;
  demo: boolean;
  sessionSecret: string;
  encryptionKey: Buffer;
  smtpUrl: string | undefined;
  mailFrom: string;
  runWorker: boolean;
  workerPollMs: number;
  rateLimitPerMinute: number;
  cacheCheckMs: number;
  trustProxy: boolean;
  /** Inactivity after which a staff member must log in again. */
  staffIdleTimeoutMs: number;
  logLevel: RawConfig['LOG_LEVEL'];
  secureCookies: boolean;
  operator: { name: string; addressLines: string[]; email: string };
  feedbackEmail: string | undefined;
  saml: SamlConfig;
  seal: SealConfig;
  uploads: UploadsConfig;
  applications: { draftRetentionDays: number; draftExpiryNoticeDays: number };
  cases: { retentionDays: number; reminderDays: number };
  payments: PaymentsConfig;
  oidc: OidcConfig;
  /** Citizen login methods offered on /anmelden. */
  citizenLoginMethods: ('saml' | 'oidc')[];
}

/** Seal keys (PAdES) for receipts (platform) and decisions (per tenant). */
export interface SealConfig {
  /** PEM files of the platform seal; `null`: demo key material (demo only). */
  keyFile: string | null;
  certFile: string | null;
  /** Directory of per-tenant PEM keys and certificates named by tenant slug. */
  tenantKeyDir: string | null;
  /** PEM file of trusted CA certificates for verification. */
  trustAnchorsFile: string | null;
  /** Create the demo CA and demo seal keys on first use (never in production). */
  demoKeys: boolean;
  /** Where the demo CA certificate is also written as PEM (for `npm run verify-pdf`); `null`: nowhere. */
  demoCaFile: string | null;
}

/** Limits and scanning of uploaded files. */
export interface UploadsConfig {
  maxBytes: number;
  maxRequestBytes: number;
  maxFiles: number;
  /** clamd as host:port; `null`: no malware scanner. */
  clamdAddress: string | null;
}

/** Online payment of fees through a payment platform. */
export interface PaymentsConfig {
  defaultProvider: 'pmpayment' | 'epaybl';
  timeoutMs: number;
  /** `url: null`: the embedded payment simulator of this instance (demo only). */
  pmpayment: { url: string | null; secret: string };
  epaybl: { url: string | null; mandantId: string; secret: string };
  /** Serve the embedded payment platform simulator (never in production). */
  simulator: boolean;
  simulatorDelayMs: number;
}

/** Citizen login through OpenID Connect (authorization code flow with PKCE). */
export interface OidcConfig {
  /** The provider's issuer; `null`: the embedded demo identity provider (demo only) or none. */
  issuer: string | null;
  clientId: string;
  clientSecret: string;
  /** Fixed redirect URI; `null`: the request's base URL + /oidc/callback. */
  redirectUri: string | null;
  /** acr value per level. */
  acrValues: { niedrig: string; substantiell: string; hoch: string };
  bpk2Claim: string;
  /** OIDC login is possible (configured issuer or demo identity provider). */
  enabled: boolean;
}

/** Citizen login through SAML 2.0 (BundID/BayernID profile). */
export interface SamlConfig {
  /** File path or URL of the identity provider's metadata; `null`: the embedded demo identity provider (demo only). */
  idpMetadata: string | null;
  spEntityId: string;
  /** PEM files of the service provider's signing key; `null`: generated demo key material (demo only). */
  spKeyFile: string | null;
  spCertFile: string | null;
  /** Serve the embedded demo identity provider (never in production). */
  demoIdp: boolean;
  /** Where generated demo key material is kept; `null`: in memory only. */
  keyDir: string | null;
}

/** Thrown when the environment is invalid; `problems` lists every invalid setting. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// Fixed, public demo secrets: fine for a demo on one machine, refused in production.
const DEMO_SESSION_SECRET = 'demo-session-secret-not-for-production-use-000';
const DEMO_OIDC_CLIENT_SECRET = 'demo-oidc-client-secret-not-for-production';
const DEMO_ENCRYPTION_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
/** The payment simulator's secrets: public, for the demo only. */
export const DEMO_PMPAYMENT_SECRET = 'demo-pmpayment-secret-not-for-production-0000';
export const DEMO_EPAYBL_SECRET = 'demo-epaybl-secret-not-for-production-000000';

/**
 * Parse the environment into a Config.
 * @throws ConfigError listing every invalid or missing setting.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Production rules read the raw values, so that they are reported together with format errors.
  const production = relevant.NODE_ENV === 'production';
  const demoRequested = relevant.DEMO === undefined ? !production : ['true', '1', 'yes'].includes(relevant.DEMO);
  if (production) {
    if (demoRequested) problems.push('DEMO: demo data cannot be loaded with NODE_ENV=production');
    if (!relevant.SESSION_SECRET) problems.push('SESSION_SECRET: required with NODE_ENV=production');
    else if (relevant.SESSION_SECRET === DEMO_SESSION_SECRET) problems.push('SESSION_SECRET: the demo secret cannot be used in production');
    if (!relevant.DATA_ENCRYPTION_KEY) problems.push('DATA_ENCRYPTION_KEY: required with NODE_ENV=production');
    else if (relevant.DATA_ENCRYPTION_KEY.toLowerCase() === DEMO_ENCRYPTION_KEY) problems.push('DATA_ENCRYPTION_KEY: the demo key cannot be used in production');
    for (const key of ['OPERATOR_NAME', 'OPERATOR_ADDRESS', 'OPERATOR_EMAIL'] as const) {
      if (!relevant[key]) problems.push(`${key}: required with NODE_ENV=production (the Impressum names the operator)`);
    }
    if (!relevant.SMTP_URL) problems.push('SMTP_URL: required with NODE_ENV=production (mail is only captured in demo mode)');
    if (relevant.SAML_DEMO_IDP !== undefined && ['true', '1', 'yes'].includes(relevant.SAML_DEMO_IDP)) {
      problems.push('SAML_DEMO_IDP: the demo identity provider cannot be used with NODE_ENV=production');
    }
    for (const key of ['SAML_IDP_METADATA', 'SAML_SP_KEY_FILE', 'SAML_SP_CERT_FILE'] as const) {
      if (!relevant[key]) problems.push(`${key}: required with NODE_ENV=production (citizen login through BundID)`);
    }
    if (relevant.SEAL_DEMO_KEYS !== undefined && ['true', '1', 'yes'].includes(relevant.SEAL_DEMO_KEYS)) {
      problems.push('SEAL_DEMO_KEYS: demo seal keys cannot be used with NODE_ENV=production');
    }
    for (const key of ['SEAL_KEY_FILE', 'SEAL_CERT_FILE'] as const) {
      if (!relevant[key]) problems.push(`${key}: required with NODE_ENV=production (receipts are sealed with the platform seal)`);
    }
    if (relevant.OIDC_ISSUER && !relevant.OIDC_ISSUER.startsWith('https://')) problems.push('OIDC_ISSUER: must be an https URL with NODE_ENV=production');
    if (relevant.CITIZEN_LOGIN_METHODS?.includes('oidc') && !relevant.OIDC_ISSUER) problems.push('OIDC_ISSUER: required with NODE_ENV=production when CITIZEN_LOGIN_METHODS offers oidc');
    if (!relevant.PUBLIC_URL) problems.push('PUBLIC_URL: required with NODE_ENV=production (the SAML assertion consumer URL is absolute)');
    if (relevant.PAYMENT_SIMULATOR !== undefined && ['true', '1', 'yes'].includes(relevant.PAYMENT_SIMULATOR)) {
      problems.push('PAYMENT_SIMULATOR: the payment simulator cannot be used with NODE_ENV=production');
    }
    const used = relevant.PAYMENT_PROVIDER === 'epaybl' ? 'EPAYBL' : 'PMPAYMENT';
    for (const [prefix, demoSecret] of [['PMPAYMENT', DEMO_PMPAYMENT_SECRET], ['EPAYBL', DEMO_EPAYBL_SECRET]] as const) {
      const url = relevant[`${prefix}_URL`];
      const secret = relevant[`${prefix}_SECRET`];
      if (prefix === used || url || secret) {
        if (!url) problems.push(`${prefix}_URL: required with NODE_ENV=production (payments go to the real platform)`);
        if (!secret) problems.push(`${prefix}_SECRET: required with NODE_ENV=production`);
        else if (secret === demoSecret) problems.push(`${prefix}_SECRET: the simulator's demo secret cannot be used in production`);
      }
    }
  }
  if (!production && !demoRequested && relevant.PAYMENT_SIMULATOR !== undefined && ['true', '1', 'yes'].includes(relevant.PAYMENT_SIMULATOR)) {
    problems.push('PAYMENT_SIMULATOR: the payment simulator is only served in demo mode (DEMO=true)');
  }
  if (!production && !demoRequested && relevant.SAML_DEMO_IDP !== undefined && ['true', '1', 'yes'].includes(relevant.SAML_DEMO_IDP)) {
    problems.push('SAML_DEMO_IDP: the demo identity provider is only served in demo mode (DEMO=true)');
  }
  if (relevant.OIDC_ISSUER && (!relevant.OIDC_CLIENT_ID || !relevant.OIDC_CLIENT_SECRET)) {
    problems.push('OIDC_CLIENT_ID: OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  }
  if (relevant.OIDC_CLIENT_SECRET === DEMO_OIDC_CLIENT_SECRET && production) problems.push('OIDC_CLIENT_SECRET: the demo secret cannot be used in production');
  if (Boolean(relevant.SAML_SP_KEY_FILE) !== Boolean(relevant.SAML_SP_CERT_FILE)) {
    problems.push('SAML_SP_KEY_FILE: set together with SAML_SP_CERT_FILE, or neither');
  }
  if (Boolean(relevant.SEAL_KEY_FILE) !== Boolean(relevant.SEAL_CERT_FILE)) {
    problems.push('SEAL_KEY_FILE: set together with SEAL_CERT_FILE, or neither');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const raw = parsed.data;
  const demo = raw.DEMO ?? !production;

  const publicUrl = raw.PUBLIC_URL?.replace(/\/$/, '');
  const dataDir = raw.DATA_DIR === ':memory:' ? null : path.resolve(raw.DATA_DIR);
  const demoIdp = demo && (raw.SAML_DEMO_IDP ?? true);
  const oidcEnabled = Boolean(raw.OIDC_ISSUER) || demoIdp;
  const [acrLow = '', acrSubstantial = '', acrHigh = ''] = raw.OIDC_ACR_VALUES.split(',');
  const methods = raw.CITIZEN_LOGIN_METHODS
    ? [...new Set(raw.CITIZEN_LOGIN_METHODS.split(',') as ('saml' | 'oidc')[])]
    : oidcEnabled ? ['saml', 'oidc'] as const : ['saml'] as const;
  if ((methods as readonly string[]).includes('oidc') && !oidcEnabled) {
    throw new ConfigError(['CITIZEN_LOGIN_METHODS: oidc needs OIDC_ISSUER (or the demo identity provider in demo mode)']);
  }
  return {
    env: raw.NODE_ENV,
    port: raw.PORT,
    host: raw.HOST,
    publicUrl,
    dataDir,
    databaseUrl: raw.DATABASE_URL,
    databasePoolSize: raw.DATABASE_POOL_SIZE,
    databasePreparedStatements: raw.DATABASE_PREPARED_STATEMENTS,
    demo,
    sessionSecret: raw.SESSION_SECRET ?? DEMO_SESSION_SECRET,
    encryptionKey: Buffer.from(raw.DATA_ENCRYPTION_KEY ?? DEMO_ENCRYPTION_KEY, 'hex'),
    smtpUrl: raw.SMTP_URL,
    mailFrom: raw.MAIL_FROM,
    runWorker: raw.RUN_WORKER,
    workerPollMs: raw.WORKER_POLL_MS,
    rateLimitPerMinute: raw.RATE_LIMIT_PER_MINUTE,
    cacheCheckMs: raw.CACHE_CHECK_MS,
    applications: { draftRetentionDays: raw.DRAFT_RETENTION_DAYS, draftExpiryNoticeDays: raw.DRAFT_EXPIRY_NOTICE_DAYS },
    cases: { retentionDays: raw.CASE_RETENTION_DAYS, reminderDays: raw.CASE_DEADLINE_WARNING_DAYS },
    trustProxy: raw.TRUST_PROXY,
    staffIdleTimeoutMs: raw.STAFF_IDLE_TIMEOUT_MINUTES * 60_000,
    logLevel: raw.LOG_LEVEL,
    operator: {
      name: raw.OPERATOR_NAME ?? 'Demo-Betrieb Digitales Amt (kein echter Anbieter)',
      addressLines: (raw.OPERATOR_ADDRESS ?? 'Musterstraße 1;80333 München').split(';').map((l) => l.trim()).filter(Boolean),
      email: raw.OPERATOR_EMAIL ?? 'betrieb@digitales-amt.invalid',
    },
    feedbackEmail: raw.FEEDBACK_EMAIL ?? (demo ? 'barrierefreiheit@digitales-amt.invalid' : undefined),
    secureCookies: production || (publicUrl?.startsWith('https:') ?? false),
    saml: {
      idpMetadata: raw.SAML_IDP_METADATA ?? null,
      spEntityId: raw.SAML_SP_ENTITY_ID ?? (publicUrl ? `${publicUrl}/saml/metadata` : 'urn:digitales-amt:demo-sp'),
      spKeyFile: raw.SAML_SP_KEY_FILE ? path.resolve(raw.SAML_SP_KEY_FILE) : null,
      spCertFile: raw.SAML_SP_CERT_FILE ? path.resolve(raw.SAML_SP_CERT_FILE) : null,
      demoIdp,
      keyDir: dataDir ? path.join(dataDir, 'saml') : null,
    },
    seal: {
      keyFile: raw.SEAL_KEY_FILE ? path.resolve(raw.SEAL_KEY_FILE) : null,
      certFile: raw.SEAL_CERT_FILE ? path.resolve(raw.SEAL_CERT_FILE) : null,
      tenantKeyDir: raw.SEAL_TENANT_KEY_DIR ? path.resolve(raw.SEAL_TENANT_KEY_DIR) : null,
      trustAnchorsFile: raw.SEAL_TRUST_ANCHORS ? path.resolve(raw.SEAL_TRUST_ANCHORS) : null,
      demoKeys: !production && (raw.SEAL_DEMO_KEYS ?? demo),
      demoCaFile: dataDir ? path.join(dataDir, 'seal', 'demo-ca.pem') : null,
    },
    uploads: {
      maxBytes: raw.UPLOAD_MAX_BYTES,
      maxRequestBytes: raw.UPLOAD_MAX_REQUEST_BYTES,
      maxFiles: raw.UPLOAD_MAX_FILES,
      clamdAddress: raw.CLAMD_ADDRESS ?? null,
    },
    payments: {
      defaultProvider: raw.PAYMENT_PROVIDER,
      timeoutMs: raw.PAYMENT_TIMEOUT_MS,
      pmpayment: { url: raw.PMPAYMENT_URL?.replace(/\/$/, '') ?? null, secret: raw.PMPAYMENT_SECRET ?? DEMO_PMPAYMENT_SECRET },
      epaybl: { url: raw.EPAYBL_URL?.replace(/\/$/, '') ?? null, mandantId: raw.EPAYBL_MANDANT_ID, secret: raw.EPAYBL_SECRET ?? DEMO_EPAYBL_SECRET },
      simulator: demo && (raw.PAYMENT_SIMULATOR ?? true),
      simulatorDelayMs: raw.PAYMENT_SIMULATOR_DELAY_MS,
    },
    oidc: {
      issuer: raw.OIDC_ISSUER?.replace(/\/$/, '') ?? null,
      clientId: raw.OIDC_CLIENT_ID ?? 'digitales-amt-demo',
      clientSecret: raw.OIDC_CLIENT_SECRET ?? DEMO_OIDC_CLIENT_SECRET,
      redirectUri: raw.OIDC_REDIRECT_URI ?? (publicUrl ? `${publicUrl}/oidc/callback` : null),
      acrValues: { niedrig: acrLow, substantiell: acrSubstantial, hoch: acrHigh },
      bpk2Claim: raw.OIDC_BPK2_CLAIM,
      enabled: oidcEnabled,
    },
    citizenLoginMethods: [...methods],
  };
}
