import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { compactDecrypt, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { pino } from 'pino';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createTenantKeys, type TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import { createWorker, type Worker } from '../../platform/jobs/worker.ts';
import { insertTarget } from './case-delivery.repository.ts';
import { createSubmittedCase, procedureOf, tenantIdOf, type TestCase } from './case-delivery.test-support.ts';
import { buildCaseDocument } from './build-case-document.ts';
import { createCaseDeliveryJob } from './deliver-case.ts';
import { DELIVERY_MAX_ATTEMPTS, onCaseOpened } from './on-case-opened.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

let app: TestApp;
let tenantKeys: TenantKeys;
let worker: Worker;
let receiver: Receiver;
let privateKey: CryptoKey;
let publicJwk: Record<string, unknown>;

interface Received { method: string; path: string; headers: IncomingMessage['headers']; body: string }
interface Receiver {
  server: Server;
  base: string;
  requests: Received[];
  /** Answers in order for the next requests (then 200 with `{}`); a function may answer by itself. */
  script: ((req: Received) => { status: number; json?: unknown; delayMs?: number } | undefined)[];
}

async function startReceiver(): Promise<Receiver> {
  const r: Receiver = { server: undefined as unknown as Server, base: '', requests: [], script: [] };
  r.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      r.requests.push(received);
      const answer = r.script.shift()?.(received) ?? { status: 200, json: {} };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.json ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.base = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
  return r;
}

before(async () => {
  app = await createTestApp();
  tenantKeys = createTenantKeys(app.cipher);
  worker = createWorker({ db: app.database.db, definitions: [createCaseDeliveryJob({ cipher: app.cipher, tenantKeys, timeoutMs: 5_000 })], pollMs: 1000, log: pino({ level: 'silent' }) });
  receiver = await startReceiver();
  const pair = await generateKeyPair('RSA-OAEP-256', { modulusLength: 4096 });
  privateKey = pair.privateKey;
  publicJwk = { ...await exportJWK(pair.publicKey), alg: 'RSA-OAEP-256', use: 'enc', kid: 'test-destination-key' };
});
after(async () => {
  await new Promise((resolve) => receiver.server.close(resolve));
  await app.dispose();
});

const PDF = new Uint8Array(Buffer.from(`%PDF-1.7\n${randomBytes(64).toString('hex')}\n%%EOF\n`));
const PNG = new Uint8Array(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(200)]));

/** A fresh tenant state: no targets, no pending jobs, an empty receiver. */
async function reset(): Promise<void> {
  const db = app.database.db;
  await db.deleteFrom('case_deliveries').execute();
  await db.deleteFrom('case_delivery_targets').execute();
  await db.deleteFrom('jobs').where('type', '=', 'case-delivery.deliver@1').execute();
  receiver.requests.length = 0;
  receiver.script.length = 0;
}

async function openCase(c: TestCase): Promise<void> {
  await app.database.db.transaction().execute((tx) => onCaseOpened(tx, { tenantId: c.tenantId, caseId: c.caseId, procedureId: c.procedureId }));
}

async function deliveriesOf(caseId: string) {
  return app.database.db.selectFrom('case_deliveries').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
}

/** Makes the backed-off retry due now (instead of waiting for it). */
async function makeRetriesDue(): Promise<void> {
  await app.database.db.updateTable('jobs').set({ run_at: new Date() }).where('type', '=', 'case-delivery.deliver@1').where('status', '=', 'pending').execute();
}

async function webhookTarget(tenantSlug: string, secret: string, procedureId: string | null = null): Promise<string> {
  return insertTarget(app.database.db, await tenantIdOf(app.database.db, tenantSlug), {
    kind: 'webhook', name: 'Fachverfahren', url: `${receiver.base}/hook`, procedureId, secretEnc: app.cipher.encrypt(secret), destinationId: null, encryptionJwk: null,
  });
}

