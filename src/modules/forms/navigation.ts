/**
 * Moving through a form: the next and previous visible step, the first step with errors, and the
 * files an application refers to (to list them on the receipt, or to find uploads no longer used).
 */
import type { Answers, FileReference, FormDefinition, FormItem } from './form-definition.ts';
import { isFileReference } from './field-values.ts';
import { answerOf, indexForm, isItemShown, repetitionsOf, type Frames } from './form-index.ts';
import { FIELD_PREFIX } from './read-answers.ts';
import { visibleSteps, type ValidationOptions } from './validate-answers.ts';

/** The visible step after `stepId` for these answers, or undefined after the last (then: "check your answers"). */
export function nextStepId(definition: FormDefinition, stepId: string, answers: Answers, options: ValidationOptions = {}): string | undefined {
  const order = definition.steps.map((s) => s.id);
  const visible = new Set(visibleSteps(definition, answers, options).map((s) => s.id));
  return order.slice(order.indexOf(stepId) + 1).find((id) => visible.has(id));
}

/** The visible step before `stepId`, or undefined before the first. */
export function previousStepId(definition: FormDefinition, stepId: string, answers: Answers, options: ValidationOptions = {}): string | undefined {
  const order = definition.steps.map((s) => s.id);
  const index = order.indexOf(stepId);
  const visible = new Set(visibleSteps(definition, answers, options).map((s) => s.id));
  return index <= 0 ? undefined : order.slice(0, index).reverse().find((id) => visible.has(id));
}

export interface AttachedFile {
  /** The file field's definition id and the HTML id / body name of its input. */
  itemId: string;
  fieldId: string;
  file: FileReference;
}

/** Every file referenced by a shown file field, in form order. Never throws. */
export function collectFiles(definition: FormDefinition, answers: Answers): AttachedFile[] {
  const index = indexForm(definition);
  const out: AttachedFile[] = [];
  const walk = (items: FormItem[], prefix: string, frames: Frames) => {
    const frame = frames[frames.length - 1]!;
    for (const item of items) {
      if (item.kind === 'text' || !isItemShown(index, item, frames)) continue;
      const name = `${prefix}.${item.id}`;
      if (item.kind === 'group') {
        if (!item.repeat) walk(item.items, prefix, frames);
        else repetitionsOf(frame, item.id).forEach((repetition, i) => walk(item.items, `${name}.${i}`, [...frames, repetition]));
      } else if (item.type === 'file') {
        const value = answerOf(frame, item.id);
        if (Array.isArray(value)) for (const file of value as unknown[]) if (isFileReference(file)) out.push({ itemId: item.id, fieldId: name, file });
      }
    }
  };
  for (const step of visibleSteps(definition, answers)) walk(step.items, FIELD_PREFIX, [answers]);
  return out;
}
