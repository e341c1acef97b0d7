/**
 * View models for rendering a step (`views/step.njk`) and the "check your answers" summary (also
 * the content of the PDF receipt). Everything is already resolved for one locale: templates only
 * place the strings.
 */
import type { AddressValue, Answers, FieldItem, FileReference, FormDefinition, FormItem } from './form-definition.ts';
import { ADDRESS_PARTS, engineText, isAnswered, isFileReference } from './field-values.ts';
import { answerOf, indexForm, isItemShown, isRequired, isStepVisible, localize, repetitionsOf, type FormIndex, type Frames } from './form-index.ts';
import { parseIsoDate } from './rule-language.ts';
import { ACTION_NAME, FIELD_PREFIX, type RawValues } from './read-answers.ts';
import type { FieldError } from './validate-answers.ts';

type Locale = 'de' | 'en';

export interface OptionView { id: string; value: string; label: string; checked: boolean }
export interface AddressPartView { id: string; name: string; label: string; value: string; autocomplete?: string; className: string; error: boolean }
export interface FileView { fileName: string; size: string; removeValue: string; removeText: string }

/**
 * How an item takes part in conditions (with `StepViewInput.withHidden`): `conditional` when it has a
 * condition (`visibleIf`); `hidden` when that condition is false for the answers; `disabled` when it
 * or an enclosing item is hidden (its inputs are then not sent with the form).
 */
export interface ConditionView { conditional: boolean; hidden: boolean; disabled: boolean }

export interface FieldView extends ConditionView {
  kind: 'field';
  type: FieldItem['type'];
  widget: 'input' | 'textarea' | 'radios' | 'select' | 'checkboxes' | 'address' | 'file';
  id: string;
  name: string;
  label: string;
  /** Help text and the type's hint ("Zum Beispiel 31.12.1980"), each a paragraph. */
  hint: string[];
  hintId: string;
  error?: string;
  errorId: string;
  /** Value of aria-describedby (hint, prefill note, error), or empty. */
  describedBy: string;
  /** Whether the field must be answered (`required`, or `requiredIf` holding for the answers). */
  required: boolean;
  /** True when `required` depends on the answers (`requiredIf`): a script may change it as they change. */
  requiredIf: boolean;
  optionalText: string;
  value: string;
  inputType: string;
  inputmode?: string;
  autocomplete?: string;
  spellcheck: boolean;
  options: OptionView[];
  placeholderOption?: string;
  parts: AddressPartView[];
  files: FileView[];
  accept?: string;
  multiple: boolean;
  prefilled: boolean;
  prefilledText: string;
  prefilledId: string;
  inline: boolean;
  errorPrefix: string;
  uploadedText: string;
}

export interface TextView extends ConditionView { kind: 'text'; id: string; text: string }
export interface GroupView extends ConditionView { kind: 'group'; id: string; legend: string; hint?: string; hintId: string; items: ItemView[] }
export interface RepetitionView { id: string; legend: string; items: ItemView[]; remove?: { value: string; text: string; hiddenText: string } }
export interface RepeatView extends ConditionView {
  kind: 'repeat';
  id: string;
  legend: string;
  hint?: string;
  hintId: string;
  error?: string;
  errorId: string;
  describedBy: string;
  errorPrefix: string;
  countName: string;
  count: number;
  repetitions: RepetitionView[];
  add?: { value: string; text: string; hiddenText: string };
}
export type ItemView = FieldView | TextView | GroupView | RepeatView;

export interface StepView {
  stepId: string;
  title: string;
  intro?: string;
  items: ItemView[];
  /** For the error summary (`ui.errorSummary(view.errorSummary, t)` of components.njk): field = HTML id to link to. */
  errorSummary: { field: string; message: string }[];
  errorPrefix: string;
  actionName: string;
  /** True when the step shows a file input: the page's form needs enctype="multipart/form-data". */
  hasFileFields: boolean;
  /** True when an item of the step has a condition (`visibleIf`, `requiredIf`): the answers can change what it shows. */
  hasConditions: boolean;
}

