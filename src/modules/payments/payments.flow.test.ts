/**
 * Payment flows over real HTTP: the portal listens on a port, the embedded simulator speaks
 * pmPayment and ePayBL to it, the payer's browser is a cookie-keeping fetch client, and the
 * simulator's notifications are jobs that call the portal's notify endpoints.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { FetchClient } from '../../../test/support/fetch-client.ts';
import { loadConfig, DEMO_EPAYBL_SECRET, DEMO_PMPAYMENT_SECRET } from '../../config.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { confirmPayment } from './confirm-payment.ts';
import {
  createPaymentsRuntime, paymentsFor, reconcilePayments, registerPaymentOutcomeHandler, startPayment, type PaymentOutcomeEvent,
} from './index.ts';
import { hmacHex, merchantKey } from './provider.ts';
import { findPaymentForSystem } from './payments.repository.ts';

const KIND = 'test-payable';
const COBURG_AGS = '09463000';
let app: TestApp;
let base: string;
let coburg: string;
const events: PaymentOutcomeEvent[] = [];

before(async () => {
  app = await createTestApp({ PAYMENT_SIMULATOR_DELAY_MS: '0' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  coburg = (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  registerPaymentOutcomeHandler(KIND, async (tx, event) => {
    // Runs in the job's transaction: the payment it reports is visible and settled.
    const row = await tx.selectFrom('payments').select('status').where('id', '=', event.paymentId).executeTakeFirstOrThrow();
    assert.equal(row.status, event.status);
    events.push(event);
  });
});
after(async () => { await app.dispose(); });

const deps = () => ({ db: app.database.db, payments: app.payments });
const eventsOf = (paymentId: string) => events.filter((e) => e.paymentId === paymentId);

async function start(provider: 'pmpayment' | 'epaybl', amountCents = 1300, payableId = randomUUID()) {
  const started = await startPayment(deps(), { tenantId: coburg, payableKind: KIND, payableId, amountCents, purpose: 'Führungszeugnis', returnUrl: '/konto', provider, baseUrl: base });
  return { ...started, payableId };
}

async function payment(id: string) {
  return (await findPaymentForSystem(app.database.db, id))!;
}

async function countRows(table: 'payment_status_changes', paymentId: string, toStatus?: string): Promise<number> {
  let q = app.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('payment_id', '=', paymentId);
  if (toStatus) q = q.where('to_status', '=', toStatus as 'paid');
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function outcomeJobs(paymentId: string): Promise<{ status: string }[]> {
  const rows = await app.database.db.selectFrom('jobs').select('payload').where('type', '=', 'payments.outcome@1').execute();
  return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { paymentId: string; status: string }).filter((p) => p.paymentId === paymentId);
}

/** The payer at the simulator: opens the platform page, chooses, and gets the platform's redirect. */
async function choose(redirectUrl: string, choice: 'pay' | 'pay_delayed' | 'cancel' | 'fail') {
  const browser = new FetchClient(base);
  const page = await browser.get(redirectUrl);
  assert.equal(page.status, 200);
  assert.match(page.body, /Testdienst/);
  const answer = await browser.submit(redirectUrl, { choice });
  assert.equal(answer.status, 303, answer.body.slice(0, 300));
  return { browser, returnUrl: answer.location! };
}

function pmNotification(txid: string, ags = COBURG_AGS, key = merchantKey(DEMO_PMPAYMENT_SECRET, 'pmpayment', ags)) {
  return fetch(`${base}/api/zahlungen/pmpayment/benachrichtigung`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ags, txid, hash: hmacHex(key, `${ags}|${txid}`) }).toString(),
  });
}

function epayblCallback(body: Record<string, unknown>, key = merchantKey(DEMO_EPAYBL_SECRET, 'epaybl', COBURG_AGS)) {
  const text = JSON.stringify(body);
  return fetch(`${base}/api/zahlungen/epaybl/benachrichtigung`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-epaybl-signature': hmacHex(key, text) }, body: text,
  });
}

