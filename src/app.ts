/**
 * Builds the application from a configuration: opens the database, applies migrations, loads
 * reference (and demo) data, and registers the web platform and every module. Never listens:
 * `server.ts` does, tests use `inject`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { seedDemoData } from './demo/seed-demo-data.ts';
import type { AppDeps } from './app-deps.ts';
import { accessibilityRoutes } from './modules/accessibility/index.ts';
import { applicationsRoutes, applicationsSchedules, createExpireDraftsJob, createFormVersions, createReceiptJob, registerApplicationPayments, registerApplicationsPersonalData } from './modules/applications/index.ts';
import { formLibraryRoutes, storeImportedForm } from './modules/form-library/index.ts';
import { mailboxRoutes, registerMailboxPersonalData, sendNotice, unreadCountForApplicant, type MailboxDeps, type MailboxHooks } from './modules/mailbox/index.ts';
import { caseOpener, casesJobs, casesRoutes, changeCaseStatus, deriveApplicantTermKey, issueIntegrationDecision, recordApplicantMessage, recordRetrieval, registerDecisionFeePayments, type CasesDeps } from './modules/cases/index.ts';
import type { SubmissionListener } from './modules/applications/index.ts';
import { createSealKeyStore } from './platform/pdf/index.ts';
import { apiRoutes, publicApiRoutes } from './modules/api/index.ts';
import { registerApiPlatform } from './platform/http/api-platform.ts';
import { catalogEditorRoutes } from './modules/catalog-editor/index.ts';
import { caseDeliveryRoutes, createCaseDeliveryJob, fachverfahrenApiRoutes, onCaseOpened, registerCaseReporting } from './modules/case-delivery/index.ts';
import { identityCleanupJob, identityRoutes, identitySchedules, registerCitizenIdentity } from './modules/identity/index.ts';
import { digitalesAmtEvaluateJob, digitalesAmtRoutes, digitalesAmtSchedules } from './modules/digitales-amt/index.ts';
import { catalogRoutes, importCatalogIfEmpty } from './modules/catalog/index.ts';
import { fimImportRoutes } from './modules/fim/index.ts';
import { documentVerificationRoutes } from './modules/document-verification/index.ts';
import { loadReferenceData, municipalityRoutes } from './modules/municipalities/index.ts';
import { createPaymentsRuntime, paymentsJobs, paymentsRoutes, type PaymentsRuntime } from './modules/payments/index.ts';
import { operationsRoutes } from './modules/operations/index.ts';
import { responsibilityAdminRoutes } from './modules/responsibility-admin/index.ts';
import { siteRoutes } from './modules/site/index.ts';
import { registerStaffIdentity, staffAccountRoutes, staffAdminRoutes, staffRoutes } from './modules/staff/index.ts';
import { createVersionedCache } from './platform/cache/versioned-cache.ts';
import { createFieldCipher, type FieldCipher } from './platform/crypto/field-encryption.ts';
import { createTenantKeys } from './platform/crypto/tenant-keys.ts';
import { openDatabase, type Database } from './platform/db/database.ts';
import { migrate } from './platform/db/migrations.ts';
import { createRenderer } from './platform/html/views.ts';
import { maintenanceJobs } from './platform/jobs/maintenance.ts';
import { createWorker, type Worker } from './platform/jobs/worker.ts';
import { registerWebPlatform } from './platform/http/web.ts';
import { createMailService, type MailService } from './platform/mail/mail.ts';
import { createMalwareScanner } from './platform/uploads/index.ts';

/** A registered route: method and URL pattern. */
export interface RouteInfo {
  method: string;
  url: string;
}

