import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createTenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { CaseStatus } from '../../platform/db/schema.ts';
import { createSubmittedCase, tenantIdOf, type TestCase } from './case-delivery.test-support.ts';
import { registerCaseReporting, type CaseReporting } from './fachverfahren-api.routes.ts';
import { createIntegrationClient } from './create-integration-client.ts';
import { revokeIntegrationClient } from './revoke-integration-client.ts';

let app: TestApp;
let coburgCase: TestCase;
let coburgToken: string;
let coburgClientId: string;
let muenchenToken: string;
const calls: { fn: string; input: Record<string, unknown> }[] = [];

/**
 * The cases module's workflow as the API sees it: submitted -> in_progress -> waiting/decided ...;
 * each case decided once per idempotency key. Replaced by the real one once app.ts binds it.
 */
const ALLOWED: Record<CaseStatus, CaseStatus[]> = {
  submitted: ['in_progress', 'rejected', 'withdrawn'], in_progress: ['waiting', 'decided', 'rejected'], waiting: ['in_progress'],
  decided: ['closed'], closed: [], withdrawn: [], rejected: ['closed'],
};
function fakeWorkflow(): CaseReporting {
  const decisions = new Map<string, { key: string; id: string }>();
  return {
    async changeCaseStatus(input) {
      calls.push({ fn: 'changeCaseStatus', input });
      const row = await app.database.db.selectFrom('cases').select('status').where('tenant_id', '=', input.tenantId).where('id', '=', input.caseId).executeTakeFirst();
      if (!row) return { ok: false, code: 'NOT_FOUND' };
      if (!ALLOWED[row.status].includes(input.to)) return { ok: false, code: 'ILLEGAL_TRANSITION', from: row.status };
      await app.database.db.updateTable('cases').set({ status: input.to }).where('id', '=', input.caseId).execute();
      return { ok: true, status: input.to };
    },
    async issueIntegrationDecision(input) {
      calls.push({ fn: 'issueIntegrationDecision', input });
      const earlier = decisions.get(input.caseId);
      if (earlier) return earlier.key === input.idempotencyKey ? { ok: true, decisionId: earlier.id, alreadyIssued: true } : { ok: false, code: 'ILLEGAL_TRANSITION' };
      const row = await app.database.db.selectFrom('cases').select('status').where('tenant_id', '=', input.tenantId).where('id', '=', input.caseId).executeTakeFirst();
      if (!row) return { ok: false, code: 'NOT_FOUND' };
      if (row.status !== 'in_progress') return { ok: false, code: 'ILLEGAL_TRANSITION' };
      const id = crypto.randomUUID();
      decisions.set(input.caseId, { key: input.idempotencyKey, id });
      await app.database.db.updateTable('cases').set({ status: 'decided' }).where('id', '=', input.caseId).execute();
      return { ok: true, decisionId: id, alreadyIssued: false };
    },
  };
}

before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  registerCaseReporting(fakeWorkflow());
  const db = app.database.db;
  coburgCase = await createSubmittedCase(db, { cipher: app.cipher, tenantKeys: createTenantKeys(app.cipher) }, { tenantSlug: 'coburg' });
  const staff = await db.selectFrom('staff_accounts').select('id').where('email', '=', 'sachbearbeitung@coburg.demo.digitales-amt.de').executeTakeFirstOrThrow();
  const coburg = await createIntegrationClient(db, { tenantId: coburgCase.tenantId, staffId: staff.id, requestId: 'test' }, 'Fachverfahren Coburg');
  coburgToken = coburg.token;
  coburgClientId = coburg.clientId;
  muenchenToken = (await createIntegrationClient(db, { tenantId: await tenantIdOf(db, 'muenchen'), staffId: staff.id, requestId: 'test' }, 'Fachverfahren München')).token;
});
after(async () => { await app.dispose(); });
beforeEach(() => { calls.length = 0; });

const statusUrl = (caseId: string) => `/api/v1/fachverfahren/vorgaenge/${caseId}/status`;
const decisionUrl = (caseId: string) => `/api/v1/fachverfahren/vorgaenge/${caseId}/bescheid`;

