/**
 * Checks a form definition completely before it is stored or used: the JSON shape (zod), then what
 * the shape cannot say — unique ids, existing code lists, expressions that parse and name existing
 * items, constraints that fit the field type, and patterns that are valid and cannot backtrack
 * catastrophically.
 */
import { formDefinition, type FieldItem, type FormDefinition, type FormItem, type GroupItem } from './form-definition.ts';
import { RESERVED_WORDS, parseExpression, walk, type Expression } from './rule-language.ts';

export interface DefinitionProblem {
  /** Where, as a dotted path into the JSON (`steps.0.items.2.constraints.pattern`). */
  path: string;
  message: string;
}

export type CheckResult = { ok: true; definition: FormDefinition } | { ok: false; problems: DefinitionProblem[] };

/** Most items (fields, groups, texts) one definition may have. */
export const MAX_ITEMS = 3000;

const TEXT_TYPES = new Set(['text', 'textarea', 'email', 'phone', 'iban']);
const NUMBER_TYPES = new Set(['integer', 'number', 'currency']);
const PREFILL_TYPES: Record<string, string[]> = {
  givenName: ['text'], familyName: ['text'], placeOfBirth: ['text'], organisationName: ['text'],
  birthDate: ['date'], address: ['address'], organisationAddress: ['address'], email: ['email', 'text'],
};

interface Located { item: FormItem; path: string; repeating: GroupItem[] }

/** Checks `json` as a form definition; never throws. */
export function checkFormDefinition(json: unknown): CheckResult {
  const parsed = formDefinition.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) };
  }
  const definition = parsed.data;
  const problems: DefinitionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  // Ids: one namespace for steps, items and rules.
  const seen = new Map<string, string>();
  const located = new Map<string, Located>();
  const claim = (id: string, path: string) => {
    const earlier = seen.get(id);
    if (earlier !== undefined) problem(`${path}.id`, `the id "${id}" is already used at ${earlier}`);
    else seen.set(id, path);
    if (RESERVED_WORDS.has(id)) problem(`${path}.id`, `"${id}" is a reserved word of the rule language and cannot be an id`);
    else if (id in Object.prototype) problem(`${path}.id`, `"${id}" is a name of JavaScript objects and cannot be an id`);
  };
  const visit = (items: FormItem[], path: string, repeating: GroupItem[]) => {
    items.forEach((item, i) => {
      const itemPath = `${path}.items.${i}`;
      claim(item.id, itemPath);
      if (!located.has(item.id)) located.set(item.id, { item, path: itemPath, repeating });
      if (item.kind === 'group') visit(item.items, itemPath, item.repeat ? [...repeating, item] : repeating);
    });
  };
  definition.steps.forEach((step, i) => {
    claim(step.id, `steps.${i}`);
    visit(step.items, `steps.${i}`, []);
  });
  definition.rules.forEach((rule, i) => claim(rule.id, `rules.${i}`));
  if (located.size > MAX_ITEMS) problem('steps', `a definition may have at most ${MAX_ITEMS} items`);

  // Fields: code lists, constraints and prefill fitting the type.
  for (const { item, path } of located.values()) {
    if (item.kind !== 'field') continue;
    checkField(item, path, definition, problem);
  }

  // Expressions: parse, and name items that can be seen from where they are used.
  const checkExpression = (source: string | undefined, path: string, context: GroupItem[]) => {
    if (source === undefined) return;
    const result = parseExpression(source);
    if (!result.ok) {
      problem(path, `${result.error.message} (at position ${result.error.position})`);
      return;
    }
    for (const message of checkReferences(result.expression, context, located)) problem(path, message);
  };
  definition.steps.forEach((step, i) => checkExpression(step.visibleIf, `steps.${i}.visibleIf`, []));
  for (const { item, path, repeating } of located.values()) {
    // An item's own condition is evaluated in its parent's repetition; a repeating group's own
    // condition is evaluated outside its repetitions.
    checkExpression(item.visibleIf, `${path}.visibleIf`, repeating);
    if (item.kind === 'field') checkExpression(item.requiredIf, `${path}.requiredIf`, repeating);
  }
  definition.rules.forEach((rule, i) => {
    const path = `rules.${i}`;
    const anchors = rule.fields.map((id) => located.get(id));
    rule.fields.forEach((id, j) => {
      const entry = located.get(id);
      if (!entry) problem(`${path}.fields.${j}`, `no field or group with the id "${id}"`);
      else if (entry.item.kind === 'text') problem(`${path}.fields.${j}`, `"${id}" is an explanatory text, not a field`);
    });
    const context = anchors[0]?.repeating ?? [];
    anchors.forEach((entry, j) => {
      if (entry && entry.repeating.length !== context.length) problem(`${path}.fields.${j}`, 'all fields of a rule must be in the same repeating group as the first');
    });
    checkExpression(rule.when, `${path}.when`, context);
    checkExpression(rule.assert, `${path}.assert`, context);
  });

  return problems.length > 0 ? { ok: false, problems } : { ok: true, definition };
}