export interface App {
  server: FastifyInstance;
  /** Every route registered, as patterns (the tenant isolation test walks the staff routes). */
  routes: RouteInfo[];
  database: Database;
  worker: Worker;
  mail: MailService;
  cipher: FieldCipher;
  config: Config;
  /** Payment platforms and callback URL (modules/payments). */
  payments: PaymentsRuntime;
  /** What the mailbox tells other modules (cases); filled in at start, replaceable in tests. */
  mailboxHooks: MailboxHooks;
  /** Stops the worker, closes the server and the database, in that order. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Use this (already migrated) database instead of opening the configured one. */
  database?: Database;
  logger?: Logger;
}

/** A client-supplied request id is kept when it looks like one; otherwise a new UUID. */
function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
}

/** Creates the root logger: structured JSON, no personal data (no IPs, no query strings, no bodies). */
export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'digitales-amt' },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'email', 'password'], remove: true },
  });
}

/** Builds the app. @throws when the database cannot be opened or a migration fails. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config);
  const database = options.database ?? await openDatabase({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, preparedStatements: config.databasePreparedStatements,
    onConnectionError: (error) => log.warn({ err: { message: error.message } }, 'idle database connection failed; the pool replaces it'),
  });
  const { db } = database;
  if (!options.database) {
    await migrate(database);
    await loadReferenceData(db);
    await importCatalogIfEmpty(db);
  }
  const cipher = createFieldCipher(config.encryptionKey);
  if (!options.database && config.demo) await seedDemoData(db, cipher);
  const catalogCache = createVersionedCache({ db, name: 'catalog', maxEntries: 5000, checkEveryMs: config.cacheCheckMs });
  const mail = createMailService({ cipher, from: config.mailFrom, smtpUrl: config.smtpUrl });
  const sealKeys = createSealKeyStore({ db, cipher, config: config.seal });
  const formVersions = createFormVersions();
  const receiptJob = createReceiptJob({ cipher, sealKeys, formVersions });
  registerApplicationsPersonalData();
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const tenantKeys = createTenantKeys(cipher);
  const malwareScanner = createMalwareScanner(config.uploads);
  // The mailbox tells the cases module about replies (which e-mails the caseworkers) and retrievals
  // (replaceable in tests).
  const mailboxHooks: MailboxHooks = {
    onApplicantMessage: (tx, event) => recordApplicantMessage({ mail, publicUrl }, tx, event),
    onFirstRetrieval: (tx, event) => recordRetrieval(tx, event),
  };
  const mailboxDeps: MailboxDeps = { db, cipher, tenantKeys, mail, malwareScanner, hooks: mailboxHooks, publicUrl };
  // A draft about to expire: a notice in the owner's mailbox from the authority.
  const expireDraftsJob = createExpireDraftsJob({
    cipher, mail, noticeDays: config.applications.draftExpiryNoticeDays, publicUrl,
    mailboxNotice: (tx, notice) => sendNotice(tx, mailboxDeps, notice),
  });
  const casesDeps: CasesDeps = {
    db, cipher, tenantKeys, mail, sealKeys, mailbox: mailboxDeps, publicUrl, applicantTermKey: deriveApplicantTermKey(config.encryptionKey), onCaseOpened: [onCaseOpened],
  };
  // Specialist procedures report status changes and decisions through the API (modules/case-delivery).
  registerCaseReporting({
    changeCaseStatus: (input) => changeCaseStatus(casesDeps, input),
    issueIntegrationDecision: (input) => issueIntegrationDecision(casesDeps, input),
  });
  // Every submission opens its case in the same transaction.
  const onSubmitted: SubmissionListener[] = [caseOpener(casesDeps)];
  // A paid fee submits its application (payment outcome job).
  registerApplicationPayments({ db, cipher, formVersions, catalogCache, mail, receiptJob, publicUrl, onSubmitted });
  // A fee set in a decision, once paid, is noted on the case.
  registerDecisionFeePayments();
  const caseJobs = casesJobs(mail, mailboxDeps, { ...config.cases, publicUrl });
  const payments = createPaymentsRuntime(config, cipher, log.child({ component: 'payments' }));
  const paymentJobs = paymentsJobs(config, payments);
  const caseDeliveryJob = createCaseDeliveryJob({ cipher, tenantKeys });
  const worker = createWorker({
    db,
    definitions: [mail.sendJob, digitalesAmtEvaluateJob, identityCleanupJob, receiptJob, expireDraftsJob, ...paymentJobs.definitions, ...caseJobs.definitions, caseDeliveryJob],
    schedules: [...maintenanceJobs(), ...digitalesAmtSchedules(), ...identitySchedules(), ...applicationsSchedules(expireDraftsJob), ...paymentJobs.schedules, ...caseJobs.schedules],
    pollMs: config.workerPollMs,
    log: log.child({ component: 'worker' }),
  });

  const server = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  const routes: RouteInfo[] = [];
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // One line per request: method, route pattern (not the URL, which may carry search terms), status, time.
  server.addHook('onResponse', async (req, reply) => {
    req.log.info({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const deps: AppDeps = {
    config, database, db, cipher, mail, catalogCache, formVersions, sealKeys, tenantKeys, malwareScanner,
    jobs: { receipt: receiptJob }, payments, onSubmitted,
  };
  const sharedRateLimits = database.kind === 'postgres';
  // The public read-only catalogue API runs on its own lean platform: no cookies, sessions or CSRF.
  await server.register(async (api) => {
    await registerApiPlatform(api, { config, db, sharedRateLimits });
    await api.register(publicApiRoutes, deps);
  });
  // Everything else — pages, forms, and the token-protected APIs — runs on the web platform.
  await server.register(async (web) => {
    await registerWebPlatform(web, { config, db, render: createRenderer(), sharedRateLimits });
    registerStaffIdentity(web, { db, config });
    registerCitizenIdentity(web, { db, cipher });
    // The header shows a citizen how many mailbox messages wait unread (one indexed count per page).
    web.addHook('preHandler', async (req) => {
      if (req.method !== 'GET' || !req.citizen || !req.viewer || req.url.startsWith('/api/')) return;
      req.viewer.unread = await unreadCountForApplicant(db, { accountId: req.citizen.id, organisationId: req.citizen.organisationId });
    });
    await web.register(staffRoutes, { db, cipher, config });
    await web.register(operationsRoutes, { database, cipher });
    await web.register(siteRoutes, { db, config });
    await web.register(municipalityRoutes, { db });
    await web.register(catalogRoutes, { db, config, catalogCache });
    await web.register(digitalesAmtRoutes, deps);
    await web.register(catalogEditorRoutes, deps);
    // An imported FIM schema becomes a form of the tenant right away (version 1), ready to be offered.
    await web.register(fimImportRoutes, { ...deps, onImported: (input) => storeImportedForm(db, input) });
    await web.register(responsibilityAdminRoutes, deps);
    await web.register(staffAccountRoutes, deps);
    await web.register(staffAdminRoutes, deps);
    await web.register(apiRoutes, deps);
    await web.register(applicationsRoutes, deps);
    await web.register(formLibraryRoutes, deps);
    registerMailboxPersonalData(deps);
    await web.register(mailboxRoutes, mailboxDeps);
    await web.register(casesRoutes, { ...deps, cases: casesDeps });
    await web.register(caseDeliveryRoutes, deps);
    await web.register(fachverfahrenApiRoutes, deps);
    await web.register(paymentsRoutes, { ...deps, simulatorJobs: paymentJobs.simulator });
    await web.register(identityRoutes, deps);
    await web.register(documentVerificationRoutes, { sealKeys });
    await web.register(accessibilityRoutes, { db, cipher, mail, feedbackEmail: config.feedbackEmail, contactEmail: config.operator.email });
  });
  await server.ready();

  if (config.runWorker) worker.start();

  return {
    server, routes, database, worker, mail, cipher, config, payments, mailboxHooks,
    async close() {
      await worker.stop();
      await server.close();
      mail.close();
      if (!options.database) await database.close();
    },
  };
}
