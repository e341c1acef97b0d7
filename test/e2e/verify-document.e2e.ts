/**
 * The public seal check in a real browser: a citizen uploads a sealed decision and sees the result
 * (multipart upload with the CSRF token as a form field), then a file that is not a PDF and gets
 * the error summary. axe-core on every page.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { renderPdf } from '../../src/platform/pdf/render-pdf.ts';
import { sealPdf } from '../../src/platform/pdf/seal-pdf.ts';
import { createSealKeyStore } from '../../src/platform/pdf/seal-keys.ts';
import { closeContext, launchBrowser, navigate, newContext, newPage, startServer, visit, type Browser, type TestServer } from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

test('a sealed decision uploaded on /pruefen is shown as valid; a renamed script is refused with an error summary', async () => {
  const { app } = server;
  const tenant = await app.database.db.selectFrom('tenants').select(['id', 'name']).orderBy('slug').executeTakeFirstOrThrow();
  const store = createSealKeyStore({ db: app.database.db, cipher: app.cipher, config: app.config.seal });
  const pdf = await sealPdf(await renderPdf({ title: 'Bescheid', author: tenant.name, blocks: [{ kind: 'paragraph', text: 'Gebühr 10,00 €' }] }),
    await store.tenantKey(tenant.id), { reason: 'Bescheid', location: 'Bayern', name: tenant.name });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-e2e-'));
  const sealedFile = path.join(dir, 'Bescheid.pdf');
  writeFileSync(sealedFile, pdf);
  const scriptFile = path.join(dir, 'rechnung.pdf');
  writeFileSync(scriptFile, '#!/bin/sh\necho pwned\n');

  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/pruefen');
    await page.getByLabel('PDF-Dokument').setInputFiles(sealedFile);
    const ok = await navigate(page, () => page.getByRole('button', { name: 'Dokument prüfen' }).click());
    assert.equal(ok.status(), 200);
    const result = page.locator('section[aria-labelledby="result-title"]');
    assert.match(await result.innerText(), /Das Siegel ist gültig/);
    assert.match(await result.innerText(), new RegExp(tenant.name));

    await page.getByLabel('PDF-Dokument').setInputFiles(scriptFile);
    const refused = await navigate(page, () => page.getByRole('button', { name: 'Weiteres Dokument prüfen' }).click());
    assert.equal(refused.status(), 400);
    assert.match(await page.locator('.error-summary').innerText(), /kein PDF-Dokument/);
  } finally {
    await closeContext(context);
  }
});