function checkField(field: FieldItem, path: string, definition: FormDefinition, problem: (path: string, message: string) => void): void {
  const c = field.constraints;
  const isChoice = field.type === 'choice' || field.type === 'multi-choice';
  if (isChoice && !field.codeList) problem(`${path}.codeList`, `a ${field.type} field needs a code list`);
  if (field.codeList !== undefined) {
    if (!isChoice) problem(`${path}.codeList`, `a ${field.type} field takes no code list`);
    else if (!Object.hasOwn(definition.codeLists, field.codeList)) problem(`${path}.codeList`, `no code list "${field.codeList}" in codeLists`);
    else {
      const codes = definition.codeLists[field.codeList]!.entries.map((e) => e.code);
      if (new Set(codes).size !== codes.length) problem(`codeLists.${field.codeList}.entries`, 'codes must be unique');
    }
  }
  if (field.display !== undefined && field.type !== 'choice') problem(`${path}.display`, 'only choice fields have a display');
  if (field.prefill !== undefined && !PREFILL_TYPES[field.prefill]?.includes(field.type)) {
    problem(`${path}.prefill`, `"${field.prefill}" cannot prefill a ${field.type} field`);
  }
  if (field.autocomplete !== undefined && !/^[a-z0-9 -]+$/.test(field.autocomplete)) problem(`${path}.autocomplete`, 'not an autocomplete token list');

  const cp = `${path}.constraints`;
  const only = (names: (keyof FieldItem['constraints'])[], allowed: boolean, what: string) => {
    if (allowed) return;
    for (const name of names) if (c[name] !== undefined) problem(`${cp}.${name}`, `${name} does not apply to a ${field.type} field (only ${what})`);
  };
  only(['minLength', 'maxLength', 'pattern', 'patternMessage'], TEXT_TYPES.has(field.type), 'text, textarea, email, phone, iban');
  only(['min', 'max'], NUMBER_TYPES.has(field.type) || field.type === 'date' || field.type === 'time', 'numbers, dates and times');
  only(['minItems', 'maxItems'], field.type === 'multi-choice', 'multi-choice');
  only(['maxSizeBytes', 'mediaTypes', 'maxFiles'], field.type === 'file', 'file');
  if (c.minLength !== undefined && c.maxLength !== undefined && c.minLength > c.maxLength) problem(`${cp}.minLength`, 'minLength exceeds maxLength');
  if (c.minItems !== undefined && c.maxItems !== undefined && c.minItems > c.maxItems) problem(`${cp}.minItems`, 'minItems exceeds maxItems');
  if (c.patternMessage !== undefined && c.pattern === undefined) problem(`${cp}.patternMessage`, 'patternMessage without pattern');
  if (c.pattern !== undefined && TEXT_TYPES.has(field.type)) {
    const refusal = checkPattern(c.pattern);
    if (refusal) problem(`${cp}.pattern`, refusal);
  }
  for (const bound of ['min', 'max'] as const) {
    const value = c[bound];
    if (value === undefined) continue;
    if (NUMBER_TYPES.has(field.type) && typeof value !== 'number') problem(`${cp}.${bound}`, `${bound} of a ${field.type} field is a number`);
    if (field.type === 'date' && !(value === 'today' || (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))))) {
      problem(`${cp}.${bound}`, `${bound} of a date field is "yyyy-mm-dd" or "today"`);
    }
    if (field.type === 'time' && !(typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value))) problem(`${cp}.${bound}`, `${bound} of a time field is "hh:mm"`);
  }
  if (typeof c.min === 'number' && typeof c.max === 'number' && c.min > c.max) problem(`${cp}.min`, 'min exceeds max');
  if (typeof c.min === 'string' && typeof c.max === 'string' && c.min !== 'today' && c.max !== 'today' && c.min > c.max) problem(`${cp}.min`, 'min is after max');
}

