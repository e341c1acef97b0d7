/**
 * Reading a posted step: the urlencoded body of one step becomes normalised answers, the raw input
 * (to put back into the fields when the page is shown again) and the action of the button pressed.
 *
 * Body field names (the same names are the HTML ids the error summary links to):
 * - a field: `f.<id>`; inside a repeating group `f.<group>.<index>.<id>` (nested groups continue
 *   the pattern: `f.<outer>.<i>.<inner>.<j>.<id>`); non-repeating groups add nothing to the name;
 * - an address: `<name>.street`, `<name>.houseNumber`, `<name>.postcode`, `<name>.city`, `<name>.country`;
 * - a date: one text input `<name>` ("31.12.1980" or "1980-12-31"); a time `<name>` ("14:30");
 * - yes-no: radios `<name>` with values `yes` / `no`; choice: `<name>` = code; multi-choice: `<name>`
 *   repeated once per checked code;
 * - a repeating group: hidden `<groupName>.count` = repetitions shown;
 * - the button pressed: `_action` = `add:<groupName>`, `remove:<groupName>.<index>` or
 *   `remove-file:<fieldName>:<uploadId>`; anything else (or none) is "continue".
 * File fields are not read from the body: their FileReference[] come in `previous` and are kept.
 */
import type { AnswerValue, Answers, FileReference, FormDefinition, FormItem } from './form-definition.ts';
import { ADDRESS_PARTS, isFileReference, parseFieldInput, type RawInput } from './field-values.ts';
import { answerOf, indexForm, isItemShown, isStepVisible, repetitionsOf, type FormIndex, type Frames } from './form-index.ts';

/** The prefix of every field name in the body. */
export const FIELD_PREFIX = 'f';
/** The name of the submit button that carries an action. */
export const ACTION_NAME = '_action';

export type PostedBody = Record<string, string | string[] | undefined>;
export type RawValues = Record<string, string | string[]>;

export type StepAction =
  | { kind: 'continue' }
  /** "Weitere hinzufügen": one more repetition was appended to the group (`name` is the group's body name). */
  | { kind: 'add'; groupId: string; name: string }
  /** "Entfernen": repetition `index` was removed from the group. */
  | { kind: 'remove'; groupId: string; index: number; name: string }
  /** An uploaded file was taken off a file field (the caller may delete the upload). */
  | { kind: 'remove-file'; fieldId: string; uploadId: string; name: string };

export interface ReadResult {
  answers: Answers;
  raw: RawValues;
  action: StepAction;
}

const MAX_REPETITIONS = 1000;

/**
 * Reads the posted step `stepId` into the answers (answers of other steps in `previous` are kept;
 * answers of items hidden by the new answers are dropped everywhere). An add/remove action is
 * applied to the answers already. Throws only when `stepId` is not a step of the definition.
 */
