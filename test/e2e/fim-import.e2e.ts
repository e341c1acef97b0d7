/**
 * München's editor imports a FIM schema in the browser: submits without a file and lands on the
 * error summary, then uploads the real Stammdatenschema S00000094 with its code lists, reads the
 * report and the preview (axe on every page), and downloads the form definition JSON.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import {
  closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, startServer, visit, waitForFocus,
  type Browser, type TestServer,
} from './browser.ts';

const S94 = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../reference-data/fim/xdf2-real/S00000094V1.0_xdf2');

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

test('an editor imports a FIM schema, reads the report and downloads the definition', async () => {
  const context = await newContext(browser, { acceptDownloads: true });
  try {
    const page = await newPage(context);
    await visit(page, server, '/verwaltung/anmelden');
    await page.getByLabel('Dienstliche E-Mail-Adresse').fill('redaktion@muenchen.demo.digitales-amt.de');
    await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
    await enterTotpCode(page, server, 'redaktion@muenchen.demo.digitales-amt.de');
    await navigate(page, () => page.getByRole('link', { name: 'Formular aus einem FIM-Stammdatenschema importieren' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/formulare/fim-import');

    // Without a file: the error summary takes the focus and links to the file input.
    const empty = await navigate(page, () => page.getByRole('button', { name: 'Importieren und Vorschau zeigen' }).click());
    assert.equal(empty.status(), 400);
    await waitForFocus(page, 'div.error-summary');
    assert.equal(await page.locator('.error-summary a').getAttribute('href'), '#files');

    const files = readdirSync(S94).filter((n) => n.endsWith('.xml')).map((n) => path.join(S94, n));
    await page.getByLabel('Schema und Codelisten (XML-Dateien)').setInputFiles(files);
    const done = await navigate(page, () => page.getByRole('button', { name: 'Importieren und Vorschau zeigen' }).click());
    assert.equal(done.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /wurde in eine Formulardefinition übersetzt/);
    assert.equal(await page.locator('.fim-rules > li').count(), 13);
    assert.equal(await page.getByRole('heading', { level: 4, name: /^Schritt 1: Informationen zum Arbeitgeber/ }).count(), 1);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Formulardefinition herunterladen (JSON)' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'S00000094-V1.0.definition.json');
    const saved = await download.path();
    const definition = JSON.parse(readFileSync(saved, 'utf8'));
    assert.equal(definition.source, 'FIM S00000094 V1.0 (XDatenfelder 2.0)');
  } finally {
    await closeContext(context);
  }
});
