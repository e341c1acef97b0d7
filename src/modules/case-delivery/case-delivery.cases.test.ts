/**
 * End to end through the app: a citizen submits over HTTP, the cases module opens the case, the
 * delivery job sends it to the specialist procedure (webhook), which reports its status and the
 * decision back through the API; the cases module's workflow decides what is allowed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { submitDogTax } from '../../../test/support/dog-tax.ts';
import { TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { listCaseTrail } from '../case-trail/index.ts';
import { insertTarget } from './case-delivery.repository.ts';
import { tenantIdOf } from './case-delivery.test-support.ts';
import { createIntegrationClient } from './create-integration-client.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

let app: TestApp;
let server: Server;
const received: { headers: Record<string, unknown>; body: string }[] = [];

before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
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

test('a submitted application is delivered to the specialist procedure, which reports status and decision back', async () => {
  const db = app.database.db;
  const coburg = await tenantIdOf(db, 'coburg');
  const secret = randomBytes(32).toString('base64url');
  await insertTarget(db, coburg, {
    kind: 'webhook', name: 'Fachverfahren Hundesteuer', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/eingang`, procedureId: null,
    secretEnc: app.cipher.encrypt(secret), destinationId: null, encryptionJwk: null,
  });
  const applicant = new TestClient(app.server);
  await logInCitizen(applicant, { person: 'U06', level: 'substantiell' });
  const { id: caseId, reference } = await submitDogTax(app, applicant, 'Kira');

  const delivery = await db.selectFrom('case_deliveries').selectAll().where('case_id', '=', caseId).executeTakeFirstOrThrow();
  assert.equal(delivery.status, 'pending', 'the submission created the delivery');
  await app.worker.drain();
  const hooks = received.filter((r) => r.headers['idempotency-key'] === delivery.id);
  assert.equal(hooks.length, 1);
  assert.ok(verifyWebhookSignature(secret, String(hooks[0]!.headers['x-digitales-amt-signature']), hooks[0]!.body));
  const body = JSON.parse(hooks[0]!.body);
  assert.equal(body.reference, reference);
  assert.equal(body.answers.hunde[0].hund_name, 'Kira', 'the answers, decrypted');
  const delivered = await db.selectFrom('case_deliveries').selectAll().where('id', '=', delivery.id).executeTakeFirstOrThrow();
  assert.deepEqual([delivered.status, delivered.remote_id], ['delivered', 'FV-1']);

  const staff = await db.selectFrom('staff_accounts').select('id').where('email', '=', 'sachbearbeitung@coburg.demo.digitales-amt.de').executeTakeFirstOrThrow();
  const { token, clientId } = await createIntegrationClient(db, { tenantId: coburg, staffId: staff.id, requestId: 'test' }, 'Fachverfahren');
  const post = (path: string, payload: unknown) => app.server.inject({
    method: 'POST', url: `/api/v1/fachverfahren/vorgaenge/${caseId}/${path}`, payload: JSON.stringify(payload),
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
  assert.deepEqual(started.json(), { caseId, status: 'in_progress' });

  // The case page's checks of the text: a refusal (also a partial one) needs reasons and legal
  // remedy, no text may keep a [[…]] gap. Refused with 422 naming the body, and nothing is stored.
  const remedy = 'Rechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats Klage beim Verwaltungsgericht Bayreuth erhoben werden.';
  const refusals = [
    [{ outcome: 'refused', body: 'Ihr Antrag wird abgelehnt.' }, [/„Gründe:“/, /„Rechtsbehelfsbelehrung:“/]],
    [{ outcome: 'partially_granted', body: `Ihrem Antrag wird teilweise stattgegeben.\n\nGründe:\n[[Bitte begründen.]]\n\n${remedy}` }, [/„Gründe:“/]],
    [{ outcome: 'refused', body: `Ihr Antrag wird abgelehnt.\n\nGründe:\nDer Hund lebt nicht im Stadtgebiet.` }, [/„Rechtsbehelfsbelehrung:“/]],
    [{ outcome: 'granted', body: 'Der Hund ist angemeldet. [[Auflagen eintragen]]' }, [/\[\[Auflagen eintragen\]\]/]],
  ] as const;
  for (const [text, reasons] of refusals) {
    const refused = await post('bescheid', { title: 'Bescheid Hundesteuer', feeCents: 0, idempotencyKey: 'fv-bescheid-0000', ...text });
    assert.equal(refused.statusCode, 422, `${text.outcome}: ${refused.body}`);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    const invalid: { name: string; reason: string }[] = refused.json().invalidParams;
    assert.deepEqual(invalid.map((p) => p.name), reasons.map(() => 'body'), text.outcome);
    reasons.forEach((reason, i) => assert.match(invalid[i]!.reason, reason));
  }
  assert.equal((await db.selectFrom('decisions').select('id').where('case_id', '=', caseId).execute()).length, 0, 'no draft stored');
  assert.equal((await db.selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()).status, 'in_progress');
  assert.equal((await db.selectFrom('mailbox_messages').innerJoin('mailbox_threads', 'mailbox_threads.id', 'mailbox_messages.thread_id')
    .select('mailbox_messages.id').where('mailbox_threads.case_id', '=', caseId).where('mailbox_messages.kind', '=', 'decision').execute()).length, 0);
  const english = await app.server.inject({
    method: 'POST', url: `/api/v1/fachverfahren/vorgaenge/${caseId}/bescheid?lang=en`, payload: JSON.stringify({ outcome: 'refused', title: 'B', body: 'Refused.', feeCents: 0, idempotencyKey: 'fv-bescheid-0000' }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  assert.match(english.json().invalidParams[0].reason, /^a refusal \(also a partial one\) needs its reasons/);

  const decision = { outcome: 'granted', title: 'Bescheid Hundesteuer', body: 'Der Hund ist zur Hundesteuer angemeldet.', feeCents: 0, idempotencyKey: 'fv-bescheid-0001' };
  const issued = await post('bescheid', decision);
  assert.equal(issued.statusCode, 201, issued.body);
  const again = await post('bescheid', decision);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().decisionId, issued.json().decisionId);
  assert.equal(again.json().alreadyIssued, true);
  const row = await db.selectFrom('decisions').select(['status', 'title']).where('case_id', '=', caseId).executeTakeFirstOrThrow();
  assert.deepEqual([row.status, row.title], ['issued', 'Bescheid Hundesteuer']);
  assert.equal((await db.selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()).status, 'decided');

  const trail = await listCaseTrail(db, coburg, caseId);
  assert.ok(trail.some((e) => e.actorType === 'integration' && e.actorId === clientId), 'the trail names the specialist procedure as the actor');
});
