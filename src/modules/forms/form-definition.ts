/**
 * The form definition: a versioned online form as data, not code. Built by hand (the demo's
 * reference procedures), by the FIM importer (XDatenfelder 2.0/3.0) or by an editor; stored as JSON
 * per version; rendered, validated and evaluated by the form engine in this module.
 *
 * Identifiers: every item id (field, group, text) is unique in the whole definition and matches
 * ID_PATTERN, so that rules can name fields without paths and ids work as HTML ids and form names.
 *
 * Answers (see `Answers`): one entry per field id, except inside a repeating group, whose answers
 * are an array of entries (one object per repetition) stored under the group's id. Non-repeating
 * groups do not nest answers; they only structure the page (fieldset + legend).
 *
 * Rule expressions (`visibleIf`, `requiredIf`, cross-field `assert`) are strings in the platform's
 * rule language (`rule-language.ts`): parsed and evaluated safely, never with `eval`.
 */
import { z } from 'zod';

/** Item ids: a letter, then letters, digits, `_` or `-` (also valid as HTML id and form field name). */
export const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,79}$/;

const id = z.string().regex(ID_PATTERN);

/** A text in German (required) and English (optional; the engine falls back to German). */
export const localizedText = z.object({ de: z.string().min(1), en: z.string().min(1).optional() }).strict();
export type LocalizedText = z.infer<typeof localizedText>;

/** A rule-language expression, e.g. `hunde_anzahl > 1 and filled(halter_telefon)`. */
const expression = z.string().min(1).max(2000);

/** Field types the engine renders and validates. */
export const FIELD_TYPES = [
  'text', // one line
  'textarea', // several lines
  'integer',
  'number', // decimal, German input "1.234,5" accepted
  'currency', // euro amount, stored as integer cents
  'date', // ISO yyyy-mm-dd; German input dd.mm.yyyy accepted
  'time', // hh:mm
  'choice', // one code from a code list (display radio or select)
  'multi-choice', // several codes (checkboxes)
  'yes-no', // boolean
  'address', // block: street, houseNumber, postcode, city, country (ISO 3166 alpha-2, default DE)
  'iban', // checked with mod-97
  'email',
  'phone',
  'file', // evidence upload; value is a reference to a stored upload
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Constraints beyond the type. Which ones apply depends on the type (checked by `formDefinition`). */
export const fieldConstraints = z
  .object({
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).optional(),
    /** integer/number/currency (currency in euros, e.g. 13.5), date as ISO string or the word `today`. */
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    /** A JavaScript regular expression (without slashes), matched against the whole value. */
    pattern: z.string().max(500).optional(),
    patternMessage: localizedText.optional(),
    /** multi-choice: how many codes may/must be chosen. */
    minItems: z.number().int().min(0).optional(),
    maxItems: z.number().int().min(1).optional(),
    /** file: largest accepted file in bytes, and accepted media types (sniffed from content). */
    maxSizeBytes: z.number().int().positive().optional(),
    mediaTypes: z.array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/)).optional(),
    /** file: how many files this field takes (default 1). */
    maxFiles: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type FieldConstraints = z.infer<typeof fieldConstraints>;

/** Identity attributes a field may be prefilled from, with the user's consent. */
export const PREFILL_SOURCES = ['givenName', 'familyName', 'birthDate', 'placeOfBirth', 'address', 'email', 'organisationName', 'organisationAddress'] as const;
export type PrefillSource = (typeof PREFILL_SOURCES)[number];

export const fieldItem = z
  .object({
    kind: z.literal('field'),
    id,
    type: z.enum(FIELD_TYPES),
    label: localizedText,
    help: localizedText.optional(),
    /** Always required, unless hidden. */
    required: z.boolean().default(false),
    /** Required when the expression is true (and the field is visible). */
    requiredIf: expression.optional(),
    /** Shown (and validated, and kept in the answers) only when the expression is true. */
    visibleIf: expression.optional(),
    constraints: fieldConstraints.default({}),
    /** choice / multi-choice: id of an entry in `codeLists`. */
    codeList: id.optional(),
    /** choice: radio buttons (default up to 7 entries) or a select. */
    display: z.enum(['radio', 'select']).optional(),
    /** HTML autocomplete token, e.g. `given-name`, `bday`, `email`, `tel`. */
    autocomplete: z.string().max(60).optional(),
    prefill: z.enum(PREFILL_SOURCES).optional(),
    /** Where the field came from (e.g. the FIM Datenfeld `F60000227` version `1.2`), for reports. */
    source: z.string().max(200).optional(),
  })
  .strict();