test('a webhook delivery is signed (t=…,v1=HMAC-SHA256 over "t.body"), carries the case with answers and attachments, and is recorded', async () => {
  await reset();
  const secret = randomBytes(32).toString('base64url');
  await webhookTarget('coburg', secret);
  const c = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, {
    tenantSlug: 'coburg', answers: { hundename: 'Bello', rasse: 'Dackel' }, attachments: [{ fileName: 'Impfpass.pdf', mediaType: 'application/pdf', bytes: PDF }],
  });
  await openCase(c);
  const [pending] = await deliveriesOf(c.caseId);
  assert.equal(pending?.status, 'pending');
  assert.equal(await worker.drain(), 1);

  assert.equal(receiver.requests.length, 1);
  const req = receiver.requests[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['idempotency-key'], pending!.id);
  const signature = String(req.headers['x-digitales-amt-signature']);
  assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
  assert.ok(verifyWebhookSignature(secret, signature, req.body), 'the signature verifies with the shared secret');
  // The documented scheme, recomputed by hand as a receiver would.
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(signature)!;
  const { createHmac } = await import('node:crypto');
  assert.equal(createHmac('sha256', secret).update(`${t}.${req.body}`).digest('hex'), v1);
  assert.ok(!verifyWebhookSignature('other-secret', signature, req.body), 'another secret does not verify');
  assert.ok(!verifyWebhookSignature(secret, signature, req.body.replace('Bello', 'Hasso')), 'a changed body does not verify');
  assert.ok(!verifyWebhookSignature(secret, signature, req.body, Number(t) + 301), 'an old signature is refused');

  const body = JSON.parse(req.body);
  assert.equal(body.reference, c.reference);
  assert.equal(body.caseId, c.caseId);
  assert.equal(body.procedure.leikaKey, '99102013000000');
  assert.equal(body.tenant.name, 'Stadt Coburg');
  assert.deepEqual(body.answers, { hundename: 'Bello', rasse: 'Dackel' }, 'answers decrypted');
  assert.equal(body.attachments.length, 1);
  const attachment = body.attachments[0];
  assert.equal(attachment.fileName, 'Impfpass.pdf');
  assert.deepEqual(new Uint8Array(Buffer.from(attachment.contentBase64, 'base64')), PDF);
  assert.equal(attachment.sha256, createHash('sha256').update(PDF).digest('hex'));

  const [delivered] = await deliveriesOf(c.caseId);
  assert.equal(delivered?.status, 'delivered');
  assert.equal(delivered?.attempts, 1);
  assert.ok(delivered?.delivered_at);
  assert.equal(await worker.drain(), 0, 'nothing more to do');
});

test('after a 500 the delivery is retried with backoff and delivered once, with the same Idempotency-Key', async () => {
  await reset();
  await webhookTarget('coburg', 'geheim-geheim-geheim');
  const c = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  // The receiver takes a request once per key (as documented), answering 500 the first time.
  const seen = new Set<string>();
  let processed = 0;
  const answer = (r: Received) => {
    if (seen.has(String(r.headers['idempotency-key']))) return { status: 200, json: { id: 'dup' } };
    seen.add(String(r.headers['idempotency-key']));
    processed++;
    return { status: 200, json: { id: 'FV-4711' } };
  };
  receiver.script.push(() => ({ status: 500 }), answer, answer);
  await openCase(c);
  await worker.drain();
  let [delivery] = await deliveriesOf(c.caseId);
  assert.equal(delivery?.status, 'pending');
  assert.equal(delivery?.attempts, 1);
  assert.equal(delivery?.last_error, 'HTTP 500');
  const job = await app.database.db.selectFrom('jobs').select(['status', 'run_at', 'attempts']).where('idempotency_key', '=', `case-delivery:${delivery!.id}`).executeTakeFirstOrThrow();
  assert.equal(job.status, 'pending');
  assert.ok(job.run_at.getTime() > Date.now() + 3_000, 'the retry is backed off');
  assert.equal(await worker.drain(), 0, 'not before its time');

  await makeRetriesDue();
  await worker.drain();
  [delivery] = await deliveriesOf(c.caseId);
  assert.equal(delivery?.status, 'delivered');
  assert.equal(delivery?.attempts, 2);
  assert.equal(delivery?.remote_id, 'FV-4711', 'the receiver\'s id is kept');
  assert.equal(receiver.requests.length, 2);
  assert.deepEqual(receiver.requests.map((r) => r.headers['idempotency-key']), [delivery!.id, delivery!.id]);
  assert.equal(processed, 1, 'the receiver processed it once');

  // A second open of the same case (e.g. a retried submission) adds no delivery and sends nothing.
  await openCase(c);
  await makeRetriesDue();
  assert.equal(await worker.drain(), 0);
  assert.equal((await deliveriesOf(c.caseId)).length, 1);
});

