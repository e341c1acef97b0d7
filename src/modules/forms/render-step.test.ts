/**
 * The step partial renders every field type accessibly and as valid HTML: rendered through the
 * app's Nunjucks renderer into a page, checked for label/id/aria wiring and by the Nu Html Checker
 * (vnu.jar, as in test/html-validity.test.ts; needs `java`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { parse, type HTMLElement } from 'node-html-parser';
import { buildStepView, buildSummaryView, conditionStates } from './build-views.ts';
import { checkFormDefinition } from './check-form-definition.ts';
import { readStepAnswers } from './read-answers.ts';
import { loadReferenceForm, REFERENCE_FORMS } from './reference-forms.ts';
import { everyTypeDefinition } from './test-fixtures.ts';
import { validateStep } from './validate-answers.ts';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(SRC), { autoescape: true, trimBlocks: true, lstripBlocks: true });

const PAGE = `<!DOCTYPE html><html lang="{{ locale }}"><head><meta charset="utf-8"><title>{{ view.title }}</title></head><body><main>
{% import "platform/html/templates/components.njk" as ui %}{% import "modules/forms/views/step.njk" as formStep %}
<h1>{{ view.title }}</h1>
{% if view.errorSummary.length %}<div class="error-summary"><h2>Es gibt ein Problem</h2><ul>{{ formStep.errorSummaryItems(view) }}</ul></div>{% endif %}
<form method="post" action="/x" enctype="multipart/form-data" novalidate>{{ formStep.implicitSubmit('Weiter') }}{{ formStep.items(view) }}<button type="submit">Weiter</button></form>
</main></body></html>`;
const SUMMARY = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Prüfen</title></head><body><main><h1>{{ view.title }}</h1>
{% import "modules/forms/views/summary.njk" as formSummary %}{{ formSummary.summary(view, '/antraege/1/schritt/', '?pruefen=1') }}</main></body></html>`;

const definition = everyTypeDefinition();
const files = [{ uploadId: 'up-1', fileName: 'urkunde.pdf', mediaType: 'application/pdf', sizeBytes: 123_456 }];

function renderStep(stepId: string, body: Record<string, string | string[]>, previous: Record<string, unknown>, locale: 'de' | 'en', withErrors: boolean): string {
  const read = readStepAnswers(definition, stepId, body, previous as never);
  const errors = withErrors ? validateStep(definition, stepId, read.answers, read.raw, { today: '2026-11-23' }) : [];
  const view = buildStepView(definition, stepId, { answers: read.answers, raw: read.raw, errors, locale, prefilledIds: ['vorname', 'anschrift'], withHidden: true });
  return env.renderString(PAGE, { view, locale });
}

const badPerson = {
  'f.vorname': 'Erika', 'f.bemerkung': 'kurz', 'f.kinder': 'drei', 'f.groesse': '12,5,5', 'f.betrag': '12,345', 'f.geburt': '31.02.1980',
  'f.uhrzeit': '25:00', 'f.land': 'XX', 'f.farben': ['rot', 'gruen', 'blau'], 'f.verheiratet': 'yes', 'f.anschrift.street': 'Hauptstraße',
  'f.anschrift.postcode': '9876', 'f.iban': 'DE00 1234', 'f.email': 'kein-at', 'f.telefon': 'abc', 'f.kennzeichen': 'xyz',
};
const badAnimals = { 'f.hunde.count': '2', 'f.hunde.0.rasse': '', 'f.hunde.0.listenhund': 'yes', 'f.hunde.1.rasse': 'Dackel', 'f.hunde.1.hund_geburt': '01.01.2020', 'f.hunde.1.seit': '01.01.2019', 'f.hunde.1.impfungen.count': '1' };

function checkWiring(name: string, html: string): void {
  const root = parse(html);
  const ids = new Set(root.querySelectorAll('[id]').map((e) => e.getAttribute('id')!));
  assert.equal(ids.size, root.querySelectorAll('[id]').length, `${name}: ids are unique`);
  for (const link of root.querySelectorAll('.error-summary a')) {
    const target = link.getAttribute('href')!.slice(1);
    assert.ok(ids.has(target), `${name}: error summary link #${target} has a target`);
    const element = root.querySelector(`[id="${target}"]`)!;
    assert.ok(['input', 'select', 'textarea', 'fieldset'].includes(element.tagName.toLowerCase()), `${name}: #${target} is a form control or fieldset`);
  }
  for (const control of root.querySelectorAll('input, select, textarea')) {
    const type = control.getAttribute('type');
    if (type === 'hidden') continue;
    if (control.tagName === 'BUTTON') continue;
    const id = control.getAttribute('id');
    assert.ok(id && root.querySelector(`label[for="${id}"]`), `${name}: ${control.getAttribute('name')} has a label`);
    for (const ref of (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean)) assert.ok(ids.has(ref), `${name}: aria-describedby ${ref} exists`);
    if ((type === 'radio' || type === 'checkbox')) {
      let parent: HTMLElement | null = control.parentNode;
      while (parent && parent.tagName !== 'FIELDSET') parent = parent.parentNode;
      assert.ok(parent?.querySelector('legend'), `${name}: ${control.getAttribute('name')} sits in a fieldset with a legend`);
    }
  }
  for (const fieldset of root.querySelectorAll('fieldset[aria-describedby]')) {
    for (const ref of fieldset.getAttribute('aria-describedby')!.split(' ')) assert.ok(ids.has(ref), `${name}: fieldset aria-describedby ${ref} exists`);
  }
}

test('a step with every field type, with errors, renders label, hint, error, aria-invalid and keeps the values', () => {
  const html = renderStep('person', badPerson, { nachweis: files }, 'de', true);
  const root = parse(html);
  checkWiring('person', html);
  // Every type's error message is shown at its field and linked from the summary.
  const summary = root.querySelectorAll('.error-summary a').map((a) => [a.getAttribute('href'), a.text]);
  const expected: [string, RegExp][] = [
    ['#f.bemerkung', /mindestens 5 Zeichen/], ['#f.kinder', /ganze Zahl/], ['#f.groesse', /eine Zahl/], ['#f.betrag', /Betrag in Euro/],
    ['#f.geburt', /Datum wie 31\.12\.1980/], ['#f.uhrzeit', /Uhrzeit wie 14:30/], ['#f.farbe', /Möglichkeit aus/], ['#f.land', /angebotenen Möglichkeiten/],
    ['#f.farben', /höchstens 2/], ['#f.heirat', /Tag der Eheschließung/], ['#f.anschrift.houseNumber', /Hausnummer/], ['#f.iban', /IBAN/],
    ['#f.email', /E-Mail-Adresse wie/], ['#f.telefon', /Telefonnummer/], ['#f.kennzeichen', /Kennzeichen wie M-AB 123/],
  ];
  for (const [href, text] of expected) {
    const entry = summary.find(([h]) => h === href);
    assert.ok(entry, `summary links ${href}: ${JSON.stringify(summary)}`);
    assert.match(entry[1]!, text);
  }
  assert.equal(summary.length, expected.length, JSON.stringify(summary));
  assert.equal(root.querySelector('[id="f.geburt"]')!.getAttribute('aria-invalid'), 'true');
  assert.equal(root.querySelector('[id="f.geburt"]')!.getAttribute('value'), '31.02.1980', 'unparseable input is kept');
  assert.equal(root.querySelector('[id="f.geburt"]')!.getAttribute('aria-describedby'), 'f.geburt-hint f.geburt-error');
  assert.equal(root.querySelector('[id="f.geburt"]')!.getAttribute('autocomplete'), 'bday');
  assert.equal(root.querySelector('[id="f.anschrift.street"]')!.getAttribute('value'), 'Hauptstraße');
  assert.equal(root.querySelector('[id="f.anschrift.houseNumber"]')!.getAttribute('aria-invalid'), 'true');
  assert.equal(root.querySelector('[id="f.anschrift.postcode"]')!.getAttribute('autocomplete'), 'postal-code');
  assert.equal(root.querySelectorAll('input[name="f.farben"][checked]').length, 3);
  assert.match(root.querySelector('[id="f.vorname-prefilled"]')!.text, /aus Ihrem Nutzerkonto übernommen/);
  assert.match(root.querySelector('[id="f.vorname"]')!.getAttribute('aria-describedby')!, /f\.vorname-prefilled/);
  assert.equal(root.querySelector('[id="f.land"]')!.tagName, 'SELECT', 'more than 7 entries: a select');
  assert.equal(root.querySelector('[id="f.farbe"]')!.getAttribute('type'), 'radio');
  assert.equal(root.querySelector('[id="f.email"]')!.getAttribute('type'), 'email');
  assert.equal(root.querySelector('[id="f.telefon"]')!.getAttribute('type'), 'tel');
  assert.match(root.querySelector('.uploaded')!.text, /urkunde\.pdf/);
  assert.equal(root.querySelector('.uploaded button')!.getAttribute('value'), 'remove-file:f.nachweis:up-1');
  assert.equal(root.querySelector('[id="f.nachweis"]')!.getAttribute('accept'), 'application/pdf,image/png');
  assert.ok(root.querySelector('[id="f.nachweis"]')!.hasAttribute('multiple'));
  assert.equal(buildStepView(definition, 'person', { answers: {}, locale: 'de' }).hasFileFields, true);
  assert.equal(buildStepView(definition, 'tiere', { answers: {}, locale: 'de' }).hasFileFields, false, 'the certificate is only shown for a list dog');
  assert.equal(buildStepView(definition, 'tiere', { answers: { hunde: [{ listenhund: true }] }, locale: 'de' }).hasFileFields, true);
  assert.match(root.querySelector('[id="f.hinweis"]')!.innerHTML, /<p>Bitte füllen Sie alles aus\.<\/p><p>Danke\.<\/p>/);
});

test('repeating groups render add and remove buttons within min/max, and the English texts', () => {
  const html = renderStep('tiere', badAnimals, { hunde: [{}, {}] }, 'en', true);
  const root = parse(html);
  checkWiring('tiere', html);
  assert.equal(root.querySelector('input[name="f.hunde.count"]')!.getAttribute('value'), '2');
  assert.deepEqual(root.querySelectorAll('button[name="_action"]').map((b) => b.getAttribute('value')),
    ['continue', 'add:f.hunde.0.impfungen', 'remove:f.hunde.0', 'remove:f.hunde.1.impfungen.0', 'add:f.hunde.1.impfungen', 'remove:f.hunde.1', 'add:f.hunde']);
  assert.match(root.querySelector('[id="f.hunde.0"] legend')!.text, /^Dog 1$/);
  const summary = root.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href'));
  assert.deepEqual(summary, ['#f.halter_name', '#f.hunde.0.rasse', '#f.hunde.0.gutachten', '#f.hunde.1.listenhund', '#f.hunde.1.impfungen.0.impfung_datum', '#f.hunde.1.seit']);
  assert.match(root.querySelector('[id="f.hunde.1.seit-error"]')!.text, /cannot be kept before it was born/);
  // At the maximum there is no add button; at the minimum no remove button.
  const full = parse(renderStep('tiere', { 'f.hunde.count': '3' }, {}, 'de', false));
  assert.equal(full.querySelector('button[value="add:f.hunde"]'), null);
  const single = parse(renderStep('tiere', { 'f.hunde.count': '1' }, {}, 'de', false));
  assert.equal(single.querySelector('button[value="remove:f.hunde.0"]'), null);
  assert.match(single.querySelector('button[value="add:f.hunde"]')!.text, /Weitere hinzufügen/);
});

test('with withHidden, items whose condition is false are in their place, hidden, their inputs disabled; conditionStates says what to show', () => {
  const root = parse(renderStep('person', {}, {}, 'de', false));
  checkWiring('person hidden', root.toString());
  const heirat = root.querySelector('[data-condition="f.heirat"]')!;
  assert.ok(heirat.hasAttribute('hidden'), 'the wedding date is hidden while "married" is not answered yes');
  assert.ok(heirat.querySelector('input[name="f.heirat"]')!.hasAttribute('disabled'), 'its input is not sent with the form');
  assert.equal(heirat.querySelector('label')!.getAttribute('for'), 'f.heirat');
  const order = root.querySelectorAll('.field').map((f) => f.querySelector('[name]')?.getAttribute('name'));
  assert.deepEqual(order.slice(order.indexOf('f.verheiratet'), order.indexOf('f.verheiratet') + 3), ['f.verheiratet', 'f.heirat', 'f.anschrift.street'], 'in its place in the page order');
  assert.equal(root.querySelectorAll('[data-condition]:not([hidden])').length, 0);
  assert.equal(root.querySelectorAll('input[disabled], select[disabled], textarea[disabled], button[disabled]').length, 1, 'nothing else is disabled');
  // A conditionally required field: "(optional)" while its condition is false, required when it holds.
  const nachweis = root.querySelector('[data-required-if="f.nachweis"]')!;
  assert.ok(!nachweis.hasAttribute('data-condition'), 'required on a condition, but always shown');
  assert.ok(!nachweis.querySelector('.optional')!.hasAttribute('hidden'));
  assert.ok(!nachweis.querySelector('input')!.hasAttribute('aria-required'));
  const married = parse(renderStep('person', { 'f.verheiratet': 'yes' }, {}, 'de', false));
  assert.ok(!married.querySelector('[data-condition="f.heirat"]')!.hasAttribute('hidden'));
  assert.ok(!married.querySelector('input[name="f.heirat"]')!.hasAttribute('disabled'));
  assert.ok(married.querySelector('[data-required-if="f.nachweis"] .optional')!.hasAttribute('hidden'));
  assert.equal(married.querySelector('[data-required-if="f.nachweis"] input')!.getAttribute('aria-required'), 'true');
  // Without withHidden (the engine's default) hidden items are left out, as before.
  assert.equal(buildStepView(definition, 'person', { answers: {}, locale: 'de' }).items.some((v) => v.id === 'f.heirat'), false);

  assert.deepEqual(conditionStates(definition, 'person', { answers: {} }), { visible: [], required: [] });
  assert.deepEqual(conditionStates(definition, 'person', { answers: { verheiratet: true, betrag: 1250 } }), { visible: ['f.heirat'], required: ['f.iban', 'f.nachweis'] });
  // Inside repeating groups: per repetition, with the ids of the page.
  const dogs = parse(renderStep('tiere', { 'f.hunde.count': '2', 'f.hunde.0.listenhund': 'yes', 'f.hunde.1.listenhund': 'no' }, {}, 'de', false));
  assert.ok(!dogs.querySelector('[data-condition="f.hunde.0.gutachten"]')!.hasAttribute('hidden'));
  assert.ok(dogs.querySelector('[data-condition="f.hunde.1.gutachten"]')!.hasAttribute('hidden'));
  assert.deepEqual(conditionStates(definition, 'tiere', { answers: { hunde: [{ listenhund: true }, { listenhund: false }] } }), { visible: ['f.hunde.0.gutachten'], required: ['f.hunde.0.gutachten'] });

  // Inside a hidden group nothing is shown or required, whatever its own condition says.
  const nested = checkFormDefinition({
    format: 1, title: { de: 'T' },
    steps: [{ id: 's', title: { de: 'S' }, items: [
      { kind: 'field', id: 'a', type: 'yes-no', label: { de: 'A' } },
      { kind: 'field', id: 'b', type: 'yes-no', label: { de: 'B' } },
      { kind: 'group', id: 'g', label: { de: 'G' }, visibleIf: 'a', items: [
        { kind: 'field', id: 'c', type: 'text', label: { de: 'C' }, visibleIf: 'b', requiredIf: 'b' },
        { kind: 'group', id: 'r', label: { de: 'R' }, repeat: { min: 1, max: 2 }, items: [{ kind: 'field', id: 'd', type: 'text', label: { de: 'D' } }] },
      ] },
    ] }],
  });
  assert.ok(nested.ok, JSON.stringify(!nested.ok && nested.problems));
  assert.deepEqual(conditionStates(nested.definition, 's', { answers: { b: true } }), { visible: [], required: [] });
  assert.deepEqual(conditionStates(nested.definition, 's', { answers: { a: true, b: true } }), { visible: ['f.g', 'f.c'], required: ['f.c'] });
  const group = parse(env.renderString(PAGE, { locale: 'de', view: buildStepView(nested.definition, 's', { answers: { b: true }, locale: 'de', withHidden: true }) }));
  assert.ok(group.querySelector('[data-condition="f.g"]')!.hasAttribute('hidden'));
  assert.ok(!group.querySelector('[data-condition="f.c"]')!.hasAttribute('hidden'), 'its own condition holds');
  for (const control of group.querySelectorAll('[data-condition="f.g"] input, [data-condition="f.g"] button')) {
    assert.ok(control.hasAttribute('disabled'), `${control.getAttribute('name')} inside the hidden group is disabled`);
  }
});

const require = createRequire(import.meta.url);
const VNU_JAR = String(require('vnu-jar'));

interface VnuMessage { type: string; url?: string; message: string; extract?: string; lastLine?: number }

function runVnu(paths: string[]): Promise<VnuMessage[]> {
  return new Promise((resolve, reject) => {
    execFile('java', ['-Xss1m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', '--stdout', ...paths], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('java is not installed (Debian: default-jre-headless)'));
      try {
        resolve((JSON.parse(stdout) as { messages: VnuMessage[] }).messages);
      } catch {
        reject(new Error(`the Nu Html Checker did not answer with JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

test('the summary names the group before its fields and writes four-digit numbers as typed', () => {
  const view = buildSummaryView(definition, { halter: undefined, halter_name: 'Erika Muster', kinder: 1994, groesse: 12345.5, hunde: [{ rasse: 'Dackel' }] } as never, 'de');
  const rows = view.steps.flatMap((s) => s.rows);
  const row = (label: string) => rows.find((r) => r.label === label);
  assert.deepEqual(row('Halter: Name des Halters')?.lines, ['Erika Muster'], rows.map((r) => r.label).join(' | '));
  assert.equal(row('Hund 1: Rasse')?.displayValue, 'Dackel', 'a repetition keeps its own legend');
  assert.deepEqual(row('Anzahl Kinder')?.lines, ['1994']);
  assert.deepEqual(row('Wohnfläche in m²')?.lines, ['12.345,5']);
});

test('steps (de/en, empty and with errors) and the summary are valid HTML (Nu Html Checker)', { timeout: 120_000 }, async () => {
  const complete = readStepAnswers(definition, 'person', {
    'f.vorname': 'Erika', 'f.geburt': '12.08.1964', 'f.farbe': 'rot', 'f.farben': 'blau', 'f.verheiratet': 'no', 'f.betrag': '12,50',
    'f.anschrift.street': 'Heidestraße', 'f.anschrift.houseNumber': '17', 'f.anschrift.postcode': '51147', 'f.anschrift.city': 'Köln', 'f.iban': 'DE89370400440532013000',
  }, { nachweis: files }).answers;
  const pages: [string, string][] = [
    ['person de errors', renderStep('person', badPerson, { nachweis: files }, 'de', true)],
    ['person en empty', renderStep('person', {}, {}, 'en', false)],
    ['tiere en errors', renderStep('tiere', badAnimals, {}, 'en', true)],
    ['tiere de empty', renderStep('tiere', {}, {}, 'de', false)],
    ['summary', env.renderString(SUMMARY, { view: buildSummaryView(definition, { ...complete, hunde: [{ rasse: 'Dackel', listenhund: false, impfungen: [{ impfung_datum: '2025-01-02' }] }] }, 'de') })],
  ];
  // Every step of every reference procedure: empty (German) and posted empty with its errors (English).
  for (const name of REFERENCE_FORMS) {
    const reference = loadReferenceForm(name);
    for (const step of reference.steps) {
      pages.push([`${name}/${step.id} de`, env.renderString(PAGE, { locale: 'de', view: buildStepView(reference, step.id, { answers: {}, locale: 'de', withHidden: true }) })]);
      const read = readStepAnswers(reference, step.id, {}, {});
      const errors = validateStep(reference, step.id, read.answers, read.raw);
      pages.push([`${name}/${step.id} en errors`, env.renderString(PAGE, { locale: 'en', view: buildStepView(reference, step.id, { answers: read.answers, raw: read.raw, errors, locale: 'en', withHidden: true }) })]);
      checkWiring(`${name}/${step.id}`, pages[pages.length - 1]![1]);
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'forms-html-'));
  try {
    const byFile = new Map<string, string>();
    for (const [i, [name, html]] of pages.entries()) {
      const file = path.join(dir, `page-${i}.html`);
      await writeFile(file, html);
      byFile.set(file, name);
    }
    const canary = path.join(dir, 'canary.html');
    await writeFile(canary, '<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><label for="nirgends">x</label></body></html>');
    const messages = (await runVnu([...byFile.keys(), canary])).map((m) => ({ ...m, file: m.url?.startsWith('file:') ? fileURLToPath(m.url) : m.url }));
    assert.ok(messages.some((m) => m.file === canary), 'the checker reports the known error in the canary page');
    const report = messages.filter((m) => m.file !== canary).map((m) => `- ${byFile.get(m.file ?? '')} (line ${m.lastLine}): ${m.message} ${JSON.stringify(m.extract)}`);
    assert.equal(report.length, 0, report.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