export type FieldItem = z.infer<typeof fieldItem>;

export const textItem = z
  .object({
    kind: z.literal('text'),
    id,
    text: localizedText,
    visibleIf: expression.optional(),
    source: z.string().max(200).optional(),
  })
  .strict();
export type TextItem = z.infer<typeof textItem>;

export interface GroupItem {
  kind: 'group';
  id: string;
  label: LocalizedText;
  help?: LocalizedText | undefined;
  visibleIf?: string | undefined;
  /** Present for a repeating group: answers are an array with min..max entries. */
  repeat?: { min: number; max: number } | undefined;
  items: FormItem[];
  source?: string | undefined;
}
export type FormItem = FieldItem | TextItem | GroupItem;

export const groupItem: z.ZodType<GroupItem> = z.lazy(() =>
  z
    .object({
      kind: z.literal('group'),
      id,
      label: localizedText,
      help: localizedText.optional(),
      visibleIf: expression.optional(),
      repeat: z
        .object({ min: z.number().int().min(0), max: z.number().int().min(1).max(1000) })
        .strict()
        .refine((r) => r.min <= r.max, 'repeat.min must not exceed repeat.max')
        .optional(),
      items: z.array(formItem).min(1),
      source: z.string().max(200).optional(),
    })
    .strict(),
) as z.ZodType<GroupItem>;

export const formItem: z.ZodType<FormItem> = z.lazy(() => z.union([fieldItem, textItem, groupItem])) as z.ZodType<FormItem>;

/** One page of a multi-step form. */
export const formStep = z
  .object({
    id,
    title: localizedText,
    intro: localizedText.optional(),
    visibleIf: expression.optional(),
    items: z.array(formItem).min(1),
  })
  .strict();
export type FormStep = z.infer<typeof formStep>;

export const codeList = z
  .object({
    title: localizedText,
    /** Where it came from, e.g. the genericode canonical URI and version. */
    source: z.string().max(300).optional(),
    entries: z
      .array(z.object({ code: z.string().min(1).max(200), label: localizedText }).strict())
      .min(1),
  })
  .strict();
export type CodeList = z.infer<typeof codeList>;

/** A rule across fields: when `when` holds (or always), `assert` must hold, else `message` on `fields`. */
export const crossFieldRule = z
  .object({
    id,
    when: expression.optional(),
    assert: expression,
    message: localizedText,
    /** Field ids the error is shown at (the first is linked from the error summary). */
    fields: z.array(id).min(1),
    source: z.string().max(200).optional(),
  })
  .strict();
export type CrossFieldRule = z.infer<typeof crossFieldRule>;

/** The whole definition (one version). Structural checks beyond the shape are in `checkFormDefinition`. */
export const formDefinition = z
  .object({
    /** Schema version of this JSON format. */
    format: z.literal(1),
    title: localizedText,
    /** Shown before the first step. */
    intro: localizedText.optional(),
    steps: z.array(formStep).min(1),
    codeLists: z.record(id, codeList).default({}),
    rules: z.array(crossFieldRule).default([]),
    /** Where the definition came from (e.g. `FIM S00000094 V1.0 (XDatenfelder 2.0)`). */
    source: z.string().max(300).optional(),
  })
  .strict();
export type FormDefinition = z.infer<typeof formDefinition>;

/** A stored upload referenced from the answers of a `file` field. */
export interface FileReference {
  uploadId: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
}

export interface AddressValue {
  street: string;
  houseNumber: string;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/**
 * A normalised answer value: text-like types as string (date `yyyy-mm-dd`, time `hh:mm`, iban
 * without spaces, upper case), integer/number as number, currency as integer cents, yes-no as
 * boolean, choice as code string, multi-choice as code array, address as AddressValue, file as
 * FileReference array. A missing answer is absent (never an empty string).
 */
export type AnswerValue = string | number | boolean | string[] | AddressValue | FileReference[];
export interface Answers {
  [id: string]: AnswerValue | Answers[];
}
