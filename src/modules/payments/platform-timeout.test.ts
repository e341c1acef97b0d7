/**
 * A payment platform that stops answering: the payer's return and the platform's notification do
 * not decide anything by guess. A payer who says "paid" leaves the payment pending; a cancel leaves
 * it open; the notification is answered 503 so that the platform sends it again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { DEMO_PMPAYMENT_SECRET } from '../../config.ts';
import { createRenderer } from '../../platform/html/views.ts';
import { translator } from '../../platform/i18n/i18n.ts';
import { computeFee, feeSchedule, presentFee } from './fee-schedule.ts';
import { nextKassenzeichen } from './payment-reference.ts';
import { findPaymentForSystem, insertPayment, recordCreated, setProviderTransaction } from './payments.repository.ts';
import { hmacHex, merchantKey } from './provider.ts';

let hanging: Server;
let app: TestApp;
let coburg: string;
before(async () => {
  hanging = createServer(() => { /* accepts, never answers */ });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  app = await createTestApp({ PMPAYMENT_URL: url, EPAYBL_URL: url, PAYMENT_TIMEOUT_MS: '150', PUBLIC_URL: 'http://127.0.0.1:9' });
  coburg = (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
});
after(async () => {
  await app.dispose();
  hanging.closeAllConnections();
  await new Promise<void>((resolve) => hanging.close(() => resolve()));
});

async function openPayment(txid: string) {
  const db = app.database.db;
  const p = await db.transaction().execute(async (tx) => {
    const created = (await insertPayment(tx, {
      tenantId: coburg, payableKind: 'application', payableId: randomUUID(), amountCents: 1300, kassenzeichen: await nextKassenzeichen(tx),
      purpose: 'GEBUEHR', provider: 'pmpayment', returnPath: '/konto',
    }))!;
    await recordCreated(tx, created);
    return created;
  });
  await setProviderTransaction(db, p.id, txid, 'http://example.invalid/pay');
  return p;
}

test('the payer\'s return while the platform does not answer: "paid" becomes pending, a cancel stays open', async () => {
  const paid = await openPayment('PMTIMEOUT0001');
  const back = await app.server.inject({ method: 'GET', url: `/zahlung/${paid.id}/zurueck/erfolg` });
  assert.equal(back.statusCode, 303);
  assert.equal(back.headers.location, '/konto?zahlung=pending');
  assert.equal((await findPaymentForSystem(app.database.db, paid.id))!.status, 'pending');

  const cancelled = await openPayment('PMTIMEOUT0002');
  const cancel = await app.server.inject({ method: 'GET', url: `/zahlung/${cancelled.id}/zurueck/abbruch` });
  assert.equal(cancel.headers.location, '/konto?zahlung=open');
  assert.equal((await findPaymentForSystem(app.database.db, cancelled.id))!.status, 'open');
  assert.equal((await app.server.inject({ method: 'GET', url: `/zahlung/${randomUUID()}/zurueck/erfolg` })).statusCode, 404);
  const outcomes = await app.database.db.selectFrom('jobs').select('id').where('type', '=', 'payments.outcome@1').execute();
  assert.equal(outcomes.length, 0, 'nothing is reported as an outcome');
});

test('a notification that cannot be confirmed is answered 503 and changes nothing', async () => {
  const p = await openPayment('PMTIMEOUT0003');
  const ags = '09463000';
  const hash = hmacHex(merchantKey(DEMO_PMPAYMENT_SECRET, 'pmpayment', ags), `${ags}|PMTIMEOUT0003`);
  const res = await app.server.inject({
    method: 'POST', url: '/api/zahlungen/pmpayment/benachrichtigung',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ags, txid: 'PMTIMEOUT0003', hash }).toString(),
  });
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { code: 'unavailable' });
  assert.equal((await findPaymentForSystem(app.database.db, p.id))!.status, 'open');
});

test('the fee summary shows each line and the total, or that nothing is to pay', () => {
  const render = createRenderer();
  const schedule = feeSchedule.parse({ items: [{ kind: 'fixed', label: { de: 'Führungszeugnis' }, cents: 1300 }, { kind: 'byQuantity', label: { de: 'Kopien' }, field: 'n', unitCents: 200 }] });
  const out = render('modules/payments/views/fee-summary.njk', { t: translator('de'), fee: presentFee(computeFee(schedule, { n: 2 }), 'de') });
  assert.match(out, /<td>Führungszeugnis<\/td><td>13,00\u00a0€<\/td>/);
  assert.match(out, /<td>Kopien<\/td><td>4,00\u00a0€<\/td>/);
  assert.match(out, /<th scope="row">Summe<\/th><td>17,00\u00a0€<\/td>/);
  const free = render('modules/payments/views/fee-summary.njk', { t: translator('en'), fee: presentFee({ totalCents: 0, lines: [] }, 'en') });
  assert.match(free, /There is no fee for this application\./);
  assert.doesNotMatch(free, /<table/);
});
