import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluateExpression, MAX_EXPRESSION_DEPTH, parseExpression, referencedIds, todayInBerlin, type EvaluationScope, type Expression } from './rule-language.ts';

function parse(source: string): Expression {
  const result = parseExpression(source);
  assert.ok(result.ok, `${source}: ${JSON.stringify(!result.ok && result.error)}`);
  return result.expression;
}

function scope(values: Record<string, unknown>, today = '2026-11-23'): EvaluationScope {
  return { lookup: (id) => values[id], today };
}

const evaluate = (source: string, values: Record<string, unknown> = {}) => evaluateExpression(parse(source), scope(values));

/** A compact rendering of the tree, to check precedence. */
function show(e: Expression): string {
  switch (e.type) {
    case 'literal': return JSON.stringify(e.value);
    case 'list': return `[${e.items.map(show).join(',')}]`;
    case 'ref': return e.path.join('.');
    case 'not': return `(not ${show(e.operand)})`;
    case 'and': case 'or': return `(${show(e.left)} ${e.type} ${show(e.right)})`;
    case 'compare': return `(${show(e.left)} ${e.operator} ${show(e.right)})`;
    case 'in': return `(${show(e.value)} ${e.negated ? 'not in' : 'in'} ${show(e.list)})`;
    case 'call': return `${e.name}(${e.args.map(show).join(',')})`;
  }
}

test('precedence: not binds tighter than and, and tighter than or; comparisons tighter than all', () => {
  assert.equal(show(parse('a = 1 or b = 2 and not c')), '((a = 1) or ((b = 2) and (not c)))');
  assert.equal(show(parse('(a or b) and c')), '((a or b) and c)');
  assert.equal(show(parse('not a = 1')), '(not (a = 1))');
  assert.equal(show(parse('x in ["a", "b"] and y not in [1, 2.5]')), '((x in ["a","b"]) and (y not in [1,2.5]))');
  assert.equal(show(parse('sum(hunde.alter) >= -3 or years_between(a, today()) < 18')), '((sum(hunde.alter) >= -3) or (years_between(a,today()) < 18))');
  assert.equal(show(parse('a == "x\\"y"')), '(a = "x\\"y")');
});

test('syntax errors name the position', () => {
  const cases: [string, number, RegExp][] = [
    ['a = ', 4, /expected a value/],
    ['a = 1 )', 6, /unexpected "\)"/],
    ['(a = 1', 6, /expected "\)"/],
    ['a < b < c', 6, /chained/],
    ['foo(a)', 0, /unknown function "foo"/],
    ['age(a, b)', 0, /takes 1 argument/],
    ['a = "open', 4, /unterminated string/],
    ['a = 1.', 5, /decimal point/],
    ['a # b', 2, /unexpected character/],
    ['sum(a)', 4, /group\.field/],
    ['count(1)', 6, /field or group id/],
    ['', 0, /empty/],
    ['a and or b', 6, /unexpected "or"/],
    ['a.b.c = 1', 3, /at most two parts/],
  ];
  for (const [source, position, message] of cases) {
    const result = parseExpression(source);
    assert.equal(result.ok, false, source);
    if (!result.ok) {
      assert.match(result.error.message, message, source);
      assert.equal(result.error.position, position, `${source}: ${result.error.message}`);
    }
  }
});

test('nesting deeper than the limit and overlong sources are refused, not overflowing the stack', () => {
  const deep = `${'('.repeat(MAX_EXPRESSION_DEPTH + 1)}a${')'.repeat(MAX_EXPRESSION_DEPTH + 1)}`;
  const result = parseExpression(deep);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error.message : '', /nested deeper/);
  assert.equal(parseExpression(`${'('.repeat(MAX_EXPRESSION_DEPTH - 2)}a${')'.repeat(MAX_EXPRESSION_DEPTH - 2)}`).ok, true);
  assert.equal(parseExpression('not '.repeat(400) + 'a').ok, false);
  assert.equal(parseExpression('a = 1 and '.repeat(300) + 'b').ok, false, 'longer than 2000 characters');
  assert.equal(parseExpression('a = 1 and '.repeat(150) + 'b').ok, true, 'long flat chains are fine');
});