export function readStepAnswers(definition: FormDefinition, stepId: string, body: PostedBody, previous: Answers): ReadResult {
  const step = definition.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`unknown step ${stepId}`);
  const index = indexForm(definition);
  const requested = parseAction(body[ACTION_NAME]);
  const answers: Answers = { ...previous };
  const raw: RawValues = {};
  let applied: StepAction = { kind: 'continue' };

  const readItems = (items: FormItem[], prefix: string, previousFrame: Answers, out: Answers, rawOut: RawValues) => {
    for (const item of items) {
      if (item.kind === 'text') continue;
      const name = `${prefix}.${item.id}`;
      if (item.kind === 'group') {
        if (!item.repeat) {
          readItems(item.items, prefix, previousFrame, out, rawOut);
          continue;
        }
        const before = repetitionsOf(previousFrame, item.id);
        const postedCount = Number(first(body[`${name}.count`]));
        let count = Number.isInteger(postedCount) && postedCount >= 0 ? postedCount : Math.max(before.length, item.repeat.min);
        count = Math.min(count, item.repeat.max, MAX_REPETITIONS);
        const repetitions: { answers: Answers; raw: RawValues }[] = [];
        for (let i = 0; i < count; i++) {
          const repetition: Answers = {};
          const repetitionRaw: RawValues = {};
          readItems(item.items, `${name}.${i}`, before[i] ?? {}, repetition, repetitionRaw);
          repetitions.push({ answers: repetition, raw: repetitionRaw });
        }
        if (requested.kind === 'add' && requested.name === name && repetitions.length < item.repeat.max) {
          repetitions.push({ answers: {}, raw: {} });
          applied = { kind: 'add', groupId: item.id, name };
        }
        if (requested.kind === 'remove' && requested.name === name && requested.index < repetitions.length) {
          repetitions.splice(requested.index, 1);
          applied = { kind: 'remove', groupId: item.id, index: requested.index, name };
        }
        repetitions.forEach((repetition, i) => {
          // Raw keys carry the index: renumber them after a removal.
          const from = `${name}.${i < (applied.kind === 'remove' && applied.name === name ? applied.index : Infinity) ? i : i + 1}.`;
          for (const [key, value] of Object.entries(repetition.raw)) rawOut[`${name}.${i}.${key.slice(from.length)}`] = value;
        });
        rawOut[`${name}.count`] = String(repetitions.length);
        if (repetitions.length > 0) out[item.id] = repetitions.map((r) => r.answers);
        else delete out[item.id];
        continue;
      }
      if (item.type === 'file') {
        const previousFiles = answerOf(previousFrame, item.id);
        const files = Array.isArray(previousFiles) ? (previousFiles as unknown[]).filter(isFileReference) : [];
        let kept: FileReference[] = files;
        if (requested.kind === 'remove-file' && requested.name === name) {
          kept = files.filter((f) => f.uploadId !== requested.uploadId);
          if (kept.length !== files.length) applied = { kind: 'remove-file', fieldId: item.id, uploadId: requested.uploadId, name };
        }
        if (kept.length > 0) out[item.id] = kept;
        else delete out[item.id];
        continue;
      }
      const input = rawInputFrom(body, item.type, name);
      copyRaw(input, name, rawOut);
      const parsed = parseFieldInput(item, input, definition.codeLists);
      if (parsed.ok && parsed.value !== undefined) out[item.id] = parsed.value;
      else delete out[item.id];
    }
  };

  for (const id of ownIds(step.items)) delete answers[id];
  readItems(step.items, FIELD_PREFIX, previous, answers, raw);
  return { answers: pruneAnswers(index, answers), raw, action: applied };
}

/** The raw input of one field, as the validators and the renderer want it, from a body or from raw values. */
export function rawInputFrom(source: PostedBody, type: string, name: string): RawInput | undefined {
  if (type === 'address') {
    const parts: Partial<Record<(typeof ADDRESS_PARTS)[number], string>> = {};
    let any = false;
    for (const part of ADDRESS_PARTS) {
      const v = first(source[`${name}.${part}`]);
      if (v !== undefined) {
        parts[part] = v;
        any = true;
      }
    }
    return any ? parts : undefined;
  }
  const value = source[name];
  if (type === 'multi-choice') return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : undefined;
  return first(value);
}

function copyRaw(input: RawInput | undefined, name: string, raw: RawValues): void {
  if (input === undefined) return;
  if (typeof input === 'string' || Array.isArray(input)) raw[name] = input;
  else for (const [part, v] of Object.entries(input)) if (typeof v === 'string') raw[`${name}.${part}`] = v;
}

