import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEmptyScript, quote, suggestRule, translateScript } from './translate-rule.ts';

const ids: Record<string, string> = { F1: 'F1', F2: 'F2_2', F3: 'F3' };
const idFor = (fimId: string) => ids[fimId];

test('empty FIM scripts are recognised, with the wrapper, line breaks and comments', () => {
  assert.equal(isEmptyScript(''), true);
  assert.equal(isEmptyScript('function script() {\r\n\r\n}'), true);
  assert.equal(isEmptyScript('function script() { /* TODO */ }'), true);
  assert.equal(isEmptyScript('function script() { return F1 == "a"; }'), false);
});

test('simple expressions become rule-language expressions with the definition ids', () => {
  assert.deepEqual(translateScript('function script() { return F1 == "009" || F2 >= 3.5; }', idFor), { expression: 'F1 = "009" or F2_2 >= 3.5', fimIds: ['F1', 'F2'] });
  assert.deepEqual(translateScript("!(F1 === 'a \"b\"') && F3 !== \"\"", idFor), { expression: 'not (F1 = "a \\"b\\"") and filled(F3)', fimIds: ['F1', 'F3'] });
  assert.deepEqual(translateScript('F1 == "" && F3 == true', idFor), { expression: 'not filled(F1) and F3 = true', fimIds: ['F1', 'F3'] });
});

test('anything beyond the simple shape is left to an editor', () => {
  for (const script of [
    'function script() { var a = F1; return a == 1; }', // statements
    'F1.length > 3', // property access
    'check(F1)', // function call
    'F1 == "a" &&', // incomplete
    '(F1 == "a"', // unbalanced
    'F9 == "a"', // unknown id
    '"a" == "b"', // no field at all
    'F1 = "a"', // assignment
  ]) assert.equal(translateScript(script, idFor), null, script);
});

test('string literals escape backslashes and quotes only', () => {
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
});

test('common prose patterns get a suggestion; others and ambiguous ids none', () => {
  assert.deepEqual(suggestRule('Wenn im Datenfeld F1 nicht der Wert "" angegeben wurde, dann soll F2 zum Pflichtfeld werden.', idFor), { target: 'F2_2', requiredIf: 'filled(F1)' });
  assert.deepEqual(
    suggestRule('Wenn das Feld F1 "Vertretung" = 003 "Ja (juristisch)." ODER = 005 "Ja.", dann muss das Feld F3 "Vollmacht" befüllt sein.', idFor),
    { target: 'F3', requiredIf: 'F1 in ["003", "005"]' },
  );
  assert.deepEqual(
    suggestRule('Wenn das Feld F1 "Augenfarbe" = 98 "Sonstige", dann muss das Feld F3 "Freitext" befüllt sein.\r\nWenn das Feld F1 "Augenfarbe" <> 98 "Sonstige", dann darf das Feld F3 "Freitext" nicht befüllt sein.', idFor),
    { target: 'F3', visibleIf: 'F1 = "98"', requiredIf: 'F1 = "98"' },
  );
  assert.deepEqual(suggestRule('Es muss mindestens eines der Felder F1 "Telefon", F2 "Telefax" oder F3 "E-Mail" befüllt sein.', idFor), { assert: 'filled(F1) or filled(F2_2) or filled(F3)' });
  assert.equal(suggestRule('Es muss mindestens eines der Felder F1, F9 oder F3 befüllt sein.', idFor), undefined, 'F9 is not (uniquely) in the form');
  assert.equal(suggestRule('Wenn im Datenfeld F1 der Wert 1 angegeben wurde, dann soll G5 zum Pflichtfeld werden.', idFor), undefined, 'groups have no requiredIf');
  assert.equal(suggestRule('Die Validität des Datums muss sichergestellt werden.', idFor), undefined);
});
