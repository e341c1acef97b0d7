import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFormDefinition, checkPattern } from './check-form-definition.ts';
import { everyTypeJson } from './test-fixtures.ts';

const base = () => structuredClone(everyTypeJson) as unknown as { steps: { items: Record<string, unknown>[] }[]; rules: Record<string, unknown>[]; codeLists: Record<string, unknown> };

function problemsOf(json: unknown): string[] {
  const result = checkFormDefinition(json);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

function expectProblem(json: unknown, path: string, message: RegExp): void {
  const problems = problemsOf(json);
  assert.ok(problems.some((p) => p.startsWith(`${path}: `) && message.test(p)), `expected ${path} ${message} in ${JSON.stringify(problems, null, 1)}`);
}

test('the fixture with every type passes', () => {
  assert.deepEqual(problemsOf(everyTypeJson), []);
});

test('not an object, wrong shape and unknown properties are refused with paths', () => {
  assert.ok(problemsOf(null).length > 0);
  assert.ok(problemsOf('x').length > 0);
  const json = base();
  json.steps[0]!.items[1]!.colour = 'red';
  json.steps[0]!.items[2]!.type = 'html';
  const problems = problemsOf(json);
  assert.ok(problems.some((p) => p.startsWith('steps.0.items.1')), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.startsWith('steps.0.items.2')), JSON.stringify(problems));
});

test('ids must be unique across steps, items (also nested) and rules, and not reserved words', () => {
  const json = base();
  json.steps[1]!.items.push({ kind: 'field', id: 'vorname', type: 'text', label: { de: 'Doppelt' } });
  expectProblem(json, 'steps.1.items.3.id', /"vorname" is already used at steps\.0\.items\.1/);
  const nested = base();
  ((nested.steps[1]!.items[1]!.items as Record<string, unknown>[])[0]!).id = 'person';
  expectProblem(nested, 'steps.1.items.1.items.0.id', /"person" is already used/);
  const rule = base();
  rule.rules[0]!.id = 'farbe';
  expectProblem(rule, 'rules.0.id', /already used/);
  const reserved = base();
  reserved.steps[0]!.items[1]!.id = 'and';
  expectProblem(reserved, 'steps.0.items.1.id', /reserved word/);
  const prototypeName = base();
  prototypeName.steps[0]!.items[1]!.id = 'constructor';
  expectProblem(prototypeName, 'steps.0.items.1.id', /name of JavaScript objects/);
});

test('code lists must exist and belong to choice fields only', () => {
  const missing = base();
  missing.steps[0]!.items[8]!.codeList = 'gibtsnicht';
  expectProblem(missing, 'steps.0.items.8.codeList', /no code list "gibtsnicht"/);
  const none = base();
  delete none.steps[0]!.items[8]!.codeList;
  expectProblem(none, 'steps.0.items.8.codeList', /needs a code list/);
  const onText = base();
  onText.steps[0]!.items[1]!.codeList = 'farben';
  expectProblem(onText, 'steps.0.items.1.codeList', /takes no code list/);
  const duplicate = base();
  (duplicate.codeLists.farben as { entries: unknown[] }).entries.push({ code: 'rot', label: { de: 'Nochmal rot' } });
  expectProblem(duplicate, 'codeLists.farben.entries', /unique/);
});