test('a 400 fails the delivery for good (no retry); a 429 is tried again', async () => {
  await reset();
  await webhookTarget('coburg', 'geheim-geheim-geheim');
  const c = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  receiver.script.push(() => ({ status: 400, json: { error: 'unknown procedure' } }));
  await openCase(c);
  await worker.drain();
  const [delivery] = await deliveriesOf(c.caseId);
  assert.equal(delivery?.status, 'failed');
  assert.equal(delivery?.attempts, 1);
  assert.equal(delivery?.last_error, 'HTTP 400');
  const job = await app.database.db.selectFrom('jobs').select('status').where('idempotency_key', '=', `case-delivery:${delivery!.id}`).executeTakeFirstOrThrow();
  assert.equal(job.status, 'done', 'the job does not run again');
  await makeRetriesDue();
  assert.equal(await worker.drain(), 0);
  assert.equal(receiver.requests.length, 1);

  await reset();
  await webhookTarget('coburg', 'geheim-geheim-geheim');
  const c2 = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  receiver.script.push(() => ({ status: 429 }));
  await openCase(c2);
  await worker.drain();
  assert.equal((await deliveriesOf(c2.caseId))[0]?.status, 'pending', '429 is tried again');
});

test('the last attempt marks the delivery failed', async () => {
  await reset();
  await webhookTarget('coburg', 'geheim-geheim-geheim');
  const c = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  await openCase(c);
  const [delivery] = await deliveriesOf(c.caseId);
  // As if every earlier attempt had failed: the next claim is the last one.
  await app.database.db.updateTable('jobs').set({ attempts: DELIVERY_MAX_ATTEMPTS - 1 }).where('idempotency_key', '=', `case-delivery:${delivery!.id}`).execute();
  receiver.script.push(() => ({ status: 503 }));
  await worker.drain();
  const [failed] = await deliveriesOf(c.caseId);
  assert.equal(failed?.status, 'failed');
  assert.equal(failed?.last_error, 'HTTP 503');
});

test('only active targets of the tenant that take the procedure get a delivery', async () => {
  await reset();
  const db = app.database.db;
  const coburg = await tenantIdOf(db, 'coburg');
  const other = await procedureOf(db, coburg, '99115005104000');
  const all = await webhookTarget('coburg', 'geheim-geheim-geheim');
  await webhookTarget('coburg', 'geheim-geheim-geheim', other.id);
  const inactive = await webhookTarget('coburg', 'geheim-geheim-geheim');
  await db.updateTable('case_delivery_targets').set({ active: false }).where('id', '=', inactive).execute();
  await webhookTarget('muenchen', 'geheim-geheim-geheim');
  const c = await createSubmittedCase(db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  await openCase(c);
  assert.deepEqual((await deliveriesOf(c.caseId)).map((d) => d.target_id), [all]);
});

test('a FIT-Connect-style submission: announce, encrypted attachments, encrypted metadata and data the destination can decrypt and check', async () => {
  await reset();
  const db = app.database.db;
  const destinationId = 'b5e1a0a2-0f5e-4c3e-9a0b-6a8e3c2d1f00';
  await insertTarget(db, await tenantIdOf(db, 'coburg'), {
    kind: 'fit_connect', name: 'FIT-Connect', url: `${receiver.base}/fit/`, procedureId: null, secretEnc: null, destinationId, encryptionJwk: publicJwk,
  });
  const c = await createSubmittedCase(db, { cipher: app.cipher, tenantKeys }, {
    tenantSlug: 'coburg', answers: { hundename: 'Rex' },
    attachments: [{ fileName: 'Nachweis.pdf', mediaType: 'application/pdf', bytes: PDF }, { fileName: 'Foto.png', mediaType: 'image/png', bytes: PNG }],
  });
  const submissionId = 'f1c0ffee-0000-4000-8000-000000000001';
  receiver.script.push(
    () => ({ status: 201, json: { destinationId, submissionId, caseId: 'fc-case' } }),
    () => ({ status: 204 }),
    () => ({ status: 204 }),
    // The first submit fails: the retry must continue this submission, not announce another.
    () => ({ status: 503 }),
  );
  await openCase(c);
  await worker.drain();
  let [delivery] = await deliveriesOf(c.caseId);
  assert.equal(delivery?.status, 'pending');
  assert.equal(delivery?.remote_id, submissionId, 'the announced submission is kept');
  await makeRetriesDue();
  await worker.drain();
  [delivery] = await deliveriesOf(c.caseId);
  assert.equal(delivery?.status, 'delivered');

  const requests = receiver.requests;
  assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [
    'POST /fit/v1/submissions',
    `PUT /fit/v1/submissions/${submissionId}/attachments/${c.uploadIds[0]}`,
    `PUT /fit/v1/submissions/${submissionId}/attachments/${c.uploadIds[1]}`,
    `PUT /fit/v1/submissions/${submissionId}`,
    `PUT /fit/v1/submissions/${submissionId}/attachments/${c.uploadIds[0]}`,
    `PUT /fit/v1/submissions/${submissionId}/attachments/${c.uploadIds[1]}`,
    `PUT /fit/v1/submissions/${submissionId}`,
  ], 'announced once; the retry uploads again (PUT is idempotent) and submits');
  const announce = JSON.parse(requests[0]!.body);
  assert.deepEqual(announce, {
    destinationId, announcedAttachments: c.uploadIds,
    serviceType: { name: 'Hund zur Hundesteuer anmelden', identifier: 'urn:de:fim:leika:leistung:99102013000000' },
  });

  const decrypt = async (jwe: string) => {
    assert.match(jwe, /^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/, 'JWE compact serialisation');
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey);
    assert.equal(protectedHeader.alg, 'RSA-OAEP-256');
    assert.equal(protectedHeader.enc, 'A256GCM');
    assert.equal(protectedHeader.kid, 'test-destination-key');
    assert.equal(protectedHeader.zip, undefined);
    return plaintext;
  };
  const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
  const attachments = [await decrypt(requests[4]!.body), await decrypt(requests[5]!.body)];
  assert.equal(requests[4]!.headers['content-type'], 'application/jose');
  assert.deepEqual(attachments, [PDF, PNG]);

  const submit = JSON.parse(requests[6]!.body) as { encryptedMetadata: string; encryptedData: string };
  const dataBytes = await decrypt(submit.encryptedData);
  const data = JSON.parse(Buffer.from(dataBytes).toString('utf8'));
  assert.equal(data.reference, c.reference);
  assert.deepEqual(data.answers, { hundename: 'Rex' });
  assert.equal(data.attachments, undefined, 'attachments travel separately');
  const metadata = JSON.parse(Buffer.from(await decrypt(submit.encryptedMetadata)).toString('utf8'));
  assert.match(metadata.$schema, /fit-connect\/metadata/);
  assert.equal(metadata.contentStructure.data.hash.type, 'sha512');
  assert.equal(metadata.contentStructure.data.hash.content, sha512(dataBytes), 'the data hash matches the decrypted data');
  assert.equal(metadata.contentStructure.data.submissionSchema.mimeType, 'application/json');
  assert.deepEqual(metadata.contentStructure.attachments.map((a: { attachmentId: string; filename: string; mimeType: string; purpose: string; hash: { type: string; content: string } }) =>
    [a.attachmentId, a.filename, a.mimeType, a.purpose, a.hash.type, a.hash.content]), [
    [c.uploadIds[0], 'Nachweis.pdf', 'application/pdf', 'attachment', 'sha512', sha512(attachments[0]!)],
    [c.uploadIds[1], 'Foto.png', 'image/png', 'attachment', 'sha512', sha512(attachments[1]!)],
  ], 'each attachment hash matches its decrypted file');
  assert.equal(metadata.publicServiceType.identifier, 'urn:de:fim:leika:leistung:99102013000000');
});

