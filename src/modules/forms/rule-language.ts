/**
 * The rule language of form definitions (`visibleIf`, `requiredIf`, cross-field rules): a small
 * expression language, tokenized and parsed by hand (recursive descent) into an AST and evaluated by
 * walking the AST. Nothing is ever handed to `eval` or `Function`.
 *
 *   expression := or
 *   or         := and ("or" and)*
 *   and        := not ("and" not)*
 *   not        := "not" not | comparison
 *   comparison := value [ ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") value | ["not"] "in" value ]
 *   value      := number | string | "true" | "false" | "null" | list | "(" expression ")"
 *               | name "(" [expression ("," expression)*] ")" | reference
 *   list       := "[" [expression ("," expression)*] "]"
 *   reference  := id ("." id)?          (group.field only inside sum())
 *
 * Numbers use `.` as decimal point (`-` directly before digits makes them negative); strings are in
 * double quotes with `\"` and `\\` escapes; dates are strings "yyyy-mm-dd" (they compare in order).
 * Functions: filled(x), count(x), today(), age(date), years_between(a, b), len(text), sum(group.field).
 *
 * Evaluation never throws on data: a missing answer is null; every comparison with null is false;
 * `and`/`or`/`not` treat anything but `true` as false; a currency answer is seen in euros.
 */

/** Longest accepted source (as in the definition schema) and deepest nesting. */
export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_EXPRESSION_DEPTH = 32;

/** Words that cannot be used as field ids in expressions. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type FunctionName = 'filled' | 'count' | 'today' | 'age' | 'years_between' | 'len' | 'sum';

/** Arity of each function. */
const FUNCTIONS: Record<FunctionName, number> = { filled: 1, count: 1, today: 0, age: 1, years_between: 2, len: 1, sum: 1 };

/** A node of the parsed expression; `position` is the 0-based offset in the source. */
export type Expression =
  | { type: 'literal'; value: null | number | string | boolean; position: number }
  | { type: 'list'; items: Expression[]; position: number }
  | { type: 'ref'; path: [string] | [string, string]; position: number }
  | { type: 'not'; operand: Expression; position: number }
  | { type: 'and' | 'or'; left: Expression; right: Expression; position: number }
  | { type: 'compare'; operator: ComparisonOperator; left: Expression; right: Expression; position: number }
  | { type: 'in'; value: Expression; list: Expression; negated: boolean; position: number }
  | { type: 'call'; name: FunctionName; args: Expression[]; position: number };

export interface ExpressionError {
  message: string;
  /** 0-based offset in the source where the problem was found. */
  position: number;
}

export type ParseResult = { ok: true; expression: Expression } | { ok: false; error: ExpressionError };

type TokenKind = 'number' | 'string' | 'name' | 'op' | '(' | ')' | '[' | ']' | ',' | 'end';
interface Token { kind: TokenKind; text: string; value?: number | string; position: number }

class SyntaxProblem extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

const ID_START = /[A-Za-z]/;
const ID_PART = /[A-Za-z0-9_-]/;
const DIGIT = /[0-9]/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (DIGIT.test(c) || (c === '-' && DIGIT.test(source[i + 1] ?? ''))) {
      i++;
      while (DIGIT.test(source[i] ?? '')) i++;
      if (source[i] === '.') {
        if (!DIGIT.test(source[i + 1] ?? '')) throw new SyntaxProblem('a decimal point must be followed by digits', i);
        i++;
        while (DIGIT.test(source[i] ?? '')) i++;
      }
      if (ID_START.test(source[i] ?? '')) throw new SyntaxProblem('a number must not be followed by letters', i);
      const text = source.slice(start, i);
      tokens.push({ kind: 'number', text, value: Number(text), position: start });
      continue;
    }
    if (c === '"') {
      i++;
      let value = '';
      for (;;) {
        const d = source[i];
        if (d === undefined) throw new SyntaxProblem('unterminated string', start);
        if (d === '"') break;
        if (d === '\\') {
          const e = source[i + 1];
          if (e !== '"' && e !== '\\') throw new SyntaxProblem('only \\" and \\\\ are allowed as escapes in strings', i);
          value += e;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: source.slice(start, i), value, position: start });
      continue;
    }
    if (ID_START.test(c)) {
      i++;
      while (ID_PART.test(source[i] ?? '')) i++;
      // A dotted name (group.field) is one token.
      if (source[i] === '.' && ID_START.test(source[i + 1] ?? '')) {
        i++;
        while (ID_PART.test(source[i] ?? '')) i++;
        if (source[i] === '.') throw new SyntaxProblem('a reference has at most two parts (group.field)', i);
      }
      const text = source.slice(start, i);
      tokens.push({ kind: 'name', text, value: text, position: start });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '==') {
      tokens.push({ kind: 'op', text: two === '==' ? '=' : two, position: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, position: start });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
      tokens.push({ kind: c, text: c, position: start });
      i++;
      continue;
    }
    throw new SyntaxProblem(`unexpected character ${JSON.stringify(c)}`, i);
  }
  tokens.push({ kind: 'end', text: '', position: source.length });
  return tokens;
}

