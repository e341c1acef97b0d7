/**
 * The form engine's markup in a real browser, without JavaScript: every step of every reference
 * procedure (empty and after posting it empty, with errors) passes axe-core; pressing Enter in a
 * field continues (it does not press the first "Entfernen" button); "Weitere hinzufügen" and
 * "Entfernen" work as plain submit buttons. A small HTTP server drives the engine the way the
 * applications module does (read, validate, re-render), with the portal's stylesheet.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { buildStepView, loadReferenceForm, readStepAnswers, REFERENCE_FORMS, validateStep, type Answers, type ReferenceFormName } from '../../src/modules/forms/index.ts';
import { closeContext, launchBrowser, navigate, newContext, newPage, type Browser, type Page } from './browser.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CSS = readFileSync(path.join(ROOT, 'public/app.css'), 'utf8');
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(ROOT, 'src')), { autoescape: true, trimBlocks: true, lstripBlocks: true });
const PAGE = `<!DOCTYPE html><html lang="{{ locale }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ view.title }}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>
<body><main id="main" class="container">{% import "platform/html/templates/components.njk" as ui %}{% import "modules/forms/views/step.njk" as formStep %}
{{ ui.errorSummary(view.errorSummary, t) }}
<h1>{{ view.title }}</h1>{% if view.intro %}<p>{{ view.intro }}</p>{% endif %}
<form method="post" action="{{ action }}" novalidate>{{ formStep.implicitSubmit('Weiter') }}{{ formStep.items(view) }}<button type="submit" name="_action" value="continue">Weiter</button></form>
</main></body></html>`;

/** Per form: the answers so far (one visitor); the last posted action. */
const drafts = new Map<string, Answers>();
let lastAction: string | undefined;
let server: Server;
let baseUrl: string;
let browser: Browser;

function render(form: ReferenceFormName, stepId: string, locale: 'de' | 'en', read?: { answers: Answers; raw: Record<string, string | string[]> }, withErrors = false): string {
  const definition = loadReferenceForm(form);
  const answers = read?.answers ?? drafts.get(form) ?? {};
  const errors = withErrors ? validateStep(definition, stepId, answers, read?.raw) : [];
  const view = buildStepView(definition, stepId, { answers, ...(read ? { raw: read.raw } : {}), errors, locale });
  return env.renderString(PAGE, { view, locale, action: `/${form}/${stepId}?lang=${locale}`, t: (key: string) => (key === 'form.errorSummaryTitle' ? (locale === 'de' ? 'Es gibt ein Problem' : 'There is a problem') : key) });
}

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/app.css') {
      res.writeHead(200, { 'content-type': 'text/css' }).end(CSS);
      return;
    }
    const [, form, stepId] = url.pathname.split('/') as [string, ReferenceFormName, string];
    if (!REFERENCE_FORMS.includes(form) || !loadReferenceForm(form).steps.some((s) => s.id === stepId)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const locale = url.searchParams.get('lang') === 'en' ? 'en' : 'de';
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(render(form, stepId, locale));
      return;
    }
    let data = '';
    req.on('data', (chunk: Buffer) => { data += chunk.toString(); });
    req.on('end', () => {
      const body: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(data)) {
        const existing = body[key];
        body[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      lastAction = typeof body._action === 'string' ? body._action : undefined;
      const read = readStepAnswers(loadReferenceForm(form), stepId, body, drafts.get(form) ?? {});
      drafts.set(form, read.answers);
      const withErrors = read.action.kind === 'continue';
      res.writeHead(withErrors ? 400 : 200, { 'content-type': 'text/html; charset=utf-8' }).end(render(form, stepId, locale, read, withErrors));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** A page without JavaScript; every document it loads is checked with axe (closeContext fails otherwise). */
async function page(): Promise<Page> {
  return newPage(await newContext(browser, { javaScriptEnabled: false }));
}

test('every step of every reference procedure passes axe, empty and with errors (German and English by turns)', { timeout: 600_000 }, async () => {
  const p = await page();
  for (const form of REFERENCE_FORMS) {
    for (const [i, step] of loadReferenceForm(form).steps.entries()) {
      for (const locale of [i % 2 ? 'en' : 'de'] as const) {
        drafts.delete(form);
        await navigate(p, () => p.goto(`${baseUrl}/${form}/${step.id}?lang=${locale}`));
        const response = await navigate(p, () => p.locator('main form button[type=submit]').last().click());
        assert.equal(response.status(), 400, `${form}/${step.id}: posting the step empty shows errors`);
      }
    }
  }
  await closeContext(p.context());
});

test('repeating groups work without JavaScript, and Enter in a field continues instead of removing', async () => {
  const p = await page();
  drafts.delete('hundesteuer');
  await navigate(p, () => p.goto(`${baseUrl}/hundesteuer/hundeangaben`));
  await p.getByLabel('Name des Hundes').fill('Bello');
  await navigate(p, () => p.getByRole('button', { name: 'Weitere hinzufügen' }).click());
  assert.equal(lastAction, 'add:f.hunde');
  assert.equal(await p.locator('fieldset.repetition').count(), 2);
  assert.equal(await p.locator('[id="f.hunde.0.hund_name"]').inputValue(), 'Bello', 'the first dog is kept');
  await p.locator('[id="f.hunde.1.hund_name"]').fill('Rex');
  // Enter in a field submits with the first submit button in the form: the hidden "continue", not "Entfernen".
  await navigate(p, () => p.locator('[id="f.hunde.1.hund_name"]').press('Enter'));
  assert.equal(lastAction, 'continue');
  assert.equal(await p.locator('fieldset.repetition').count(), 2);
  assert.ok(await p.locator('.error-summary a[href="#f.hunde.0.rasse"]').count(), 'the summary links to the first dog\'s breed');
  await navigate(p, () => p.getByRole('button', { name: 'Entfernen Hund 1' }).click());
  assert.equal(lastAction, 'remove:f.hunde.0');
  assert.equal(await p.locator('fieldset.repetition').count(), 1);
  assert.equal(await p.locator('[id="f.hunde.0.hund_name"]').inputValue(), 'Rex', 'the second dog moved up, with what was typed');
  // Visibility follows the answers on the next render: a list dog asks for the permit.
  await p.locator('[id="f.hunde.0.listenhund"]').check();
  await navigate(p, () => p.locator('[id="f.hunde.0.hund_name"]').press('Enter'));
  assert.ok(await p.locator('[id="f.hunde.0.erlaubnis"]').count(), 'the permit upload is shown for a list dog');
  await closeContext(p.context());
});
