/**
 * Online applications in Chromium, axe-core on every page visited:
 * - a Führungszeugnis (trust level hoch, fee before submission): from the service page through the
 *   steps and the check page to the payment simulator, paid, and the application submitted;
 * - a Hundesteuer registration without JavaScript: a second dog added and removed with plain submit
 *   buttons, errors in the error summary, the check page, submitted, the receipt offered.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  closeContext, continueButton, launchBrowser, logInCitizenWithDemoOidc, navigate, newContext, newPage, reloadUntil, startServer,
  visit, type Browser, type Page, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await server?.close(); });

/** Citizen login through the demo identity provider (OpenID Connect side). */
const logIn = (page: Page, person: string, level: string, returnTo: string) => logInCitizenWithDemoOidc(page, server, person, level, returnTo);


test('a Führungszeugnis: logged in at level hoch, prefilled, paid through the simulator, submitted', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/leistungen/99049001000000?ags=09463000');
    await navigate(page, () => page.getByRole('link', { name: /Führungszeugnis beantragen/ }).click());
    assert.match(new URL(page.url()).pathname, /^\/antraege\/neu\//);
    const startUrl = new URL(page.url());
    assert.match(await page.locator('main').innerText(), /Vertrauensniveau „hoch“/);

    await logIn(page, 'Maria Neumann (U01, 1964-08-12)', 'hoch', startUrl.pathname + startUrl.search);
    assert.equal(new URL(page.url()).pathname, startUrl.pathname, 'back at the start page after the login');
    await navigate(page, () => page.getByRole('button', { name: 'Antrag beginnen' }).click());

    // Step 1: the identity's data is prefilled and marked as such.
    assert.equal(await page.locator('[name="f.familienname"]').inputValue(), 'Neumann');
    assert.match(await page.locator('main').innerText(), /aus Ihrem Nutzerkonto übernommen/);
    await page.locator('[name="f.geburtsort"]').fill('Berlin');
    await page.locator('[name="f.staatsangehoerigkeit"]').selectOption('DE');
    await navigate(page, () => continueButton(page).click());

    // Step 2: an error first, then the answers.
    let response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    assert.ok((await page.locator('.error-summary a').count()) >= 3);
    await page.locator('input[name="f.art"][value="normal"]').check();
    await page.locator('[name="f.verwendungszweck"]').fill('Vorlage beim Arbeitgeber');
    await page.locator('input[name="f.ehrenamt"][value="no"]').check();
    await page.locator('[name="f.anzahl"]').fill('1');
    await navigate(page, () => continueButton(page).click());
    await page.locator('input[name="f.empfang"][value="privat"]').check();
    await navigate(page, () => continueButton(page).click());
    await page.locator('input[name="f.bestaetigung"][value="yes"]').check();
    await navigate(page, () => continueButton(page).click());

    // Check page: the answers and the fee; pay first.
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Angaben prüfen und absenden');
    const check = await page.locator('main').innerText();
    assert.match(check, /Vorlage beim Arbeitgeber/);
    assert.match(check, /13,00\s€/);
    await navigate(page, () => page.getByRole('button', { name: /13,00\s€ bezahlen und Antrag absenden/ }).click());
    assert.match(new URL(page.url()).pathname, /^\/demo-zahlung\//);
    assert.match(await page.locator('main').innerText(), /Testdienst/);
    await page.getByLabel('Bezahlen', { exact: true }).check();
    await navigate(page, () => page.getByRole('button', { name: 'Weiter' }).click());

    // Back at the portal: submitted (at once, or after the payment is booked).
    await reloadUntil(page, async () => /Ihr Antrag ist eingegangen/.test(await page.locator('main').innerText()), 15_000, 'the submitted application');
    const reference = await page.locator('.reference').innerText();
    assert.match(reference, /^DA-\d{4}-\d{7}$/);
    await visit(page, server, '/antraege');
    assert.match(await page.locator('main').innerText(), new RegExp(reference));
  } finally {
    await closeContext(context);
  }
});

test('a Hundesteuer registration without JavaScript: repeating group, errors, check page, submitted', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  try {
    const page = await newPage(context);
    await logIn(page, 'Manfred Schmidt (U02, 1969-02-11)', 'substantiell', '/leistungen/99102013000000?ags=09463000');
    await navigate(page, () => page.getByRole('link', { name: /Hund zur Hundesteuer anmelden/ }).click());
    await navigate(page, () => page.getByRole('button', { name: 'Antrag beginnen' }).click());
    // The holder, prefilled from the account; the address is in Nürnberg, the dog lives in Coburg.
    await page.locator('[name="f.anschrift.postcode"]').fill('96450');
    await page.locator('[name="f.anschrift.city"]').fill('Coburg');
    await navigate(page, () => continueButton(page).click());

    // A second dog added and removed with plain submit buttons.
    await navigate(page, () => page.getByRole('button', { name: /Weitere/ }).first().click());
    assert.equal(await page.locator('fieldset.repetition').count(), 2);
    await navigate(page, () => page.getByRole('button', { name: /Entfernen/ }).last().click());
    assert.equal(await page.locator('fieldset.repetition').count(), 1);
    const response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await page.locator('[name="f.hunde.0.hund_name"]').fill('Bello');
    await page.locator('[name="f.hunde.0.rasse"]').fill('Dackel');
    await page.locator('input[name="f.hunde.0.hund_geschlecht"][value="ruede"]').check();
    await page.locator('[name="f.hunde.0.wurfdatum"]').fill('01.03.2024');
    await page.locator('[name="f.hunde.0.gehalten_seit"]').fill('01.06.2024');
    await page.locator('input[name="f.hunde.0.listenhund"][value="no"]').check();
    await navigate(page, () => continueButton(page).click());
    await page.locator('input[name="f.ermaessigung_beantragt"][value="no"]').check();
    await navigate(page, () => continueButton(page).click());
    await page.locator('input[name="f.lastschrift"][value="no"]').check();
    await navigate(page, () => continueButton(page).click());

    assert.match(await page.locator('main').innerText(), /Bello/);
    await navigate(page, () => page.getByRole('button', { name: 'Antrag verbindlich absenden' }).click());
    assert.match(await page.locator('main').innerText(), /Ihr Antrag ist eingegangen/);
    assert.match(await page.locator('main').innerText(), /Stadt Coburg/);
    await server.app.worker.drain();
    await navigate(page, () => page.reload());
    assert.equal(await page.getByRole('link', { name: /Eingangsbestätigung herunterladen/ }).count(), 1);
  } finally {
    await closeContext(context);
  }
});