test('constraints must fit the type', () => {
  const cases: [number, Record<string, unknown>, string, RegExp][] = [
    [11, { pattern: '[a-z]+' }, 'pattern', /does not apply to a yes-no field/],
    [1, { min: 3 }, 'min', /does not apply to a text field/],
    [3, { minItems: 1 }, 'minItems', /only multi-choice/],
    [1, { maxFiles: 2 }, 'maxFiles', /only file/],
    [3, { min: '3' }, 'min', /is a number/],
    [6, { max: 'gestern' }, 'max', /"yyyy-mm-dd" or "today"/],
    [7, { min: '8 Uhr' }, 'min', /"hh:mm"/],
    [3, { min: 10, max: 1 }, 'min', /min exceeds max/],
    [1, { minLength: 10, maxLength: 5 }, 'minLength', /exceeds maxLength/],
    [1, { patternMessage: { de: 'x' } }, 'patternMessage', /without pattern/],
    [1, { pattern: '[a-' }, 'pattern', /not a valid regular expression/],
    [1, { pattern: '(a+)+' }, 'pattern', /nested quantifiers/],
    [1, { pattern: '(\\d*)*x' }, 'pattern', /nested quantifiers/],
    [1, { pattern: '((ab)+c)+' }, 'pattern', /nested quantifiers/],
    [1, { pattern: '(a)\\1' }, 'pattern', /back-references/],
  ];
  for (const [item, constraints, name, message] of cases) {
    const json = base();
    json.steps[0]!.items[item]!.constraints = constraints;
    expectProblem(json, `steps.0.items.${item}.constraints.${name}`, message);
  }
  const prefill = base();
  prefill.steps[0]!.items[3]!.prefill = 'birthDate';
  expectProblem(prefill, 'steps.0.items.3.prefill', /cannot prefill a integer field/);
  const display = base();
  display.steps[0]!.items[1]!.display = 'select';
  expectProblem(display, 'steps.0.items.1.display', /only choice fields/);
});

test('patterns: safe ones pass, nested unbounded quantifiers do not', () => {
  for (const ok of ['[0-9]{5}', '[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){4}', '(ab|cd)+', '\\d+(,\\d{1,2})?', '[(a+)+]', '\\(a+\\)+', '(\\d{3})+', '(a+){1}', '(x?){3}']) {
    assert.equal(checkPattern(ok), undefined, ok);
  }
  for (const bad of ['(a+)+', '(a*)*', '(a+){2,}', '(?:x[0-9]+)*', '((a)*b)+', '(.*a){1,30}', '(x?){20}', '(a?b)+']) assert.match(checkPattern(bad) ?? '', /nested quantifiers/, bad);
});

test('expressions must parse and name items that exist and can be seen from there', () => {
  const cases: [(j: ReturnType<typeof base>) => void, string, RegExp][] = [
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'betrag >'; }, 'steps.0.items.1.visibleIf', /expected a value.*at position 8/],
    [(j) => { j.steps[0]!.items[1]!.requiredIf = 'gibtsnicht = 1'; }, 'steps.0.items.1.requiredIf', /no field or group with the id "gibtsnicht"/],
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'hinweis = 1'; }, 'steps.0.items.1.visibleIf', /explanatory text/],
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'rasse = "Dackel"'; }, 'steps.0.items.1.visibleIf', /inside a repeating group/],
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'hunde = 1'; }, 'steps.0.items.1.visibleIf', /only be used in count\(\) or filled\(\)/],
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'sum(hunde.rasse) > 1'; }, 'steps.0.items.1.visibleIf', /needs a number field/],
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'sum(farbe.rasse) > 1'; }, 'steps.0.items.1.visibleIf', /needs a repeating group/],
    [(j) => { j.steps[0]!.items[1]!.visibleIf = 'sum(hunde.impfung_datum) > 1'; }, 'steps.0.items.1.visibleIf', /not a field directly in the repeating group/],
    [(j) => { j.rules[0]!.assert = 'seit >= '; }, 'rules.0.assert', /expected a value/],
    [(j) => { j.rules[0]!.fields = ['seit', 'vorname']; }, 'rules.0.fields.1', /same repeating group/],
    [(j) => { j.rules[0]!.fields = ['nirgends']; }, 'rules.0.fields.0', /no field or group/],
  ];
  for (const [change, path, message] of cases) {
    const json = base();
    change(json);
    expectProblem(json, path, message);
  }
  // Inside a repeating group a sibling may be named; the group's own fields can be summed from outside.
  const ok = base();
  ((ok.steps[1]!.items[1]!.items as Record<string, unknown>[])[1]!).visibleIf = 'filled(rasse) and count(impfungen) < 3 and filled(vorname)';
  assert.deepEqual(problemsOf(ok), []);
});

test('repeat min must not exceed max', () => {
  const json = base();
  json.steps[1]!.items[1]!.repeat = { min: 4, max: 2 };
  assert.ok(problemsOf(json).some((p) => p.startsWith('steps.1.items.1.repeat')), JSON.stringify(problemsOf(json)));
});
