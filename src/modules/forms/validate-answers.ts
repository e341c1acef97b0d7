/**
 * Validation of answers against a form definition: per step (with the raw input, so that input
 * that did not parse gets a precise message) and for the whole form before submission (all visible
 * steps and the cross-field rules). Hidden items are neither required nor checked.
 */
import type { Answers, FieldItem, FormDefinition, FormItem, FormStep, LocalizedText } from './form-definition.ts';
import { checkFieldValue, engineMessage, isAnswered, parseFieldInput, type EngineMessage } from './field-values.ts';
import { answerOf, holds, indexForm, isItemShown, isRequired, isStepVisible, repetitionsOf, type FormIndex, type Frames } from './form-index.ts';
import { FIELD_PREFIX, rawInputFrom, type RawValues } from './read-answers.ts';
import { referencedIds } from './rule-language.ts';

/**
 * One invalid answer. `fieldId` is the HTML id of the input to link to from the error summary
 * (e.g. `f.hund.0.rasse`, `f.anschrift.postcode`); `itemId` the definition's id of the field, group
 * or (for a cross-field rule) the rule's first field; `code` a stable catalog key
 * (`forms.error.required`, …) or `rule:<ruleId>`; `message` the text in German and English.
 */
export interface FieldError {
  fieldId: string;
  /** Where in the answers (for the JSON API): `hunde.0.seit`, `anschrift.postcode` — the fieldId without `f.`. */
  path: string;
  stepId: string;
  itemId: string;
  code: string;
  message: LocalizedText;
}

export interface ValidationOptions {
  /** Today as yyyy-mm-dd (for `today()`, `age()` and date bounds); Europe/Berlin when not given. */
  today?: string;
}

/** The steps shown for these answers, in order. */
export function visibleSteps(definition: FormDefinition, answers: Answers, options: ValidationOptions = {}): FormStep[] {
  const index = indexForm(definition);
  return definition.steps.filter((step) => isStepVisible(index, step, answers, options.today));
}

/**
 * Whether the item (field, group, text) `id` is shown: its step, its enclosing groups and itself.
 * Inside repeating groups, `repetitions` gives the index in each enclosing repeating group
 * (outermost first); a missing repetition counts as empty. False for unknown ids.
 */
export function isVisible(definition: FormDefinition, id: string, answers: Answers, repetitions: number[] = [], options: ValidationOptions = {}): boolean {
  const index = indexForm(definition);
  const entry = index.items.get(id);
  if (!entry || !isStepVisible(index, entry.step, answers, options.today)) return false;
  const frames: Frames = [answers];
  let r = 0;
  for (const group of entry.groups) {
    if (!isItemShown(index, group, frames, options.today)) return false;
    if (group.repeat) frames.push(repetitionsOf(frames[frames.length - 1]!, group.id)[repetitions[r++] ?? 0] ?? {});
  }
  return isItemShown(index, entry.item, frames, options.today);
}

/**
 * Validates one step: required/requiredIf, input that did not parse (from `raw`, the raw values
 * returned by `readStepAnswers`), each value's type and constraints, repetition counts, and the
 * cross-field rules anchored on this step whose fields are all on this or earlier steps.
 * Throws only when `stepId` is not a step of the definition.
 */
export function validateStep(definition: FormDefinition, stepId: string, answers: Answers, raw?: RawValues, options: ValidationOptions = {}): FieldError[] {
  const index = indexForm(definition);
  const step = definition.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`unknown step ${stepId}`);
  const errors: FieldError[] = [];
  if (!isStepVisible(index, step, answers, options.today)) return errors;
  validateItems(index, step, step.items, FIELD_PREFIX, [answers], raw, errors, options.today);
  const stepIndex = definition.steps.indexOf(step);
  validateRules(index, answers, errors, options.today, (rule) => {
    const anchor = index.items.get(rule.fields[0]!);
    if (anchor?.step !== step) return false;
    const ids = [rule.assert, rule.when].flatMap((source) => {
      const expression = source ? index.expression(source) : undefined;
      return expression ? referencedIds(expression) : [];
    });
    return ids.every((id) => (index.items.get(id)?.stepIndex ?? Infinity) <= stepIndex);
  });
  return errors;
}

/** Validates all visible steps and every cross-field rule (before submission). Never throws. */
export function validateAnswers(definition: FormDefinition, answers: Answers, options: ValidationOptions = {}): FieldError[] {
  const index = indexForm(definition);
  const errors: FieldError[] = [];
  for (const step of definition.steps) {
    if (!isStepVisible(index, step, answers, options.today)) continue;
    validateItems(index, step, step.items, FIELD_PREFIX, [answers], undefined, errors, options.today);
  }
  validateRules(index, answers, errors, options.today, () => true);
  return errors;
}

