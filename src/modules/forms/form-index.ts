/**
 * Lookups over a form definition (which step and which groups hold an item) and the rule-language
 * scope over answers: a reference to a sibling inside a repeating group means the same repetition.
 */
import type { Answers, FieldItem, FormDefinition, FormItem, FormStep, GroupItem, LocalizedText } from './form-definition.ts';
import { type EvaluationScope, type Expression, parseExpression, evaluateCondition } from './rule-language.ts';

export interface IndexedItem {
  item: FormItem;
  step: FormStep;
  stepIndex: number;
  /** Enclosing groups, outermost first. */
  groups: GroupItem[];
}

export interface FormIndex {
  definition: FormDefinition;
  items: Map<string, IndexedItem>;
  /** Parsed expressions by source text (each definition's expressions parsed once). */
  expression(source: string): Expression | undefined;
}

const indexes = new WeakMap<FormDefinition, FormIndex>();

/** The index of a definition (made once per definition object). */
export function indexForm(definition: FormDefinition): FormIndex {
  let index = indexes.get(definition);
  if (index) return index;
  const items = new Map<string, IndexedItem>();
  const visit = (list: FormItem[], step: FormStep, stepIndex: number, groups: GroupItem[]) => {
    for (const item of list) {
      if (!items.has(item.id)) items.set(item.id, { item, step, stepIndex, groups });
      if (item.kind === 'group') visit(item.items, step, stepIndex, [...groups, item]);
    }
  };
  definition.steps.forEach((step, i) => visit(step.items, step, i, []));
  const parsed = new Map<string, Expression | undefined>();
  index = {
    definition,
    items,
    expression(source) {
      if (!parsed.has(source)) {
        const result = parseExpression(source);
        parsed.set(source, result.ok ? result.expression : undefined);
      }
      return parsed.get(source);
    },
  };
  indexes.set(definition, index);
  return index;
}

/** The answers of one repetition frame: the whole answers, then each enclosing repetition. */
export type Frames = Answers[];

/** The rule-language scope for `frames` (innermost last); currency answers are seen in euros. */
export function scopeFor(index: FormIndex, frames: Frames, today?: string): EvaluationScope {
  const convert = (id: string, value: unknown) => {
    const entry = index.items.get(id);
    if (entry?.item.kind === 'field' && entry.item.type === 'currency' && typeof value === 'number') return value / 100;
    return value;
  };
  return {
    lookup(id) {
      for (let i = frames.length - 1; i >= 0; i--) {
        const frame = frames[i]!;
        if (Object.hasOwn(frame, id)) return convert(id, frame[id]);
      }
      return undefined;
    },
    lookupIn(repetition, field) {
      if (!repetition || typeof repetition !== 'object' || Array.isArray(repetition)) return undefined;
      return Object.hasOwn(repetition, field) ? convert(field, (repetition as Record<string, unknown>)[field]) : undefined;
    },
    ...(today ? { today } : {}),
  };
}

/** True when the expression (a definition's source text) holds in `frames`; an unparseable one is false. */
export function holds(index: FormIndex, source: string, frames: Frames, today?: string): boolean {
  const expression = index.expression(source);
  return expression ? evaluateCondition(expression, scopeFor(index, frames, today)) : false;
}

/** Whether a step is shown for these answers. */
export function isStepVisible(index: FormIndex, step: FormStep, answers: Answers, today?: string): boolean {
  return !step.visibleIf || holds(index, step.visibleIf, [answers], today);
}

/** Whether an item is shown in the given frames (its own condition only; callers walk from the top). */
export function isItemShown(index: FormIndex, item: FormItem, frames: Frames, today?: string): boolean {
  return !item.visibleIf || holds(index, item.visibleIf, frames, today);
}

/** Whether a shown field must be answered. */
export function isRequired(index: FormIndex, field: FieldItem, frames: Frames, today?: string): boolean {
  return field.required || (field.requiredIf !== undefined && holds(index, field.requiredIf, frames, today));
}

/** The repetitions of a repeating group in a frame (an array of answer objects, possibly empty). */
export function repetitionsOf(frame: Answers, groupId: string): Answers[] {
  const value = answerOf(frame, groupId);
  return Array.isArray(value) ? (value as unknown[]).filter((r): r is Answers => !!r && typeof r === 'object' && !Array.isArray(r)) : [];
}

/** Picks the text for a locale, falling back to German. */
export function localize(text: LocalizedText, locale: string): string {
  return locale === 'en' ? (text.en ?? text.de) : text.de;
}

/** The body field name of an item: `f.<id>`, inside repetitions `f.<group>.<index>.<id>`. */
export function fieldName(prefix: string, id: string): string {
  return `${prefix}.${id}`;
}

/** The answer stored under `id` in a frame (own properties only: an id like `constructor` is never read from the prototype). */
export function answerOf(frame: Answers, id: string): Answers[string] | undefined {
  return Object.hasOwn(frame, id) ? frame[id] : undefined;
}

/** The rule-language scope over the top level of a definition's answers (currency in euros). */
export function scopeForAnswers(definition: FormDefinition, answers: Answers, today?: string): EvaluationScope {
  return scopeFor(indexForm(definition), [answers], today);
}
