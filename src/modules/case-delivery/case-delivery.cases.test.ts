/**
 * End to end with the cases module: a case opened by the cases module is delivered to the specialist
 * procedure (webhook), which then reports its status and the decision back through the API; the
 * cases module's workflow decides what is allowed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createTenantKeys } from '../../platform/crypto/tenant-keys.ts';
import { createWorker, type Worker } from '../../platform/jobs/worker.ts';
import { createSealKeyStore } from '../../platform/pdf/index.ts';
import { noMalwareScanner } from '../../platform/uploads/index.ts';
import { changeCaseStatus, deriveApplicantTermKey, issueIntegrationDecision, openCase, type CasesDeps } from '../cases/index.ts';
import { listCaseTrail } from '../case-trail/index.ts';
import { insertTarget } from './case-delivery.repository.ts';
import { createSubmittedCase } from './case-delivery.test-support.ts';
import { createCaseDeliveryJob } from './deliver-case.ts';
import { registerCaseReporting } from './fachverfahren-api.routes.ts';
import { createIntegrationClient } from './create-integration-client.ts';
import { onCaseOpened } from './on-case-opened.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

let app: TestApp;
let casesDeps: CasesDeps;
let worker: Worker;
let server: Server;
const received: { headers: Record<string, unknown>; body: string }[] = [];

before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  const db = app.database.db;
  const tenantKeys = createTenantKeys(app.cipher);
  const publicUrl = 'http://localhost:3000';
  casesDeps = {
    db, cipher: app.cipher, tenantKeys, mail: app.mail, sealKeys: createSealKeyStore({ db, cipher: app.cipher, config: app.config.seal }),
    mailbox: { db, cipher: app.cipher, tenantKeys, mail: app.mail, publicUrl, malwareScanner: noMalwareScanner, hooks: {} },
    publicUrl, applicantTermKey: deriveApplicantTermKey(app.config.encryptionKey), onCaseOpened: [onCaseOpened],
  };
  // As app.ts binds it.
  registerCaseReporting({
    changeCaseStatus: (input) => changeCaseStatus(casesDeps, input),
    issueIntegrationDecision: (input) => issueIntegrationDecision(casesDeps, input),
  });
  worker = createWorker({ db, definitions: [createCaseDeliveryJob({ cipher: app.cipher, tenantKeys })], pollMs: 1000, log: pino({ level: 'silent' }) });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"FV-1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await app.dispose();
});

test('a case opened by the cases module is delivered; the specialist procedure reports status and decision back', async () => {
  const db = app.database.db;
  const secret = randomBytes(32).toString('base64url');
  const account = await db.insertInto('citizen_accounts').values({ bpk2_hash: randomBytes(16).toString('hex'), last_trust_level: 'substantiell' }).returning('id').executeTakeFirstOrThrow();
  const c = await createSubmittedCase(db, casesDeps, { tenantSlug: 'coburg', accountId: account.id, withoutCase: true });
  await insertTarget(db, c.tenantId, {
    kind: 'webhook', name: 'Fachverfahren', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/eingang`, procedureId: null,
    secretEnc: app.cipher.encrypt(secret), destinationId: null, encryptionJwk: null,
  });
  await db.transaction().execute((tx) => openCase(tx, casesDeps, {
    tenantId: c.tenantId, applicationId: c.caseId, procedureId: c.procedureId, reference: c.reference, submittedAt: c.submittedAt,
    accountId: account.id, organisationId: null, processingDays: null,
  }));
  await worker.drain();
  assert.equal(received.length, 1);
  assert.ok(verifyWebhookSignature(secret, String(received[0]!.headers['x-digitales-amt-signature']), received[0]!.body));
  assert.equal(JSON.parse(received[0]!.body).caseId, c.caseId);
  const delivery = await db.selectFrom('case_deliveries').selectAll().where('case_id', '=', c.caseId).executeTakeFirstOrThrow();
  assert.deepEqual([delivery.status, delivery.remote_id], ['delivered', 'FV-1']);

  const staff = await db.selectFrom('staff_accounts').select('id').where('email', '=', 'sachbearbeitung@coburg.demo.digitales-amt.de').executeTakeFirstOrThrow();
  const { token, clientId } = await createIntegrationClient(db, { tenantId: c.tenantId, staffId: staff.id, requestId: 'test' }, 'Fachverfahren');
  const post = (path: string, body: unknown) => app.server.inject({
    method: 'POST', url: `/api/v1/fachverfahren/vorgaenge/${c.caseId}/${path}`, payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });

  const closed = await post('status', { status: 'closed' });
  assert.equal(closed.statusCode, 409);
  assert.deepEqual([closed.json().from, closed.json().to], ['submitted', 'closed']);
  const rejected = await post('status', { status: 'rejected' });
  assert.equal(rejected.statusCode, 422, 'a rejection needs a reason');
  assert.deepEqual(rejected.json().invalidParams.map((p: { name: string }) => p.name), ['reason']);

  const started = await post('status', { status: 'in_progress' });
  assert.equal(started.statusCode, 200, started.body);
  assert.deepEqual(started.json(), { caseId: c.caseId, status: 'in_progress' });

  const decision = { outcome: 'granted', title: 'Bescheid Hundesteuer', body: 'Der Hund ist zur Hundesteuer angemeldet.', feeCents: 0, idempotencyKey: 'fv-bescheid-0001' };
  // The seal key is read outside the decision's transaction (on PGlite, with one connection, reading it inside would wait for itself).
  await casesDeps.sealKeys.tenantKey(c.tenantId);
  const issued = await post('bescheid', decision);
  assert.equal(issued.statusCode, 201, issued.body);
  const again = await post('bescheid', decision);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().decisionId, issued.json().decisionId);
  assert.equal(again.json().alreadyIssued, true);
  const row = await db.selectFrom('decisions').select(['status', 'issued_at', 'title']).where('case_id', '=', c.caseId).executeTakeFirstOrThrow();
  assert.equal(row.status, 'issued');
  assert.equal((await db.selectFrom('cases').select('status').where('id', '=', c.caseId).executeTakeFirstOrThrow()).status, 'decided');

  const trail = await listCaseTrail(db, c.tenantId, c.caseId);
  assert.ok(trail.some((e) => e.actorType === 'integration' && e.actorId === clientId), 'the trail names the specialist procedure as the actor');
});