function validateItems(index: FormIndex, step: FormStep, items: FormItem[], prefix: string, frames: Frames, raw: RawValues | undefined, errors: FieldError[], today: string | undefined): void {
  const frame = frames[frames.length - 1]!;
  for (const item of items) {
    if (item.kind === 'text' || !isItemShown(index, item, frames, today)) continue;
    const name = `${prefix}.${item.id}`;
    if (item.kind === 'group') {
      if (!item.repeat) {
        validateItems(index, step, item.items, prefix, frames, raw, errors, today);
        continue;
      }
      const repetitions = repetitionsOf(frame, item.id);
      if (repetitions.length < item.repeat.min) {
        errors.push(error(name, step, item.id, engineMessage('forms.error.minRepeat', { label: item.label, min: item.repeat.min })));
      } else if (repetitions.length > item.repeat.max) {
        errors.push(error(name, step, item.id, engineMessage('forms.error.maxRepeat', { label: item.label, max: item.repeat.max })));
      }
      repetitions.forEach((repetition, i) => validateItems(index, step, item.items, `${name}.${i}`, [...frames, repetition], raw, errors, today));
      continue;
    }
    const value = answerOf(frame, item.id);
    if (raw && item.type !== 'file' && !isAnswered(value)) {
      const input = rawInputFrom(raw, item.type, name);
      const parsed = parseFieldInput(item, input, index.definition.codeLists);
      if (!parsed.ok) {
        errors.push(error(inputId(item, name, parsed.error, input), step, item.id, parsed.error));
        continue;
      }
    }
    if (!isAnswered(value)) {
      if (isRequired(index, item, frames, today)) {
        const key = item.type === 'file' ? 'forms.error.requiredFile'
          : item.type === 'choice' || item.type === 'multi-choice' || item.type === 'yes-no' ? 'forms.error.requiredChoice' : 'forms.error.required';
        errors.push(error(inputId(item, name), step, item.id, engineMessage(key, { label: item.label })));
      }
      continue;
    }
    const problem = checkFieldValue(item, value, index.definition.codeLists, today);
    if (problem) errors.push(error(inputId(item, name, problem, value), step, item.id, problem));
  }
}

function validateRules(index: FormIndex, answers: Answers, errors: FieldError[], today: string | undefined, applies: (rule: FormDefinition['rules'][number]) => boolean): void {
  for (const rule of index.definition.rules) {
    if (!applies(rule)) continue;
    const anchor = index.items.get(rule.fields[0]!);
    if (!anchor || !isStepVisible(index, anchor.step, answers, today)) continue;
    // A rule on fields in a repeating group is checked in each repetition (siblings are the same repetition).
    const each = (groups: typeof anchor.groups, frames: Frames, prefix: string): void => {
      const [group, ...rest] = groups;
      if (group) {
        if (!isItemShown(index, group, frames, today)) return;
        if (!group.repeat) return each(rest, frames, prefix);
        repetitionsOf(frames[frames.length - 1]!, group.id).forEach((repetition, i) => each(rest, [...frames, repetition], `${prefix}.${group.id}.${i}`));
        return;
      }
      const targets = rule.fields.map((id) => index.items.get(id)).filter((entry) => entry && entry.groups.length === anchor.groups.length && isItemShown(index, entry.item, frames, today));
      const target = targets[0];
      if (!target) return;
      if (rule.when && !holds(index, rule.when, frames, today)) return;
      if (holds(index, rule.assert, frames, today)) return;
      const name = `${prefix}.${target.item.id}`;
      const fieldId = target.item.kind === 'field' ? inputId(target.item, name) : name;
      if (errors.some((e) => e.fieldId === fieldId)) return;
      errors.push({ fieldId, path: fieldId.slice(FIELD_PREFIX.length + 1), stepId: target.step.id, itemId: target.item.id, code: `rule:${rule.id}`, message: rule.message });
    };
    each(anchor.groups, [answers], FIELD_PREFIX);
  }
}

function error(fieldId: string, step: FormStep, itemId: string, message: EngineMessage): FieldError {
  return { fieldId, path: fieldId.slice(FIELD_PREFIX.length + 1), stepId: step.id, itemId, code: message.code, message: message.text };
}

/** The HTML id of the input an error links to: for an address the part at fault, else the field's first input. */
export function inputId(field: FieldItem, name: string, problem?: EngineMessage, value?: unknown): string {
  if (field.type !== 'address') return name;
  if (problem?.code === 'forms.error.postcode') return `${name}.postcode`;
  if (problem?.code === 'forms.error.country') return `${name}.country`;
  if (problem?.code === 'forms.error.addressPart' && value && typeof value === 'object') {
    for (const part of ['street', 'houseNumber', 'postcode', 'city', 'country']) {
      const v = (value as Record<string, unknown>)[part];
      if (typeof v !== 'string' || v.trim() === '') return `${name}.${part}`;
    }
  }
  return `${name}.street`;
}