export interface StepViewInput {
  answers: Answers;
  raw?: RawValues;
  errors?: FieldError[];
  locale: Locale;
  /** Ids of fields filled from the user account (shown with a note). */
  prefilledIds?: readonly string[];
  /**
   * Also build the items whose condition is false, marked `hidden` with their inputs `disabled`, in
   * their place: a script can show them as the answers change, and without it the page is the same.
   */
  withHidden?: boolean;
}

const RADIO_LIMIT = 7;

/** Builds the view of one step. Throws only when `stepId` is not a step of the definition. */
export function buildStepView(definition: FormDefinition, stepId: string, input: StepViewInput): StepView {
  const step = definition.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`unknown step ${stepId}`);
  const index = indexForm(definition);
  const { locale } = input;
  const raw = input.raw ?? {};
  const errors = (input.errors ?? []).filter((e) => e.stepId === stepId);
  const prefilled = new Set(input.prefilledIds ?? []);
  const t = (key: Parameters<typeof engineText>[0], params?: Parameters<typeof engineText>[1]) => localize(engineText(key, params), locale);

  const errorFor = (name: string, nested: boolean) =>
    errors.find((e) => e.fieldId === name || (nested && e.fieldId.startsWith(`${name}.`)));

  const items = (list: FormItem[], prefix: string, frames: Frames, inHidden: boolean): ItemView[] => {
    const out: ItemView[] = [];
    const frame = frames[frames.length - 1]!;
    for (const item of list) {
      const hidden = !isItemShown(index, item, frames);
      if (hidden && !input.withHidden) continue;
      const condition: ConditionView = { conditional: item.visibleIf !== undefined, hidden, disabled: inHidden || hidden };
      const name = `${prefix}.${item.id}`;
      if (item.kind === 'text') {
        out.push({ kind: 'text', id: name, text: localize(item.text, locale), ...condition });
      } else if (item.kind === 'group' && !item.repeat) {
        out.push({ kind: 'group', id: name, legend: localize(item.label, locale), ...(item.help ? { hint: localize(item.help, locale) } : {}), hintId: `${name}-hint`, items: items(item.items, prefix, frames, condition.disabled), ...condition });
      } else if (item.kind === 'group' && item.repeat) {
        const repetitions = repetitionsOf(frame, item.id);
        const rawCount = Number(raw[`${name}.count`]);
        const count = Math.min(item.repeat.max, Math.max(item.repeat.min, Number.isInteger(rawCount) && rawCount >= 0 ? rawCount : repetitions.length));
        const legend = localize(item.label, locale);
        const error = errorFor(name, false);
        const hint = item.help ? localize(item.help, locale) : undefined;
        const views: RepetitionView[] = [];
        for (let i = 0; i < count; i++) {
          const repetitionLegend = t('forms.ui.repetition', { label: item.label, n: i + 1 });
          views.push({
            id: `${name}.${i}`,
            legend: repetitionLegend,
            items: items(item.items, `${name}.${i}`, [...frames, repetitions[i] ?? {}], condition.disabled),
            ...(count > item.repeat.min ? { remove: { value: `remove:${name}.${i}`, text: t('forms.ui.remove'), hiddenText: repetitionLegend } } : {}),
          });
        }
        out.push({
          kind: 'repeat', id: name, legend, hintId: `${name}-hint`, errorId: `${name}-error`,
          ...(hint ? { hint } : {}), ...(error ? { error: localize(error.message, locale) } : {}),
          describedBy: [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' '),
          errorPrefix: t('forms.ui.errorPrefix'),
          countName: `${name}.count`, count, repetitions: views,
          ...(count < item.repeat.max ? { add: { value: `add:${name}`, text: t('forms.ui.add'), hiddenText: legend } } : {}),
          ...condition,
        });
      } else if (item.kind === 'field') {
        const required = isRequired(index, item, frames);
        out.push({ ...fieldView(index, item, name, frame, raw, errorFor(name, item.type === 'address'), prefilled.has(item.id) && prefix === FIELD_PREFIX, required, locale), ...condition });
      }
    }
    return out;
  };

  const views = isStepVisible(index, step, input.answers) ? items(step.items, FIELD_PREFIX, [input.answers], false) : [];
  const hasFile = (list: ItemView[]): boolean =>
    list.some((v) => !v.hidden && ((v.kind === 'field' && v.widget === 'file') || (v.kind === 'group' && hasFile(v.items)) || (v.kind === 'repeat' && v.repetitions.some((r) => hasFile(r.items)))));
  const hasCondition = (list: FormItem[]): boolean =>
    list.some((i) => i.visibleIf !== undefined || (i.kind === 'field' && i.requiredIf !== undefined) || (i.kind === 'group' && hasCondition(i.items)));
  return {
    stepId,
    title: localize(step.title, locale),
    ...(step.intro ? { intro: localize(step.intro, locale) } : {}),
    items: views,
    hasFileFields: hasFile(views),
    hasConditions: hasCondition(step.items),
    errorSummary: errors.map((e) => ({ field: e.fieldId, message: localize(e.message, locale) })),
    errorPrefix: t('forms.ui.errorPrefix'),
    actionName: ACTION_NAME,
  };
}

