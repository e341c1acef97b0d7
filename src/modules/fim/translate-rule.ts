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