test('pmPayment: pay, return (confirmed by a status query), resume is idempotent, the outcome handler runs once', async () => {
  const started = await start('pmpayment');
  assert.match(started.redirectUrl, new RegExp(`^${base}/demo-zahlung/pmpayment/PM[0-9A-F]+$`));
  assert.match(started.kassenzeichen, /^\d{12}$/);
  const again = await start('pmpayment', 1300, started.payableId);
  assert.deepEqual([again.paymentId, again.redirectUrl, again.resumed], [started.paymentId, started.redirectUrl, true]);

  const { browser, returnUrl } = await choose(started.redirectUrl, 'pay');
  assert.equal(returnUrl, `${base}/zahlung/${started.paymentId}/zurueck/erfolg`);
  const back = await browser.get(returnUrl);
  assert.equal(back.status, 303);
  assert.equal(back.location, '/konto?zahlung=paid');
  const paid = await payment(started.paymentId);
  assert.equal(paid.status, 'paid');
  assert.ok(paid.paidAt);

  await app.worker.drain(); // the simulator's notification arrives after the return: a duplicate
  assert.equal((await payment(started.paymentId)).status, 'paid');
  assert.equal(await countRows('payment_status_changes', started.paymentId, 'paid'), 1);
  assert.deepEqual(eventsOf(started.paymentId).map((e) => [e.status, e.amountCents, e.payableId, e.tenantId]), [['paid', 1300, started.payableId, coburg]]);

  const listed = await paymentsFor(app.database.db, coburg, KIND, started.payableId);
  assert.deepEqual(listed.map((p) => [p.id, p.status, p.resumeUrl]), [[started.paymentId, 'paid', null]]);
  assert.deepEqual(await paymentsFor(app.database.db, randomUUID(), KIND, started.payableId), []);
});

test('ePayBL: the notification books the payment before the payer returns', async () => {
  const started = await start('epaybl', 2550);
  assert.match(started.redirectUrl, /\/demo-zahlung\/epaybl\/EP[0-9A-F]+$/);
  const { browser, returnUrl } = await choose(started.redirectUrl, 'pay');
  assert.equal((await payment(started.paymentId)).status, 'open');
  await app.worker.drain();
  assert.equal((await payment(started.paymentId)).status, 'paid');
  assert.deepEqual(eventsOf(started.paymentId).map((e) => e.status), ['paid']);
  const history = await app.database.db.selectFrom('payment_status_changes').select(['to_status', 'source']).where('payment_id', '=', started.paymentId).orderBy('id').execute();
  assert.deepEqual(history.map((h) => [h.to_status, h.source]), [['open', 'start'], ['paid', 'notification']]);
  assert.equal((await browser.get(returnUrl)).location, '/konto?zahlung=paid');
});

test('cancel and fail end the payment; a new start after a cancel makes a new payment', async () => {
  const cancelled = await start('pmpayment');
  const c = await choose(cancelled.redirectUrl, 'cancel');
  assert.equal((await c.browser.get(c.returnUrl)).location, '/konto?zahlung=cancelled');
  const failed = await start('epaybl');
  const f = await choose(failed.redirectUrl, 'fail');
  assert.equal(f.returnUrl, `${base}/zahlung/${failed.paymentId}/zurueck/fehler`);
  assert.equal((await f.browser.get(f.returnUrl)).location, '/konto?zahlung=failed');
  await app.worker.drain();
  assert.deepEqual(eventsOf(cancelled.paymentId).map((e) => e.status), ['cancelled']);
  assert.deepEqual(eventsOf(failed.paymentId).map((e) => e.status), ['failed']);

  const retry = await start('pmpayment', 1300, cancelled.payableId);
  assert.notEqual(retry.paymentId, cancelled.paymentId);
  assert.equal(retry.resumed, false);
  assert.notEqual(retry.kassenzeichen, cancelled.kassenzeichen);
});