test('evaluation: comparisons, logic, lists and null semantics', () => {
  assert.equal(evaluate('a = 1', { a: 1 }), true);
  assert.equal(evaluate('a != 1', { a: 2 }), true);
  assert.equal(evaluate('a >= 1.5 and a < 2', { a: 1.5 }), true);
  assert.equal(evaluate('a = "x" or b', { a: 'y', b: true }), true);
  assert.equal(evaluate('not b', { b: false }), true);
  assert.equal(evaluate('d < "2000-01-01"', { d: '1999-12-31' }), true, 'ISO dates compare in order');
  assert.equal(evaluate('art in ["hund", "katze"]', { art: 'hund' }), true);
  assert.equal(evaluate('art not in ["hund", "katze"]', { art: 'maus' }), true);
  assert.equal(evaluate('"b" in codes', { codes: ['a', 'b'] }), true);
  // Missing values: every comparison is false, filled is false, and nothing throws.
  assert.equal(evaluate('missing = 1'), false);
  assert.equal(evaluate('missing != 1'), false);
  assert.equal(evaluate('missing < 1'), false);
  assert.equal(evaluate('missing in [1]'), false);
  assert.equal(evaluate('filled(missing)'), false);
  assert.equal(evaluate('not filled(missing)'), true);
  assert.equal(evaluate('age(missing) >= 18'), false);
  // Type mismatches are not equal and not ordered.
  assert.equal(evaluate('a = "1"', { a: 1 }), false);
  assert.equal(evaluate('a < "2"', { a: 1 }), false);
  assert.equal(evaluate('a != "1"', { a: 1 }), true);
  assert.equal(evaluate('true < false'), false);
});

test('functions: filled, count, len, today, age, years_between, sum', () => {
  assert.equal(evaluate('filled(a)', { a: '  ' }), false);
  assert.equal(evaluate('filled(a)', { a: [] }), false);
  assert.equal(evaluate('filled(a)', { a: 0 }), true);
  assert.equal(evaluate('filled(a)', { a: false }), true);
  assert.equal(evaluate('count(hunde)', { hunde: [{}, {}, {}] }), 3);
  assert.equal(evaluate('count(hunde)'), 0);
  assert.equal(evaluate('len(name)', { name: 'Jürgen' }), 6);
  assert.equal(evaluate('today()'), '2026-11-23');
  assert.equal(evaluate('age(geb)', { geb: '2008-11-23' }), 18);
  assert.equal(evaluate('age(geb)', { geb: '2008-11-24' }), 17);
  assert.equal(evaluate('age(geb)', { geb: '2008-02-30' }), null, 'not a real date');
  assert.equal(evaluate('years_between(a, b)', { a: '2000-02-29', b: '2001-02-28' }), 0);
  assert.equal(evaluate('years_between(a, b)', { a: '2000-02-29', b: '2001-03-01' }), 1);
  assert.equal(evaluate('years_between(b, a)', { a: '2000-01-01', b: '2010-06-01' }), -10);
  assert.equal(evaluate('sum(hunde.gewicht)', { hunde: [{ gewicht: 12.5 }, {}, { gewicht: 30 }] }), 42.5);
  assert.equal(evaluate('sum(hunde.gewicht) > 40', { hunde: [{ gewicht: 12.5 }, { gewicht: 30 }] }), true);
  assert.match(todayInBerlin(new Date('2026-12-31T23:30:00Z')), /^2027-01-01$/, 'Berlin is an hour ahead in winter');
});

test('referencedIds lists every id once, in order', () => {
  assert.deepEqual(referencedIds(parse('a = 1 and (b or a) and sum(g.f) > count(h)')), ['a', 'b', 'g', 'f', 'h']);
  assert.deepEqual(referencedIds(parse('today() = "2020-01-01"')), []);
});

test('random input never makes the parser throw, and what parses evaluates without throwing', () => {
  const alphabet = fc.constantFrom(...'abcxyz019 .,()[]"\\=!<>-_'.split(''), 'and ', 'or ', 'not ', 'in ', 'filled(', 'sum(', 'age(', 'today()', 'true', 'null');
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(alphabet, { maxLength: 80 }).map((parts) => parts.join(''))), (source) => {
    const result = parseExpression(source);
    if (result.ok) {
      evaluateExpression(result.expression, scope({ a: 1, b: 'x', c: ['x'], x: null, y: [{ a: 1 }], z: { street: 'x' } }));
      referencedIds(result.expression);
    } else {
      assert.ok(result.error.position >= 0 && result.error.position <= source.length);
    }
  }), { numRuns: 3000 });
});

test('scopeForAnswers evaluates against a definition\'s answers, currency in euros', async () => {
  const { scopeForAnswers } = await import('./form-index.ts');
  const { everyTypeDefinition } = await import('./test-fixtures.ts');
  const scope = scopeForAnswers(everyTypeDefinition(), { betrag: 1250, vorname: 'Erika' }, '2026-01-01');
  assert.equal(evaluateExpression(parse('betrag = 12.5 and len(vorname) = 5 and today() = "2026-01-01"'), scope), true);
});
