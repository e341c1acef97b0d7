/**
 * Payments in the browser: the payer goes through the payment simulator's pages (pmPayment and
 * ePayBL), with a forgotten choice first, pays, and lands back on the portal with the outcome; the
 * caseworker finds the payment, filters with a wrong date, and records a refund. axe-core checks
 * every page. (Paying a Führungszeugnis from its application follows with the applications module.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { registerPaymentOutcomeHandler, startPayment } from '../../src/modules/payments/index.ts';
import {
  CASEWORKER_EMAIL, closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, visit, type Browser, type TestServer, startServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
let coburg: string;
const outcomes: string[] = [];
let epayblReference = '';
before(async () => {
  [server, browser] = await Promise.all([startServer({ PAYMENT_SIMULATOR_DELAY_MS: '0' }), launchBrowser()]);
  coburg = (await server.app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  registerPaymentOutcomeHandler('e2e-payable', async (_tx, event) => { outcomes.push(`${event.payableId}:${event.status}`); });
});
after(async () => { await browser?.close(); await server?.close(); });

for (const provider of ['pmpayment', 'epaybl'] as const) {
  test(`the payer pays through the ${provider} simulator and returns to the portal`, async () => {
    const payableId = randomUUID();
    const started = await startPayment({ db: server.app.database.db, payments: server.app.payments }, {
      tenantId: coburg, payableKind: 'e2e-payable', payableId, amountCents: 1300, purpose: 'Führungszeugnis', returnUrl: '/', provider, baseUrl: server.baseUrl,
    });
    if (provider === 'epaybl') epayblReference = started.kassenzeichen;
    const context = await newContext(browser);
    try {
      const page = await newPage(context);
      await visit(page, server, started.redirectUrl);
      assert.match(await page.getByRole('note').filter({ hasText: 'Testdienst' }).innerText(), /Simulation einer Zahlungsplattform/);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Zahlung (Testdienst)');
      assert.match(await page.locator('main').innerText(), /13,00\s€/);
      assert.match(await page.locator('main').innerText(), new RegExp(started.kassenzeichen));

      // No choice: the page comes back with an error that leads to the options.
      let response = await navigate(page, () => page.getByRole('button', { name: 'Weiter' }).click());
      assert.equal(response.status(), 400);
      assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['Wählen Sie aus, wie die Zahlung ausgehen soll']);

      await page.getByLabel('Bezahlen', { exact: true }).check();
      response = await navigate(page, () => page.getByRole('button', { name: 'Weiter' }).click());
      assert.equal(response.status(), 200);
      assert.equal(page.url(), server.url('/?zahlung=paid'));
      const payment = await server.app.database.db.selectFrom('payments').select('status').where('id', '=', started.paymentId).executeTakeFirstOrThrow();
      assert.equal(payment.status, 'paid');
    } finally {
      await closeContext(context);
    }
    await server.app.worker.drain();
    assert.deepEqual(outcomes.filter((o) => o.startsWith(payableId)), [`${payableId}:paid`]);
  });
}

test('the demo test checkout: a payment started from a portal page, paid with a delayed notification', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/demo-zahlung');
    await page.getByLabel('Stadt Coburg').check();
    await page.getByLabel('ePayBL').check();
    await page.getByLabel('Betrag in Euro').fill('7,50');
    let response = await navigate(page, () => page.getByRole('button', { name: 'Zur Zahlung' }).click());
    assert.equal(response.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/demo-zahlung\/epaybl\/EP/);
    assert.match(await page.locator('main').innerText(), /7,50\s€/);
    await page.getByLabel('Bezahlen mit verzögerter Benachrichtigung').check();
    response = await navigate(page, () => page.getByRole('button', { name: 'Weiter' }).click());
    assert.equal(new URL(page.url()).pathname, '/demo-zahlung');
    assert.equal(new URL(page.url()).searchParams.get('zahlung'), 'pending');
    assert.match(await page.getByRole('region', { name: 'Ergebnis' }).innerText(), /In Bearbeitung/);
    await server.app.worker.drain(); // the platform settles and notifies
    await visit(page, server, new URL(page.url()).pathname + new URL(page.url()).search);
    assert.match(await page.getByRole('region', { name: 'Ergebnis' }).innerText(), /7,50\s€ · Bezahlt/);
  } finally {
    await closeContext(context);
  }
});

test('the caseworker finds the payment, and records a refund after a mistyped amount', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/verwaltung/zahlungen');
    await page.getByLabel('Dienstliche E-Mail-Adresse').fill(CASEWORKER_EMAIL);
    await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
    await enterTotpCode(page, server, CASEWORKER_EMAIL);
    assert.equal(new URL(page.url()).pathname, '/verwaltung/zahlungen');
    assert.match(await page.getByRole('status').innerText(), /3 Zahlungen gefunden/);

    await page.getByLabel('Angelegt ab').fill('2026-12-31');
    await page.getByLabel('Angelegt bis').fill('2026-01-01');
    let response = await navigate(page, () => page.getByRole('button', { name: 'Anzeigen' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['Das Enddatum darf nicht vor dem Anfangsdatum liegen']);

    await page.getByLabel('Angelegt ab').fill('');
    await page.getByLabel('Angelegt bis').fill('');
    await page.getByLabel('Zahlungsverkehrsanbieter').selectOption('epaybl');
    await page.getByLabel('Kassenzeichen oder Transaktions-ID').fill(epayblReference);
    await navigate(page, () => page.getByRole('button', { name: 'Anzeigen' }).click());
    assert.match(await page.getByRole('status').innerText(), /1 Zahlung gefunden/);
    await navigate(page, () => page.getByRole('table').getByRole('link').first().click());
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Zahlung \d{12}$/);

    await page.getByLabel('Betrag in Euro').fill('20,00');
    await page.getByLabel('Grund').fill('Antrag zurückgenommen');
    response = await navigate(page, () => page.getByRole('button', { name: 'Erstattung erfassen' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['Der Betrag ist höher als der noch nicht erstattete Teil der Zahlung']);
    assert.equal(await page.getByLabel('Grund').inputValue(), 'Antrag zurückgenommen');

    await page.getByLabel('Betrag in Euro').fill('13,00');
    response = await navigate(page, () => page.getByRole('button', { name: 'Erstattung erfassen' }).click());
    assert.equal(response.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /Erstattung ist erfasst/);
    assert.match(await page.locator('.facts').innerText(), /Erstattet\s+Erstattet/);
  } finally {
    await closeContext(context);
  }
});