/**
 * The questions a step shows for these answers (posted repetition counts in `raw`), in page order:
 * the field's HTML name, its label, and the id of the element a link to it should target.
 */
export function shownFields(definition: FormDefinition, stepId: string, input: Pick<StepViewInput, 'answers' | 'raw' | 'locale'>): { name: string; label: string; target: string }[] {
  const out: { name: string; label: string; target: string }[] = [];
  const collect = (items: ItemView[]) => {
    for (const v of items) {
      if (v.kind === 'field') out.push({ name: v.name, label: v.label, target: v.widget === 'address' ? v.parts[0]!.id : v.id });
      else if (v.kind === 'group') collect(v.items);
      else if (v.kind === 'repeat') for (const r of v.repetitions) collect(r.items);
    }
  };
  collect(buildStepView(definition, stepId, input).items);
  return out;
}

/** What a step shows for some answers, as far as conditions decide it (see `conditionStates`). */
export interface ConditionStates {
  /** The HTML ids of the items with a condition that are shown (hidden enclosing items hide theirs). */
  visible: string[];
  /** The HTML ids of the shown fields with `requiredIf` that must be answered. */
  required: string[];
}

/**
 * Which of a step's conditional items are shown and which conditionally required fields are
 * required for these answers (posted repetition counts in `raw`): what a page rendered with
 * `withHidden` marks as `data-condition` and `data-required-if`, so that a script can follow the
 * answers without evaluating any rule itself. Throws only when `stepId` is not a step of the definition.
 */
export function conditionStates(definition: FormDefinition, stepId: string, input: Pick<StepViewInput, 'answers' | 'raw'>): ConditionStates {
  const states: ConditionStates = { visible: [], required: [] };
  const collect = (views: ItemView[]) => {
    for (const v of views) {
      if (v.disabled) continue;
      if (v.conditional) states.visible.push(v.id);
      if (v.kind === 'field' && v.requiredIf && v.required) states.required.push(v.id);
      else if (v.kind === 'group') collect(v.items);
      else if (v.kind === 'repeat') for (const r of v.repetitions) collect(r.items);
    }
  };
  collect(buildStepView(definition, stepId, { ...input, locale: 'de', withHidden: true }).items);
  return states;
}

