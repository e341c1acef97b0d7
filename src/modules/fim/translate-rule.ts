/**
 * Translates the simple machine-readable FIM rule scripts into the platform's rule language:
 * a script whose body is one boolean expression over Datenfeld ids with comparisons, `&&`, `||`, `!`,
 * string, number and boolean literals (optionally inside `function script() { return …; }`).
 * Anything else (statements, function calls, property access) is left to an editor.
 * Prose rules (empty script, the usual case in FIM) are never guessed at.
 */

/** True when the script has no code beyond an empty `function script() {}` and comments. */
export function isEmptyScript(script: string): boolean {
  return stripWrapper(script).trim() === '';
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** The body of `function script() { … }` (or the whole source), without `return` and `;`. */
function stripWrapper(script: string): string {
  let body = stripComments(script).trim();
  const wrapped = /^function\s+\w*\s*\(\s*\)\s*\{([\s\S]*)\}$/.exec(body);
  if (wrapped) body = (wrapped[1] ?? '').trim();
  body = body.replace(/^return\b/, '').trim().replace(/;$/, '').trim();
  return body;
}

type Token = { kind: 'id' | 'str' | 'num' | 'op' | '(' | ')' | 'bool' | 'filled'; text: string; negated?: boolean };

const OPERATORS: Record<string, string> = {
  '===': '=', '==': '=', '!==': '!=', '!=': '!=', '<=': '<=', '>=': '>=', '<': '<', '>': '>', '&&': 'and', '||': 'or', '!': 'not',
};

function tokenize(source: string): Token[] | null {
  const tokens: Token[] = [];
  const re = /\s*(?:(===|!==|==|!=|<=|>=|&&|\|\||[<>!])|([()])|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;
  let i = 0;
  while (i < source.length) {
    if (/^\s*$/.test(source.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(source);
    if (!m) return null;
    i = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2]) tokens.push({ kind: m[2] as '(' | ')', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'str', text: m[3].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[4]) tokens.push({ kind: 'num', text: m[4] });
    else if (m[5] === 'true' || m[5] === 'false') tokens.push({ kind: 'bool', text: m[5] });
    else if (m[5] && /^[FG]\d+$/.test(m[5])) tokens.push({ kind: 'id', text: m[5] });
    else return null; // any other name: a variable or function the importer does not know
  }
  return tokens;
}

/** A string literal of the rule language: double quotes, only `\"` and `\\` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface ScriptTranslation {
  expression: string;
  /** FIM ids named in the script, in order of first use. */
  fimIds: string[];
}

/**
 * Translates a script into a rule-language expression, with FIM ids mapped through `idFor` (which
 * returns undefined for an id that is unknown or ambiguous in the definition). Returns null when
 * the script is not of the simple shape, or names an id that cannot be mapped.
 */
export function translateScript(script: string, idFor: (fimId: string) => string | undefined): ScriptTranslation | null {
  const body = stripWrapper(script);
  if (body === '' || body.length > 2000 || /[;{}]/.test(body)) return null;
  const tokens = tokenize(body);
  if (!tokens || tokens.length === 0) return null;
  // `F1 == ""` asks whether the field is empty: the rule language has no empty answers, only missing ones.
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [a, op, b] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!];
    if (a.kind === 'id' && op.kind === 'op' && ['==', '===', '!=', '!=='].includes(op.text) && b.kind === 'str' && b.text === '') {
      tokens.splice(i, 3, { kind: 'filled', text: a.text, negated: op.text.startsWith('==') });
    }
  }
  const fimIds: string[] = [];
  const out: string[] = [];
  let depth = 0;
  // Grammar check by adjacency: operand/operator alternate; parentheses balance.
  let expectOperand = true;
  for (const t of tokens) {
    if (t.kind === '(') {
      if (!expectOperand) return null;
      depth++;
      out.push('(');
    } else if (t.kind === ')') {
      if (expectOperand || --depth < 0) return null;
      out.push(')');
    } else if (t.kind === 'op' && t.text === '!') {
      if (!expectOperand) return null;
      out.push('not');
    } else if (t.kind === 'op') {
      if (expectOperand) return null;
      out.push(OPERATORS[t.text]!);
      expectOperand = true;
    } else {
      if (!expectOperand) return null;
      if (t.kind === 'id' || t.kind === 'filled') {
        const id = idFor(t.text);
        if (!id) return null;
        if (!fimIds.includes(t.text)) fimIds.push(t.text);
        out.push(t.kind === 'id' ? id : `${t.negated ? 'not ' : ''}filled(${id})`);
      } else if (t.kind === 'str') out.push(quote(t.text));
      else out.push(t.text);
      expectOperand = false;
    }
  }
  if (expectOperand || depth !== 0 || fimIds.length === 0) return null;
  return { expression: out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')'), fimIds };
}