test('delayed notification: the payer returns to a pending payment, the late notification books it', async () => {
  const started = await start('epaybl');
  const { browser, returnUrl } = await choose(started.redirectUrl, 'pay_delayed');
  assert.equal((await browser.get(returnUrl)).location, '/konto?zahlung=pending');
  assert.equal((await payment(started.paymentId)).status, 'pending');
  // A second start while pending does not start another payment; it sends the payer back to the payable.
  const again = await start('epaybl', 1300, started.payableId);
  assert.deepEqual([again.paymentId, again.status, again.redirectUrl], [started.paymentId, 'pending', `${base}/konto`]);
  await app.worker.drain(); // the "pending" notification, then the settlement and its notification
  assert.equal((await payment(started.paymentId)).status, 'paid');
  assert.deepEqual(eventsOf(started.paymentId).map((e) => e.status), ['paid']);
});

test('notifications: forged, malformed, unknown, another authority\'s, wrong amount, duplicate, out of order', async () => {
  const started = await start('pmpayment');
  const txid = (await payment(started.paymentId)).providerTxid!;
  await choose(started.redirectUrl, 'pay');
  // Only the notifications sent here count: the simulator's own is dropped.
  await app.database.db.deleteFrom('jobs').where('type', '=', 'payments.simulator.notify@1').where('status', '=', 'pending').execute();

  const forged = await pmNotification(txid, COBURG_AGS, 'f'.repeat(64));
  assert.equal(forged.status, 401);
  assert.equal((await fetch(`${base}/api/zahlungen/pmpayment/benachrichtigung`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'txid=x' })).status, 400);
  assert.equal((await pmNotification('PM0000000000UNKNOWN')).status, 404);
  // Correctly signed by another authority (Bad Neustadt), for Coburg's transaction: unknown to it.
  assert.equal((await pmNotification(txid, '09673114')).status, 404);
  assert.equal((await payment(started.paymentId)).status, 'open');

  const first = await pmNotification(txid);
  assert.equal(first.status, 200);
  assert.deepEqual(await first.json(), { code: 'booked' });
  const duplicate = await pmNotification(txid);
  assert.deepEqual([duplicate.status, await duplicate.json()], [200, { code: 'unchanged' }]);
  assert.equal(await countRows('payment_status_changes', started.paymentId, 'paid'), 1);
  assert.equal((await outcomeJobs(started.paymentId)).length, 1);

  // ePayBL: a stale "in progress" callback after the payment was booked paid changes nothing.
  const ep = await start('epaybl', 990);
  const epTx = (await payment(ep.paymentId)).providerTxid!;
  await choose(ep.redirectUrl, 'pay');
  await app.worker.drain();
  assert.equal((await payment(ep.paymentId)).status, 'paid');
  const stale = await epayblCallback({ mandantId: 'demo-mandant', bewirtschafter: COBURG_AGS, id: epTx, status: 'IN_BEARBEITUNG', betrag: 990 });
  assert.deepEqual([stale.status, await stale.json()], [200, { code: 'unchanged' }]);
  assert.equal((await payment(ep.paymentId)).status, 'paid');
  const forgedEp = await epayblCallback({ mandantId: 'demo-mandant', bewirtschafter: COBURG_AGS, id: epTx, status: 'BEZAHLT', betrag: 990 }, 'a'.repeat(64));
  assert.equal(forgedEp.status, 401);
  const claimsOther = await epayblCallback({ mandantId: 'demo-mandant', bewirtschafter: COBURG_AGS, id: epTx, status: 'BEZAHLT', betrag: 1 });
  assert.equal(claimsOther.status, 409);

  // The platform reports another amount than the payment's: refused, not booked, recorded.
  const wrong = await start('pmpayment');
  const wrongTx = (await payment(wrong.paymentId)).providerTxid!;
  await choose(wrong.redirectUrl, 'pay');
  await app.database.db.updateTable('payment_simulator_transactions').set({ amount_cents: 130 }).where('id', '=', wrongTx).execute();
  const mismatch = await pmNotification(wrongTx);
  assert.deepEqual([mismatch.status, await mismatch.json()], [409, { code: 'amount_mismatch' }]);
  assert.equal((await payment(wrong.paymentId)).status, 'open');
  const audit = await app.database.db.selectFrom('audit_events').select(['action', 'details']).where('subject_id', '=', wrong.paymentId).execute();
  assert.deepEqual(audit.map((a) => a.action), ['payment.amount_mismatch']);
  assert.equal((await outcomeJobs(wrong.paymentId)).length, 0);
});

test('concurrent notifications for one payment book it once and enqueue one outcome job', async () => {
  const started = await start('pmpayment');
  const txid = (await payment(started.paymentId)).providerTxid!;
  await choose(started.redirectUrl, 'pay');
  let answers: Response[];
  if (app.database.kind === 'postgres') {
    // Deterministic race on PostgreSQL: hold the payment's row lock until several notifications
    // wait for it, so that they all read the payment while it is still open.
    answers = await app.database.db.transaction().execute(async (tx) => {
      await tx.selectFrom('payments').select('id').where('id', '=', started.paymentId).forUpdate().execute();
      const pending = Promise.all(Array.from({ length: 20 }, () => pmNotification(txid)));
      for (let i = 0; i < 500; i++) {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`.execute(tx);
        if (rows[0]!.n >= 2) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { pending };
    }).then((r) => r.pending);
  } else {
    answers = await Promise.all(Array.from({ length: 20 }, () => pmNotification(txid)));
  }
  const codes = await Promise.all(answers.map(async (r) => [r.status, ((await r.json()) as { code: string }).code] as const));
  assert.ok(codes.every(([status]) => status === 200), JSON.stringify(codes));
  assert.equal(codes.filter(([, code]) => code === 'booked').length, 1);
  assert.equal(await countRows('payment_status_changes', started.paymentId, 'paid'), 1);
  assert.equal((await outcomeJobs(started.paymentId)).length, 1);
  await app.worker.drain();
  assert.deepEqual(eventsOf(started.paymentId).map((e) => e.status), ['paid']);
});

test('reconciliation settles a payment whose notification was lost', async () => {
  const started = await start('epaybl');
  await choose(started.redirectUrl, 'pay');
  await app.database.db.deleteFrom('jobs').where('type', '=', 'payments.simulator.notify@1').where('status', '=', 'pending').execute();
  assert.equal((await payment(started.paymentId)).status, 'open');
  // Recently changed payments are left for their notification.
  assert.equal((await reconcilePayments(deps(), { minAgeMs: 60_000 })).changed, 0);
  const result = await reconcilePayments(deps(), { minAgeMs: 0, now: new Date(Date.now() + 1000) });
  assert.ok(result.changed >= 1);
  const settled = await payment(started.paymentId);
  assert.equal(settled.status, 'paid');
  const sources = await app.database.db.selectFrom('payment_status_changes').select('source').where('payment_id', '=', settled.id).where('to_status', '=', 'paid').execute();
  assert.deepEqual(sources.map((s) => s.source), ['reconciliation']);
});

test('a platform that does not answer in time leaves the payment as it is, and a start fails without a transaction', async () => {
  // A "platform" that accepts connections and never answers.
  const hanging: Server = createServer(() => { /* never answers */ });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  try {
    const config = loadConfig({ NODE_ENV: 'test', DEMO: 'true', PMPAYMENT_URL: url, EPAYBL_URL: url, PAYMENT_TIMEOUT_MS: '200', PUBLIC_URL: base });
    const slow = { db: app.database.db, payments: createPaymentsRuntime(config, app.cipher, pino({ level: 'silent' })) };

    // A pending payment at a platform that stopped answering: still pending afterwards.
    const started = await start('epaybl');
    const { browser, returnUrl } = await choose(started.redirectUrl, 'pay_delayed');
    assert.equal((await browser.get(returnUrl)).location, '/konto?zahlung=pending');
    await app.database.db.deleteFrom('jobs').where('type', 'in', ['payments.simulator.notify@1', 'payments.simulator.settle@1']).where('status', '=', 'pending').execute();
    const confirmed = await confirmPayment(slow, await payment(started.paymentId), 'reconciliation');
    assert.deepEqual(confirmed, { ok: false, code: 'unavailable', status: 'pending' });
    const reconciled = await reconcilePayments(slow, { minAgeMs: 0, now: new Date(Date.now() + 1000) });
    assert.ok(reconciled.unavailable >= 1);
    assert.equal((await payment(started.paymentId)).status, 'pending');

    const payableId = randomUUID();
    await assert.rejects(
      startPayment(slow, { tenantId: coburg, payableKind: KIND, payableId, amountCents: 500, purpose: 'x', returnUrl: '/konto' }),
      (error: unknown) => error instanceof DomainError && error.code === 'PAYMENT_UNAVAILABLE',
    );
    const [open] = await paymentsFor(app.database.db, coburg, KIND, payableId);
    assert.deepEqual([open?.status, open?.providerTxid], ['open', null]);
    // Once the platform answers again, the same payment is resumed and created there.
    const resumed = await start('pmpayment', 500, payableId);
    assert.equal(resumed.paymentId, open!.id);
    assert.match(resumed.redirectUrl, /\/demo-zahlung\/pmpayment\//);
  } finally {
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  }
});

test('the simulator refuses requests with a bad HMAC and re-renders a choice-less submit with 400', async () => {
  const bad = await fetch(`${base}/api/demo-zahlung/pmpayment/init`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ags: COBURG_AGS, amount: '100', procedure: 'x', desc: 'X', kassenzeichen: '1', notifyURL: `${base}/n`, redirectURL: `${base}/r`, hash: '0'.repeat(64) }).toString(),
  });
  assert.equal(bad.status, 401);
  const ep = await fetch(`${base}/api/demo-zahlung/epaybl/zahlvorgaenge/EP123456`, { headers: { authorization: `EPAYBL-HMAC demo-mandant:${COBURG_AGS}:${'0'.repeat(64)}` } });
  assert.equal(ep.status, 401);
  const started = await start('pmpayment');
  const browser = new FetchClient(base);
  const empty = await browser.submit(started.redirectUrl, {});
  assert.equal(empty.status, 400);
  assert.match(empty.body, /error-summary/);
  assert.equal((await payment(started.paymentId)).status, 'open');
});

test('the simulator cannot be configured in production', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PAYMENT_SIMULATOR: 'true' }), /PAYMENT_SIMULATOR: the payment simulator cannot be used/);
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PMPAYMENT_URL: 'https://pay.example.de', PMPAYMENT_SECRET: DEMO_PMPAYMENT_SECRET }), /PMPAYMENT_SECRET: the simulator's demo secret/);
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /PMPAYMENT_URL: required/);
});

test('a changed fee gives up the open, unpaid payment and starts a new one', async () => {
  const first = await start('pmpayment', 1300);
  const changed = await start('pmpayment', 1800, first.payableId);
  assert.notEqual(changed.paymentId, first.paymentId);
  assert.equal(changed.resumed, false);
  assert.equal((await payment(first.paymentId)).status, 'cancelled');
  assert.equal((await payment(changed.paymentId)).amountCents, 1800);
  // Should the payer still pay the old transaction at the platform, the money is booked, not lost.
  await choose(first.redirectUrl, 'pay');
  await app.worker.drain();
  assert.equal((await payment(first.paymentId)).status, 'paid');
  assert.deepEqual(eventsOf(first.paymentId).map((e) => e.status), ['cancelled', 'paid']);
});

test('simultaneous starts for one payable make one payment and one platform transaction', async () => {
  const payableId = randomUUID();
  const starts = await Promise.all(Array.from({ length: 5 }, () => start('epaybl', 1300, payableId)));
  assert.equal(new Set(starts.map((s) => s.paymentId)).size, 1);
  assert.equal(new Set(starts.map((s) => s.redirectUrl)).size, 1);
  const rows = await app.database.db.selectFrom('payments').select('id').where('payable_id', '=', payableId).execute();
  assert.equal(rows.length, 1);
  const sim = await app.database.db.selectFrom('payment_simulator_transactions').select('id').where('reference', '=', starts[0]!.kassenzeichen).execute();
  assert.equal(sim.length, 1);
});