test('a receiver that does not answer in time is tried again (AbortSignal timeout)', async () => {
  await reset();
  await webhookTarget('coburg', 'geheim-geheim-geheim');
  const c = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  const impatient = createWorker({ db: app.database.db, definitions: [createCaseDeliveryJob({ cipher: app.cipher, tenantKeys, timeoutMs: 200 })], pollMs: 1000, log: pino({ level: 'silent' }) });
  receiver.script.push(() => ({ status: 200, delayMs: 2_000 }));
  await openCase(c);
  await impatient.drain();
  const [delivery] = await deliveriesOf(c.caseId);
  assert.equal(delivery?.status, 'pending');
  assert.equal(delivery?.last_error, 'timeout');
  await makeRetriesDue();
  await impatient.drain();
  assert.equal((await deliveriesOf(c.caseId))[0]?.status, 'delivered');
});

test('attachments beyond the size cap are listed without content', async () => {
  const c = await createSubmittedCase(app.database.db, { cipher: app.cipher, tenantKeys }, {
    tenantSlug: 'coburg', attachments: [{ fileName: 'a.pdf', mediaType: 'application/pdf', bytes: PDF }, { fileName: 'b.png', mediaType: 'image/png', bytes: PNG }],
  });
  const document = await buildCaseDocument(app.database.db, { cipher: app.cipher, tenantKeys }, c.tenantId, c.caseId, PDF.length + 10);
  assert.deepEqual(document?.attachments.map((a) => [a.fileName, a.bytes?.length ?? null, a.sizeBytes]), [['a.pdf', PDF.length, PDF.length], ['b.png', null, PNG.length]]);
  assert.equal(await buildCaseDocument(app.database.db, { cipher: app.cipher, tenantKeys }, await tenantIdOf(app.database.db, 'muenchen'), c.caseId), undefined, 'another tenant\'s case is not found');
});