function first(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Ids whose answers live directly in the frame of these items (fields, and repeating groups' arrays). */
function ownIds(items: FormItem[]): string[] {
  const ids: string[] = [];
  for (const item of items) {
    if (item.kind === 'field') ids.push(item.id);
    else if (item.kind === 'group') {
      if (item.repeat) ids.push(item.id);
      else ids.push(...ownIds(item.items));
    }
  }
  return ids;
}

function parseAction(value: string | string[] | undefined): StepAction | { kind: 'add'; name: string } | { kind: 'remove'; name: string; index: number } | { kind: 'remove-file'; name: string; uploadId: string } {
  const action = first(value);
  if (!action || action.length > 1000) return { kind: 'continue' };
  if (action.startsWith('add:')) return { kind: 'add', name: action.slice(4) };
  if (action.startsWith('remove:')) {
    const match = /^(.+)\.(\d{1,4})$/.exec(action.slice(7));
    if (match) return { kind: 'remove', name: match[1]!, index: Number(match[2]) };
  }
  if (action.startsWith('remove-file:')) {
    const rest = action.slice(12);
    const colon = rest.lastIndexOf(':');
    if (colon > 0) return { kind: 'remove-file', name: rest.slice(0, colon), uploadId: rest.slice(colon + 1) };
  }
  return { kind: 'continue' };
}

/**
 * Drops the answers of hidden steps, groups and fields (until nothing changes, since hiding one
 * field can hide another). Returns a new object; `answers` is not changed.
 */
export function pruneHiddenAnswers(definition: FormDefinition, answers: Answers): Answers {
  return pruneAnswers(indexForm(definition), answers);
}

function pruneAnswers(index: FormIndex, answers: Answers): Answers {
  let current = structuredClone(answers);
  for (let round = 0; round < 10; round++) {
    let changed = false;
    const prune = (items: FormItem[], frames: Frames) => {
      const frame = frames[frames.length - 1]!;
      for (const item of items) {
        if (item.kind === 'text') continue;
        const shown = isItemShown(index, item, frames);
        if (!shown) {
          for (const id of item.kind === 'group' && !item.repeat ? ownIds(item.items) : [item.id]) {
            if (Object.hasOwn(frame, id)) {
              delete frame[id];
              changed = true;
            }
          }
          continue;
        }
        if (item.kind === 'group') {
          if (!item.repeat) prune(item.items, frames);
          else for (const repetition of repetitionsOf(frame, item.id)) prune(item.items, [...frames, repetition]);
        }
      }
    };
    for (const step of index.definition.steps) {
      if (!isStepVisible(index, step, current)) {
        for (const id of ownIds(step.items)) {
          if (Object.hasOwn(current, id)) {
            delete current[id];
            changed = true;
          }
        }
        continue;
      }
      prune(step.items, [current]);
    }
    if (!changed) break;
    current = { ...current };
  }
  return current;
}

/** Values for prefill, from the identity (what the user agreed to take over). */
export type PrefillValues = Partial<Record<'givenName' | 'familyName' | 'birthDate' | 'placeOfBirth' | 'email' | 'organisationName', string>> &
  Partial<Record<'address' | 'organisationAddress', { street: string; houseNumber?: string; postcode: string; city: string; country?: string }>>;

/**
 * Fills unanswered top-level fields that name a `prefill` source from `values` (normalised like
 * typed input). Returns the new answers and the ids that were filled (to mark them as prefilled).
 */
export function applyPrefill(definition: FormDefinition, answers: Answers, values: PrefillValues): { answers: Answers; prefilledIds: string[] } {
  const out: Answers = { ...answers };
  const prefilledIds: string[] = [];
  const visit = (items: FormItem[]) => {
    for (const item of items) {
      if (item.kind === 'group' && !item.repeat) visit(item.items);
      if (item.kind !== 'field' || !item.prefill || Object.hasOwn(out, item.id)) continue;
      const source = values[item.prefill];
      if (source === undefined) continue;
      const input: RawInput = typeof source === 'string' ? source : { ...splitStreet(source.street, source.houseNumber), postcode: source.postcode, city: source.city, country: source.country ?? 'DE' };
      const parsed = parseFieldInput(item, input, definition.codeLists);
      if (parsed.ok && parsed.value !== undefined) {
        out[item.id] = parsed.value as AnswerValue;
        prefilledIds.push(item.id);
      }
    }
  };
  for (const step of definition.steps) visit(step.items);
  return { answers: out, prefilledIds };
}

/** BundID sends "Heidestraße 17a" as the street: the trailing house number is split off when none is given. */
function splitStreet(street: string, houseNumber: string | undefined): { street: string; houseNumber: string } {
  if (houseNumber) return { street, houseNumber };
  const match = /^(.*\S)\s+(\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)$/.exec(street.trim());
  return match ? { street: match[1]!, houseNumber: match[2]! } : { street, houseNumber: '' };
}