function fieldView(index: FormIndex, field: FieldItem, name: string, frame: Answers, raw: RawValues, error: FieldError | undefined, prefilled: boolean, required: boolean, locale: Locale): Omit<FieldView, keyof ConditionView> {
  const t = (key: Parameters<typeof engineText>[0], params?: Parameters<typeof engineText>[1]) => localize(engineText(key, params), locale);
  const value = answerOf(frame, field.id);
  const rawValue = raw[name];
  const hint: string[] = [];
  if (field.help) hint.push(localize(field.help, locale));
  const typeHint = ({ date: 'forms.ui.dateHint', time: 'forms.ui.timeHint', currency: 'forms.ui.currencyHint', iban: 'forms.ui.ibanHint' } as const)[field.type as 'date'];
  if (typeHint) hint.push(t(typeHint));
  const c = field.constraints;
  if (field.type === 'file') {
    if (c.mediaTypes) hint.push(t('forms.ui.fileTypes', { types: c.mediaTypes.map(mediaTypeName).join(', ') }));
    if ((c.maxFiles ?? 1) > 1) hint.push(t('forms.ui.fileMax', { count: c.maxFiles ?? 1 }));
  }
  const describedBy = [hint.length ? `${name}-hint` : '', prefilled ? `${name}-prefilled` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  const view: Omit<FieldView, keyof ConditionView> = {
    kind: 'field', type: field.type, widget: 'input', id: name, name, label: localize(field.label, locale), hint, hintId: `${name}-hint`,
    ...(error ? { error: localize(error.message, locale) } : {}), errorId: `${name}-error`, describedBy, required, requiredIf: field.requiredIf !== undefined,
    optionalText: t('forms.ui.optional'), value: '', inputType: 'text', spellcheck: true, options: [], parts: [], files: [], multiple: false,
    prefilled, prefilledText: t('forms.ui.prefilled'), prefilledId: `${name}-prefilled`, inline: false,
    errorPrefix: t('forms.ui.errorPrefix'), uploadedText: t('forms.ui.uploaded'),
  };
  const autocomplete = field.autocomplete ?? defaultAutocomplete(field);
  if (autocomplete && field.type !== 'address') view.autocomplete = autocomplete;
  const text = typeof rawValue === 'string' ? rawValue : displayInputValue(field, value, locale);
  switch (field.type) {
    case 'textarea':
      return { ...view, widget: 'textarea', value: text };
    case 'integer':
      return { ...view, value: text, inputmode: 'numeric' };
    case 'number':
    case 'currency':
      return { ...view, value: text, inputmode: 'decimal' };
    case 'email':
      return { ...view, value: text, inputType: 'email', spellcheck: false };
    case 'phone':
      return { ...view, value: text, inputType: 'tel' };
    case 'iban':
      return { ...view, value: text, spellcheck: false };
    case 'yes-no': {
      const current = typeof rawValue === 'string' ? rawValue : value === true ? 'yes' : value === false ? 'no' : '';
      const options = [['yes', t('forms.ui.yes')], ['no', t('forms.ui.no')]].map(([code, label], i) => ({ id: i === 0 ? name : `${name}-${i}`, value: code!, label: label!, checked: current === code }));
      return { ...view, widget: 'radios', options, inline: true };
    }
    case 'choice':
    case 'multi-choice': {
      const entries = field.codeList ? (index.definition.codeLists[field.codeList]?.entries ?? []) : [];
      const chosen = new Set(Array.isArray(rawValue) ? rawValue : typeof rawValue === 'string' ? [rawValue] : Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : []);
      const options = entries.map((e, i) => ({ id: i === 0 ? name : `${name}-${i}`, value: e.code, label: localize(e.label, locale), checked: chosen.has(e.code) }));
      if (field.type === 'multi-choice') return { ...view, widget: 'checkboxes', options };
      const select = field.display === 'select' || (field.display === undefined && entries.length > RADIO_LIMIT);
      return select ? { ...view, widget: 'select', options, placeholderOption: t('forms.ui.selectPlaceholder') } : { ...view, widget: 'radios', options };
    }
    case 'address': {
      const address = value && typeof value === 'object' && !Array.isArray(value) ? (value as unknown as AddressValue) : undefined;
      const section = field.autocomplete && field.autocomplete !== 'on' ? `${field.autocomplete} ` : '';
      const tokens = field.prefill || field.autocomplete
        ? { street: 'address-line1', houseNumber: undefined, postcode: 'postal-code', city: 'address-level2', country: 'country' }
        : undefined;
      const parts = ADDRESS_PARTS.map((part) => {
        const rawPart = raw[`${name}.${part}`];
        const partValue = typeof rawPart === 'string' ? rawPart : (address?.[part] ?? (part === 'country' ? 'DE' : ''));
        const token = field.autocomplete === 'off' ? 'off' : tokens?.[part] ? `${section}${tokens[part]}` : undefined;
        return {
          id: `${name}.${part}`, name: `${name}.${part}`, label: t(`forms.ui.${part}`), value: partValue,
          ...(token ? { autocomplete: token } : {}),
          className: part === 'houseNumber' || part === 'postcode' || part === 'country' ? 'input--short' : '',
          error: !!error && error.fieldId === `${name}.${part}`,
        };
      });
      return { ...view, widget: 'address', parts };
    }
    case 'file': {
      const files = Array.isArray(value) ? (value as unknown[]).filter(isFileReference) : [];
      return {
        ...view, widget: 'file', inputType: 'file', multiple: (c.maxFiles ?? 1) > 1,
        ...(c.mediaTypes ? { accept: c.mediaTypes.join(',') } : {}),
        files: files.map((f: FileReference) => ({
          fileName: f.fileName, size: formatBytes(f.sizeBytes, locale),
          removeValue: `remove-file:${name}:${f.uploadId}`, removeText: t('forms.ui.removeFile', { file: f.fileName }),
        })),
      };
    }
    default:
      return { ...view, value: text };
  }
}

function defaultAutocomplete(field: FieldItem): string | undefined {
  switch (field.prefill) {
    case 'givenName': return 'given-name';
    case 'familyName': return 'family-name';
    case 'birthDate': return 'bday';
    case 'email': return 'email';
    case 'organisationName': return 'organization';
    default: break;
  }
  if (field.type === 'email') return 'email';
  if (field.type === 'phone') return 'tel';
  return undefined;
}

/** The answer as it is put back into an input (German or English number format). */
function displayInputValue(field: FieldItem, value: unknown, locale: Locale): string {
  if (value === undefined || value === null) return '';
  switch (field.type) {
    case 'date':
      return typeof value === 'string' ? isoToGerman(value) : '';
    case 'number':
    case 'integer':
      return typeof value === 'number' ? (locale === 'de' ? String(value).replace('.', ',') : String(value)) : '';
    case 'currency':
      return typeof value === 'number' ? (locale === 'de' ? (value / 100).toFixed(2).replace('.', ',') : (value / 100).toFixed(2)) : '';
    case 'iban':
      return typeof value === 'string' ? value.replace(/(.{4})(?=.)/g, '$1 ') : '';
    default:
      return typeof value === 'string' ? value : '';
  }
}

function isoToGerman(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
}

function mediaTypeName(type: string): string {
  return ({ 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/tiff': 'TIFF', 'image/gif': 'GIF' } as Record<string, string>)[type] ?? type;
}

function formatBytes(bytes: number, locale: Locale): string {
  const format = new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${format.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${format.format(bytes / 1024)} KB`;
  return `${format.format(bytes / 1024 / 1024)} MB`;
}

export interface SummaryRow {
  label: string;
  /** The answer as lines of text (an address has several; "nicht angegeben" when empty). */
  lines: string[];
  displayValue: string;
  stepId: string;
  /** HTML id of the input on the step page (for "Ändern" links: `<step url>#<fieldId>`). */
  fieldId: string;
  itemId: string;
  answered: boolean;
}
export interface SummaryStep { stepId: string; title: string; rows: SummaryRow[] }
export interface SummaryView { title: string; steps: SummaryStep[]; changeText: string }

/** The answers of all visible steps as rows (for "check your answers" and the receipt). Never throws. */
export function buildSummaryView(definition: FormDefinition, answers: Answers, locale: Locale): SummaryView {
  const index = indexForm(definition);
  const steps: SummaryStep[] = [];
  const notAnswered = localize(engineText('forms.ui.notAnswered'), locale);
  for (const step of definition.steps) {
    if (!isStepVisible(index, step, answers)) continue;
    const rows: SummaryRow[] = [];
    const walk = (list: FormItem[], prefix: string, frames: Frames, labelPrefix: string) => {
      const frame = frames[frames.length - 1]!;
      for (const item of list) {
        if (item.kind === 'text' || !isItemShown(index, item, frames)) continue;
        const name = `${prefix}.${item.id}`;
        if (item.kind === 'group') {
          // The group's label goes before its fields' labels: the same label in two groups (the
          // postcode of a street address and of a PO box) must stay apart in the summary list.
          if (!item.repeat) walk(item.items, prefix, frames, `${labelPrefix}${localize(item.label, locale)}: `);
          else {
            repetitionsOf(frame, item.id).forEach((repetition, i) => {
              const legend = localize(engineText('forms.ui.repetition', { label: item.label, n: i + 1 }), locale);
              walk(item.items, `${name}.${i}`, [...frames, repetition], `${labelPrefix}${legend}: `);
            });
          }
          continue;
        }
        const value = answerOf(frame, item.id);
        const answered = isAnswered(value);
        const lines = answered ? displayLines(index, item, value, locale) : [notAnswered];
        rows.push({
          label: `${labelPrefix}${localize(item.label, locale)}`, lines, displayValue: lines.join(', '), stepId: step.id,
          fieldId: item.type === 'address' ? `${name}.street` : name, itemId: item.id, answered,
        });
      }
    };
    walk(step.items, FIELD_PREFIX, [answers], '');
    steps.push({ stepId: step.id, title: localize(step.title, locale), rows });
  }
  return { title: localize(definition.title, locale), steps, changeText: localize(engineText('forms.ui.change'), locale) };
}

/** An answer as display lines in a locale. */
export function displayLines(index: FormIndex, field: FieldItem, value: unknown, locale: Locale): string[] {
  const numberFormat = (options: Intl.NumberFormatOptions = {}) => new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB', options);
  const label = (code: string) => {
    const entry = field.codeList ? index.definition.codeLists[field.codeList]?.entries.find((e) => e.code === code) : undefined;
    return entry ? localize(entry.label, locale) : code;
  };
  switch (field.type) {
    case 'date': {
      const date = parseIsoDate(value);
      if (!date) return typeof value === 'string' ? [value] : [];
      return [new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(date.y, date.m - 1, date.d)))];
    }
    case 'integer':
    case 'number':
      // Digits grouped from five on: a year or a count of four digits reads as typed (1994, not 1.994).
      return typeof value === 'number' ? [numberFormat({ maximumFractionDigits: 10, useGrouping: 'min2' }).format(value)] : [];
    case 'currency':
      return typeof value === 'number' ? [numberFormat({ style: 'currency', currency: 'EUR' }).format(value / 100)] : [];
    case 'yes-no':
      return [localize(engineText(value === true ? 'forms.ui.yes' : 'forms.ui.no'), locale)];
    case 'choice':
      return typeof value === 'string' ? [label(value)] : [];
    case 'multi-choice':
      return Array.isArray(value) ? value.map((v) => label(String(v))) : [];
    case 'address': {
      if (!value || typeof value !== 'object') return [String(value)];
      const a = value as AddressValue;
      return [`${a.street} ${a.houseNumber}`, `${a.postcode} ${a.city}`, ...(a.country !== 'DE' ? [a.country] : [])];
    }
    case 'file':
      return Array.isArray(value) ? value.filter(isFileReference).map((f) => `${f.fileName} (${formatBytes(f.sizeBytes, locale)})`) : [];
    case 'iban':
      return typeof value === 'string' ? [value.replace(/(.{4})(?=.)/g, '$1 ')] : [];
    default:
      return typeof value === 'string' ? value.split('\n') : [];
  }
}
