/**
 * A tenant administrator changes a procedure's case workflow in the browser, without JavaScript:
 * the form library's page with the settings of each procedure (axe on every page), the radio group
 * with its explanations, saved and shown again as chosen.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, startServer, visit,
  type Browser, type TestServer,
} from './browser.ts';

const ADMIN = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

test('a tenant administrator makes a procedure a notification without JavaScript; the choice is explained and kept', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  try {
    const page = await newPage(context);
    await visit(page, server, '/verwaltung/anmelden');
    await page.getByLabel('Dienstliche E-Mail-Adresse').fill(ADMIN);
    await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
    await enterTotpCode(page, server, ADMIN);
    await visit(page, server, '/verwaltung/formulare');
    await navigate(page, () => page.getByRole('row', { name: /Bauantrag online/ }).getByRole('link').first().click());

    const settings = page.getByRole('form', { name: /Bauantrag online/ });
    const workflow = settings.getByRole('group', { name: 'Ablauf der Vorgänge' });
    assert.equal(await workflow.getByRole('radio').count(), 2);
    assert.equal(await workflow.getByRole('radio', { name: 'Antrag mit Bescheid' }).isChecked(), true);
    const notification = workflow.getByRole('radio', { name: 'Anzeige zur Kenntnisnahme' });
    const explanation = await page.locator(`[id="${await notification.getAttribute('aria-describedby')}"]`).innerText();
    assert.match(explanation, /ohne Bescheid abgeschlossen/);

    await notification.check();
    const saved = await navigate(page, () => settings.getByRole('button', { name: 'Einstellungen speichern' }).click());
    assert.equal(saved.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /Einstellungen wurden gespeichert/);
    assert.equal(await page.getByRole('form', { name: /Bauantrag online/ }).getByRole('radio', { name: 'Anzeige zur Kenntnisnahme' }).isChecked(), true);
  } finally {
    await closeContext(context);
  }
});