async function post(url: string, body: unknown, token?: string) {
  return app.server.inject({
    method: 'POST', url, payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

test('without a valid token: 401 problem+json with a Bearer challenge, and nothing changes', async () => {
  for (const auth of [undefined, 'Bearer da_fv_unknown-token-0000000000000000', `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${coburgToken}x`]) {
    const res = await app.server.inject({
      method: 'POST', url: statusUrl(coburgCase.caseId), payload: JSON.stringify({ status: 'in_progress' }),
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    });
    assert.equal(res.statusCode, 401, String(auth));
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    assert.equal(res.json().code, 'UNAUTHENTICATED');
  }
  assert.equal(calls.length, 0);
});

test('another tenant\'s token, an unknown case and a malformed id are all "not found" (404, never 403)', async () => {
  for (const [url, token] of [
    [statusUrl(coburgCase.caseId), muenchenToken],
    [decisionUrl(coburgCase.caseId), muenchenToken],
    [statusUrl(crypto.randomUUID()), coburgToken],
    [statusUrl('kein-vorgang'), coburgToken],
  ] as const) {
    const res = await post(url, { status: 'in_progress', outcome: 'granted', title: 'B', body: 'B', feeCents: 0, idempotencyKey: 'schluessel-1' }, token);
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().code, 'NOT_FOUND');
  }
  assert.equal(calls.length, 0);
  assert.equal((await app.database.db.selectFrom('cases').select('status').where('id', '=', coburgCase.caseId).executeTakeFirstOrThrow()).status, 'submitted');
});

test('invalid fields are named (422); a body that is not a JSON object is a 400', async () => {
  const res = await post(statusUrl(coburgCase.caseId), { status: 'erledigt' }, coburgToken);
  assert.equal(res.statusCode, 422);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(res.json().invalidParams, [{ name: 'status', reason: 'einer von: in_progress, rejected, closed' }]);

  const decision = await post(decisionUrl(coburgCase.caseId), { outcome: 'maybe', title: '', feeCents: -1, idempotencyKey: 'x' }, coburgToken);
  assert.equal(decision.statusCode, 422);
  assert.deepEqual(decision.json().invalidParams.map((p: { name: string }) => p.name).sort(), ['body', 'feeCents', 'idempotencyKey', 'outcome', 'title']);

  const array = await post(statusUrl(coburgCase.caseId), ['in_progress'], coburgToken);
  assert.equal(array.statusCode, 400);
  const text = await app.server.inject({ method: 'POST', url: statusUrl(coburgCase.caseId), payload: 'status=in_progress', headers: { 'content-type': 'text/plain', authorization: `Bearer ${coburgToken}` } });
  assert.ok([400, 415].includes(text.statusCode), `plain text: ${text.statusCode}`);
  assert.equal(calls.length, 0);
});

test('a status change is passed to the workflow as the integration client; an illegal one is a 409 naming from and to', async () => {
  const res = await post(statusUrl(coburgCase.caseId), { status: 'in_progress', reason: 'Akte angelegt' }, coburgToken);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { caseId: coburgCase.caseId, status: 'in_progress' });
  assert.deepEqual(calls[0], { fn: 'changeCaseStatus', input: {
    tenantId: coburgCase.tenantId, caseId: coburgCase.caseId, to: 'in_progress', actor: { type: 'integration', id: coburgClientId, trustLevel: null }, reason: 'Akte angelegt',
  } });

  const illegal = await post(statusUrl(coburgCase.caseId), { status: 'closed' }, coburgToken);
  assert.equal(illegal.statusCode, 409);
  const problem = illegal.json();
  assert.equal(problem.code, 'ILLEGAL_TRANSITION');
  assert.equal(problem.from, 'in_progress');
  assert.equal(problem.to, 'closed');
  assert.match(problem.detail, /„in_progress“ nach „closed“/);
  assert.equal(problem.status, 409);
});

test('a decision is issued once; a repeat with the same key yields the same one; a decided case refuses another', async () => {
  const body = { outcome: 'granted', title: 'Bescheid Hundesteuer', body: 'Der Hund ist angemeldet.', feeCents: 0, idempotencyKey: 'fv-bescheid-0001' };
  const first = await post(decisionUrl(coburgCase.caseId), body, coburgToken);
  assert.equal(first.statusCode, 201, first.body);
  const { decisionId } = first.json();
  assert.match(decisionId, /^[0-9a-f-]{36}$/);
  assert.equal(calls[0]?.input.clientId, coburgClientId);
  const again = await post(decisionUrl(coburgCase.caseId), body, coburgToken);
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.json(), { caseId: coburgCase.caseId, decisionId, alreadyIssued: true });
  const other = await post(decisionUrl(coburgCase.caseId), { ...body, idempotencyKey: 'fv-bescheid-0002' }, coburgToken);
  assert.equal(other.statusCode, 409);
  assert.deepEqual([other.json().from, other.json().to], ['decided', 'decided']);
});

test('a revoked token no longer works', async () => {
  const db = app.database.db;
  const staff = await db.selectFrom('staff_accounts').select('id').where('email', '=', 'sachbearbeitung@coburg.demo.digitales-amt.de').executeTakeFirstOrThrow();
  const client = await createIntegrationClient(db, { tenantId: coburgCase.tenantId, staffId: staff.id, requestId: 'test' }, 'Kurzlebig');
  assert.equal((await post(statusUrl(crypto.randomUUID()), { status: 'in_progress' }, client.token)).statusCode, 404, 'works before');
  assert.ok(await revokeIntegrationClient(db, { tenantId: coburgCase.tenantId, staffId: staff.id, requestId: 'test' }, client.clientId));
  assert.equal((await post(statusUrl(coburgCase.caseId), { status: 'in_progress' }, client.token)).statusCode, 401);
});