/**
 * Rule-language expressions an editor may take over for a prose rule (never applied by the
 * importer): conditions for the field `target`, or a cross-field `assert`.
 */
export interface RuleSuggestion {
  target?: string;
  requiredIf?: string;
  visibleIf?: string;
  assert?: string;
}

/** The condition "field has / has not value": an empty value asks whether the field is filled. */
function condition(id: string, negated: boolean, rawValue: string): string {
  const value = rawValue.replace(/^"(.*)"$/, '$1');
  if (value === '') return negated ? `filled(${id})` : `not filled(${id})`;
  return `${id} ${negated ? '!=' : '='} ${quote(value)}`;
}

/** `F1 = "a"` or `F1 in ["a", "b"]` for the values of an "= a ODER = b" list. */
function oneOf(id: string, values: string[]): string {
  return values.length === 1 ? condition(id, false, values[0]!) : `${id} in [${values.map(quote).join(', ')}]`;
}

function valuesOf(first: string, more: string): string[] {
  return [first, ...[...more.matchAll(/ODER ?= ?(\S+)/g)].map((v) => v[1]!)].map((v) => v.replace(/[.,]+$/, ''));
}

/**
 * A suggestion for the common prose patterns of the FIM Bundesredaktion, when the text is exactly
 * one of them and every Datenfeld it names has one id in the definition:
 * "Wenn im Datenfeld F1 [nicht] der Wert X angegeben wurde, dann soll F2 zum Pflichtfeld werden.",
 * "Wenn das Feld F1 = X [ODER = Y …], dann muss das Feld F2 befüllt sein/werden."
 * [+ "Wenn das Feld F1 <> X …, dann darf das Feld F2 nicht befüllt sein/werden."],
 * "Wenn F1 nicht leer, dann darf F2 nicht leer sein.",
 * "Es muss mindestens eines der Felder F1, F2 oder F3 befüllt sein."
 */
export function suggestRule(text: string, idFor: (fimId: string) => string | undefined): RuleSuggestion | undefined {
  // Field and code names in quotes after the ids only repeat them; an empty "" is a value and stays.
  const plain = text.replace(/\s*["„“][^"„“]+["“]/g, '').replace(/\s+/g, ' ').trim();
  let m = /^Wenn im Datenfeld (F\d+) (nicht )?der Wert (\S+) angegeben wurde, dann soll (F\d+) zum Pflichtfeld werden\.?$/.exec(plain);
  if (m) {
    const [a, b] = [idFor(m[1]!), idFor(m[4]!)];
    return a && b ? { target: b, requiredIf: condition(a, Boolean(m[2]), m[3]!) } : undefined;
  }
  m = /^Wenn das Feld (F\d+) ?= ?(\S+?)((?: ODER ?= ?\S+?)*),? dann muss das Feld (F\d+) befüllt (?:sein|werden)\.?(?: Wenn das Feld (F\d+) ?<> ?(\S+?)((?: (?:ODER|UND) ?<> ?\S+?)*),? dann darf das Feld (F\d+) nicht befüllt (?:sein|werden)\.?)?$/.exec(plain);
  if (m) {
    const [a, b] = [idFor(m[1]!), idFor(m[4]!)];
    if (!a || !b) return undefined;
    const expression = oneOf(a, valuesOf(m[2]!, m[3] ?? ''));
    if (!m[5]) return { target: b, requiredIf: expression };
    // "otherwise it must stay empty": shown only then, and required when shown.
    const sameField = m[5] === m[1] && m[8] === m[4];
    const sameValues = valuesOf(m[6]!, (m[7] ?? '').replace(/UND ?<>/g, 'ODER =')).sort().join() === valuesOf(m[2]!, m[3] ?? '').sort().join();
    return sameField && sameValues ? { target: b, visibleIf: expression, requiredIf: expression } : undefined;
  }
  m = /^Wenn (F\d+) nicht leer(?: ist)?, dann darf (F\d+) nicht leer sein\.?$/.exec(plain);
  if (m) {
    const [a, b] = [idFor(m[1]!), idFor(m[2]!)];
    return a && b ? { target: b, requiredIf: `filled(${a})` } : undefined;
  }
  m = /^Es muss mindestens eines der Felder ((?:F\d+, )*F\d+,? oder F\d+) befüllt sein\.?$/.exec(plain);
  if (m) {
    const ids = [...m[1]!.matchAll(/F\d+/g)].map((f) => idFor(f[0]));
    if (ids.some((id) => !id)) return undefined;
    return { assert: ids.map((id) => `filled(${id})`).join(' or ') };
  }
  return undefined;
}
