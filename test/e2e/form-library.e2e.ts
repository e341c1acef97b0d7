/**
 * The form library in Chromium with axe-core on every page: München's editor opens the forms,
 * adopts Stadt Coburg's shared Hundesteuer form ("Einer für Alle") as an online procedure for
 * another service (a refused key first), and the new procedure shows in the catalogue for München.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, startServer, visit, type Browser, type Page, type TestServer } from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

const EDITOR_EMAIL = 'redaktion@muenchen.demo.digitales-amt.de';

async function logIn(page: Page) {
  await visit(page, server, '/verwaltung/anmelden');
  await page.getByLabel('Dienstliche E-Mail-Adresse').fill(EDITOR_EMAIL);
  await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
  await enterTotpCode(page, server, EDITOR_EMAIL);
}

test('an editor adopts another authority\'s shared form as an online procedure, which then shows in the catalogue', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await logIn(page);
    await navigate(page, () => page.getByRole('link', { name: 'Formulare und Online-Verfahren' }).first().click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Formulare und Online-Verfahren');
    // München already offers Coburg's dog-tax form (demo); the shared forms are listed with their publisher.
    assert.match(await page.locator('main').innerText(), /Hund zur Hundesteuer anmelden/);
    await navigate(page, () => page.getByRole('link', { name: /Bauantrag/ }).first().click());
    assert.match(await page.locator('main').innerText(), /Herausgegeben von Stadt Coburg/);

    // A malformed key: error summary, the value kept; then the real one.
    await page.getByLabel('Leistungsschlüssel (LeiKa)').fill('9901');
    await page.getByLabel('Name des Online-Verfahrens').fill('Bauvorbescheid online');
    let response = await navigate(page, () => page.getByRole('button', { name: 'Online-Verfahren anlegen' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['Geben Sie einen Leistungsschlüssel mit 14 Ziffern ein.']);
    assert.equal(await page.getByLabel('Name des Online-Verfahrens').inputValue(), 'Bauvorbescheid online');
    await page.getByLabel('Leistungsschlüssel (LeiKa)').fill('99012010001000');
    response = await navigate(page, () => page.getByRole('button', { name: 'Online-Verfahren anlegen' }).click());
    assert.equal(response.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /Online-Verfahren wurde angelegt/);

    // Citizens of München find it on the service page, with the start button.
    await visit(page, server, '/leistungen/99012010001000?ags=09162000');
    assert.equal(await page.getByRole('link', { name: /Bauvorbescheid online/ }).count(), 1);
  } finally {
    await closeContext(context);
  }
});