/**
 * Refuses a pattern that is not a valid JavaScript RegExp (with the `u` flag), that uses
 * back-references, or where a group containing a variable quantifier (`+`, `*`, `?`, `{n,m}`) is
 * itself repeated a variable or large number of times (`(a+)+`, `(\d*)*`, `(x?){20}`): such nested
 * quantifiers backtrack exponentially. Conservative: some harmless patterns (`(a?b)+`) are refused too.
 */
export function checkPattern(pattern: string): string | undefined {
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'back-references are not allowed in patterns';
  // Scan: for each open group remember whether it contains a repeat; a group that does and is itself repeated is refused.
  const stack: { hasRepeat: boolean }[] = [];
  let inClass = false;
  let lastGroupHadRepeat = false;
  let lastWasGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      lastWasGroup = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastWasGroup = false;
      continue;
    }
    if (c === '(') {
      stack.push({ hasRepeat: false });
      lastWasGroup = false;
      continue;
    }
    if (c === ')') {
      const group = stack.pop();
      lastGroupHadRepeat = group?.hasRepeat ?? false;
      lastWasGroup = true;
      if (lastGroupHadRepeat && stack.length > 0) stack[stack.length - 1]!.hasRepeat = true;
      continue;
    }
    const repeat = quantifierAt(pattern, i);
    if (repeat) {
      const variable = repeat.max > repeat.min;
      const repeatsMuch = (variable && repeat.max > 1) || repeat.max > 10;
      if (lastWasGroup && lastGroupHadRepeat && repeatsMuch) return 'nested quantifiers (like (a+)+) can take exponential time and are not allowed';
      if ((variable || (lastWasGroup && lastGroupHadRepeat)) && stack.length > 0) stack[stack.length - 1]!.hasRepeat = true;
      i += repeat.length - 1;
      lastWasGroup = false;
      continue;
    }
    lastWasGroup = false;
  }
  return undefined;
}

/** A quantifier at `i` with its bounds (`*` is 0..∞, `?` 0..1, `{n}` n..n) and its length in the source. */
function quantifierAt(pattern: string, i: number): { min: number; max: number; length: number } | undefined {
  const c = pattern[i];
  const lazy = pattern[i + 1] === '?' ? 1 : 0;
  if (c === '*') return { min: 0, max: Infinity, length: 1 + lazy };
  if (c === '+') return { min: 1, max: Infinity, length: 1 + lazy };
  if (c === '?') return { min: 0, max: 1, length: 1 + lazy };
  if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}\??/.exec(pattern.slice(i));
    if (!match) return undefined;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
    return { min, max, length: match[0].length };
  }
  return undefined;
}

/** Problems with the ids an expression names, seen from inside the repeating groups `context`. */
function checkReferences(expression: Expression, context: GroupItem[], located: Map<string, Located>): string[] {
  const messages: string[] = [];
  const visibleFrom = (entry: Located) => entry.repeating.every((g) => context.includes(g));
  walk(expression, (node, parent) => {
    if (node.type !== 'ref') return;
    const call = parent?.type === 'call' ? parent.name : undefined;
    const [first, second] = node.path;
    const entry = located.get(first);
    if (!entry) {
      messages.push(`no field or group with the id "${first}" (at position ${node.position})`);
      return;
    }
    if (entry.item.kind === 'text') {
      messages.push(`"${first}" is an explanatory text, not a field (at position ${node.position})`);
      return;
    }
    if (call === 'sum') {
      const inner = second ? located.get(second) : undefined;
      if (entry.item.kind !== 'group' || !entry.item.repeat) messages.push(`sum() needs a repeating group before the dot, "${first}" is not one (at position ${node.position})`);
      else if (!inner || inner.item.kind !== 'field' || inner.repeating[inner.repeating.length - 1] !== entry.item) {
        messages.push(`"${second}" is not a field directly in the repeating group "${first}" (at position ${node.position})`);
      } else if (!['integer', 'number', 'currency'].includes(inner.item.type)) messages.push(`sum() needs a number field, "${second}" is not one (at position ${node.position})`);
      if (!visibleFrom(entry)) messages.push(`"${first}" is inside another repeating group (at position ${node.position})`);
      return;
    }
    if (second !== undefined) {
      messages.push(`group.field references are only allowed in sum() (at position ${node.position})`);
      return;
    }
    if (entry.item.kind === 'group' && call !== 'count' && call !== 'filled') {
      messages.push(`the group "${first}" can only be used in count() or filled() (at position ${node.position})`);
      return;
    }
    if (!visibleFrom(entry)) {
      messages.push(`"${first}" is inside a repeating group; from here use count() or sum() (at position ${node.position})`);
    }
  });
  return messages;
}
