import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEmptyScript, quote, translateScript } from './translate-rule.ts';

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