class Parser {
  private index = 0;
  private depth = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): Expression {
    const expression = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') throw new SyntaxProblem(`unexpected ${describe(next)}`, next.position);
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }
  private advance(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index++;
    return token;
  }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === word;
  }
  private expect(kind: TokenKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) throw new SyntaxProblem(`expected ${what} but found ${describe(t)}`, t.position);
    return this.advance();
  }
  private enter(position: number): void {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new SyntaxProblem(`the expression is nested deeper than ${MAX_EXPRESSION_DEPTH} levels`, position);
  }
  private leave(): void {
    this.depth--;
  }

  private parseOr(): Expression {
    this.enter(this.peek().position);
    let left = this.parseAnd();
    while (this.isWord('or')) {
      const op = this.advance();
      left = { type: 'or', left, right: this.parseAnd(), position: op.position };
    }
    this.leave();
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseNot();
    while (this.isWord('and')) {
      const op = this.advance();
      left = { type: 'and', left, right: this.parseNot(), position: op.position };
    }
    return left;
  }

  private parseNot(): Expression {
    if (this.isWord('not')) {
      const op = this.advance();
      this.enter(op.position);
      const operand = this.parseNot();
      this.leave();
      return { type: 'not', operand, position: op.position };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expression {
    const left = this.parseValue();
    const t = this.peek();
    if (t.kind === 'op') {
      this.advance();
      const right = this.parseValue();
      const after = this.peek();
      if (after.kind === 'op') throw new SyntaxProblem('comparisons cannot be chained; use "and"', after.position);
      return { type: 'compare', operator: t.text as ComparisonOperator, left, right, position: t.position };
    }
    if (this.isWord('in') || (this.isWord('not') && this.tokens[this.index + 1]?.kind === 'name' && this.tokens[this.index + 1]?.text === 'in')) {
      const negated = this.isWord('not');
      if (negated) this.advance();
      this.advance();
      const list = this.parseValue();
      return { type: 'in', value: left, list, negated, position: t.position };
    }
    return left;
  }

  private parseValue(): Expression {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.advance();
        return { type: 'literal', value: t.value as number, position: t.position };
      case 'string':
        this.advance();
        return { type: 'literal', value: t.value as string, position: t.position };
      case '(': {
        this.advance();
        const inner = this.parseOr();
        this.expect(')', '")"');
        return inner;
      }
      case '[': {
        this.advance();
        const items = this.parseArguments(']');
        return { type: 'list', items, position: t.position };
      }
      case 'name': {
        this.advance();
        if (t.text === 'true' || t.text === 'false') return { type: 'literal', value: t.text === 'true', position: t.position };
        if (t.text === 'null') return { type: 'literal', value: null, position: t.position };
        if (RESERVED_WORDS.has(t.text)) throw new SyntaxProblem(`unexpected "${t.text}"`, t.position);
        if (this.peek().kind === '(') {
          if (!Object.hasOwn(FUNCTIONS, t.text)) throw new SyntaxProblem(`unknown function "${t.text}"`, t.position);
          const name = t.text as FunctionName;
          this.advance();
          const args = this.parseArguments(')');
          if (args.length !== FUNCTIONS[name]) {
            throw new SyntaxProblem(`${name}() takes ${FUNCTIONS[name]} argument${FUNCTIONS[name] === 1 ? '' : 's'}, not ${args.length}`, t.position);
          }
          const first = args[0];
          if ((name === 'count' || name === 'sum') && first?.type !== 'ref') {
            throw new SyntaxProblem(`${name}() takes a field or group id`, first?.position ?? t.position);
          }
          if (name === 'sum' && first?.type === 'ref' && first.path.length !== 2) {
            throw new SyntaxProblem('sum() takes group.field', first.position);
          }
          return { type: 'call', name, args, position: t.position };
        }
        const parts = t.text.split('.');
        for (const part of parts) {
          if (RESERVED_WORDS.has(part)) throw new SyntaxProblem(`"${part}" is a reserved word`, t.position);
        }
        return { type: 'ref', path: parts as [string] | [string, string], position: t.position };
      }
      default:
        throw new SyntaxProblem(`expected a value but found ${describe(t)}`, t.position);
    }
  }

  private parseArguments(close: ')' | ']'): Expression[] {
    const items: Expression[] = [];
    if (this.peek().kind === close) {
      this.advance();
      return items;
    }
    for (;;) {
      items.push(this.parseOr());
      const t = this.peek();
      if (t.kind === ',') {
        this.advance();
        continue;
      }
      this.expect(close, `"," or "${close}"`);
      return items;
    }
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the expression' : `"${t.text}"`;
}

/** Parses a rule expression; never throws (errors carry a message and the offset in the source). */
export function parseExpression(source: string): ParseResult {
  if (typeof source !== 'string') return { ok: false, error: { message: 'the expression must be a string', position: 0 } };
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, error: { message: `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, position: MAX_EXPRESSION_LENGTH } };
  }
  try {
    const tokens = tokenize(source);
    if (tokens.length === 1) return { ok: false, error: { message: 'the expression is empty', position: 0 } };
    return { ok: true, expression: new Parser(tokens).parse() };
  } catch (error) {
    if (error instanceof SyntaxProblem) return { ok: false, error: { message: error.message, position: error.position } };
    throw error;
  }
}

/** Every id the expression names (for `group.field` both), in order of first appearance. */
export function referencedIds(expression: Expression): string[] {
  const ids: string[] = [];
  walk(expression, (node) => {
    if (node.type === 'ref') for (const part of node.path) if (!ids.includes(part)) ids.push(part);
  });
  return ids;
}

/** Calls `visit` on every node, parents before children. */
export function walk(expression: Expression, visit: (node: Expression, parent: Expression | undefined) => void, parent?: Expression): void {
  visit(expression, parent);
  switch (expression.type) {
    case 'list':
      for (const item of expression.items) walk(item, visit, expression);
      break;
    case 'not':
      walk(expression.operand, visit, expression);
      break;
    case 'and':
    case 'or':
    case 'compare':
      walk(expression.left, visit, expression);
      walk(expression.right, visit, expression);
      break;
    case 'in':
      walk(expression.value, visit, expression);
      walk(expression.list, visit, expression);
      break;
    case 'call':
      for (const arg of expression.args) walk(arg, visit, expression);
      break;
    default:
      break;
  }
}

/** A value during evaluation. Objects are answers (an address, a file reference, a repetition). */
export type RuleValue = null | number | string | boolean | RuleValue[] | { readonly [key: string]: unknown };

/**
 * Where references are looked up: `lookup(id)` gives the answer a field or group id stands for,
 * already resolved for the current repetition (a sibling in a repeating group means the same
 * repetition), or undefined when it has none.
 */
export interface EvaluationScope {
  lookup(id: string): unknown;
  /** Reads `field` from one repetition of a group (used by `sum(group.field)`). */
  lookupIn?(repetition: unknown, field: string): unknown;
  /** Today as yyyy-mm-dd (Europe/Berlin when not given). */
  today?: string;
}

/** Evaluates a parsed expression. Never throws on data; unknown references are null. */
export function evaluateExpression(expression: Expression, scope: EvaluationScope): RuleValue {
  switch (expression.type) {
    case 'literal':
      return expression.value;
    case 'list':
      return expression.items.map((item) => evaluateExpression(item, scope));
    case 'ref': {
      if (expression.path.length === 2) {
        const group = scope.lookup(expression.path[0]);
        if (!Array.isArray(group)) return null;
        return group.map((repetition) => toRuleValue(lookupInRepetition(scope, repetition, expression.path[1]!)));
      }
      return toRuleValue(scope.lookup(expression.path[0]));
    }
    case 'not':
      return evaluateExpression(expression.operand, scope) !== true;
    case 'and':
      return evaluateExpression(expression.left, scope) === true && evaluateExpression(expression.right, scope) === true;
    case 'or':
      return evaluateExpression(expression.left, scope) === true || evaluateExpression(expression.right, scope) === true;
    case 'compare':
      return compare(expression.operator, evaluateExpression(expression.left, scope), evaluateExpression(expression.right, scope));
    case 'in': {
      const value = evaluateExpression(expression.value, scope);
      const list = evaluateExpression(expression.list, scope);
      if (value === null || !Array.isArray(list)) return false;
      const found = list.some((item) => compare('=', value, item));
      return expression.negated ? !found : found;
    }
    case 'call':
      return callFunction(expression, scope);
  }
}

/** True only when the expression evaluates to `true`. */
export function evaluateCondition(expression: Expression, scope: EvaluationScope): boolean {
  return evaluateExpression(expression, scope) === true;
}

function lookupInRepetition(scope: EvaluationScope, repetition: unknown, field: string): unknown {
  if (scope.lookupIn) return scope.lookupIn(repetition, field);
  return repetition && typeof repetition === 'object' && !Array.isArray(repetition) ? (repetition as Record<string, unknown>)[field] : undefined;
}

function toRuleValue(value: unknown): RuleValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toRuleValue);
  if (typeof value === 'object') return value as { readonly [key: string]: unknown };
  return null;
}

function compare(operator: ComparisonOperator, left: RuleValue, right: RuleValue): boolean {
  if (left === null || right === null) return false;
  const scalar = (v: RuleValue) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
  if (!scalar(left) || !scalar(right)) {
    if (operator === '=' || operator === '!=') {
      const equal = JSON.stringify(left) === JSON.stringify(right);
      return operator === '=' ? equal : !equal;
    }
    return false;
  }
  if (typeof left !== typeof right) return operator === '!=';
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return typeof left !== 'boolean' && left < right;
    case '<=':
      return typeof left !== 'boolean' && left <= right;
    case '>':
      return typeof left !== 'boolean' && left > right;
    case '>=':
      return typeof left !== 'boolean' && left >= right;
  }
}

function callFunction(call: Extract<Expression, { type: 'call' }>, scope: EvaluationScope): RuleValue {
  const arg = (n: number) => evaluateExpression(call.args[n]!, scope);
  switch (call.name) {
    case 'filled':
      return isFilled(arg(0));
    case 'count': {
      const value = arg(0);
      if (Array.isArray(value)) return value.length;
      return value === null ? 0 : 1;
    }
    case 'today':
      return scope.today ?? todayInBerlin();
    case 'age': {
      const date = parseIsoDate(arg(0));
      const today = parseIsoDate(scope.today ?? todayInBerlin());
      return date && today ? fullYears(date, today) : null;
    }
    case 'years_between': {
      const a = parseIsoDate(arg(0));
      const b = parseIsoDate(arg(1));
      return a && b ? fullYears(a, b) : null;
    }
    case 'len': {
      const value = arg(0);
      if (typeof value === 'string') return [...value].length;
      if (Array.isArray(value)) return value.length;
      return value === null ? 0 : [...String(value)].length;
    }
    case 'sum': {
      const values = arg(0);
      if (!Array.isArray(values)) return 0;
      let total = 0;
      for (const v of values) if (typeof v === 'number') total += v;
      return total;
    }
  }
}

/** A value counts as filled unless it is null, an empty or blank string, or an empty list. */
export function isFilled(value: RuleValue): boolean {
  if (value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

interface DateParts { y: number; m: number; d: number }

/** Reads a real calendar date "yyyy-mm-dd"; anything else is null. */
export function parseIsoDate(value: unknown): DateParts | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

export function daysInMonth(y: number, m: number): number {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Full years from `from` to `to` (negative when `to` is earlier). Someone born on 29 Feb ages on 1 Mar. */
function fullYears(from: DateParts, to: DateParts): number {
  if (to.y * 10000 + to.m * 100 + to.d < from.y * 10000 + from.m * 100 + from.d) return -fullYears(to, from);
  let years = to.y - from.y;
  if (to.m < from.m || (to.m === from.m && to.d < from.d)) years--;
  return years;
}

/** Today's date in Germany as yyyy-mm-dd. */
export function todayInBerlin(now: Date = new Date()): string {
  // Formatting is costly and rules ask for today many times per validation. The date in Berlin
  // changes only at a whole minute (its offsets are whole hours), so it is kept per minute.
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastMinute = minute;
    lastDay = berlinDate.format(now);
  }
  return lastDay;
}
let lastMinute = Number.NaN;
let lastDay = '';
const berlinDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });
