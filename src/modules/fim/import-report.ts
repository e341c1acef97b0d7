/**
 * The report of a FIM import: what could not be read at all (errors, per file, with line and column
 * where the XML parser tells them) and what was read but not (fully) translated into the form
 * definition (each with its FIM id and name, so an editor can find it and finish the job). Codes,
 * not sentences: the page and the CLI turn them into text through the message catalogs.
 */
import type { RuleSuggestion } from './translate-rule.ts';
import type { XmlProblemCode } from './xml.ts';

/** Why a file (or the whole upload) could not be used. */
export type ImportErrorCode =
  | XmlProblemCode
  | 'not-xdatenfelder' // XML, but neither an XDatenfelder message nor a genericode code list
  | 'unsupported-version' // an XDatenfelder namespace other than 2 and 3.0.0
  | 'not-a-schema' // an XDatenfelder message without a Stammdatenschema or Datenfeldgruppe
  | 'no-schema' // only code lists were given
  | 'several-schemas' // more than one schema: which one?
  | 'too-many-files'
  | 'too-large-total'
  | 'too-deep' // groups nested deeper than the importer follows
  | 'too-many-elements'
  | 'invalid-definition' // the produced definition failed validation (a defect of the importer)
  | 'internal'; // an unexpected failure; the import is refused, nothing crashes

export const IMPORT_ERROR_CODES: readonly ImportErrorCode[] = [
  'empty-file', 'too-large', 'encoding', 'doctype', 'malformed-xml', 'not-xdatenfelder', 'unsupported-version', 'not-a-schema',
  'no-schema', 'several-schemas', 'too-many-files', 'too-large-total', 'too-deep', 'too-many-elements', 'invalid-definition', 'internal',
];

export interface ImportError {
  /** The file's name as uploaded ('' for the upload as a whole). */
  file: string;
  code: ImportErrorCode;
  /** Technical detail in English (parser message, namespace found), never file content beyond that. */
  message: string;
  line?: number;
  column?: number;
}

/** What kind of FIM element an untranslated item is. */
export type UntranslatedKind = 'rule' | 'field' | 'group' | 'code-list' | 'schema';

/** Why something was not (fully) translated. */
export type UntranslatedReason =
  | 'rule-prose' // the rule has no script: its text must be expressed by an editor
  | 'rule-script' // the script is not of the simple shape the importer translates
  | 'code-list-missing' // the referenced genericode file was not given: a text field instead
  | 'code-list-empty' // the code list has no usable rows: a text field instead
  | 'code-list-version' // the code list was found in another version than referenced (used)
  | 'code-list-duplicate-code' // a code occurs twice (the first is kept)
  | 'unbounded-max' // cardinality `n:*`: a fixed maximum was set
  | 'max-capped' // a maximum above what the form format allows was lowered
  | 'hidden-field' // XDatenfelder 3.0 `hidden`: not shown, left out
  | 'locked-field' // XDatenfelder 3.0 `locked`: shown as text, not as an input
  | 'unknown-feldart' // treated as input
  | 'unknown-datentyp' // a text field instead
  | 'obj-datentyp' // `obj`: a file upload instead
  | 'datetime-datentyp' // `datetime`: a text field instead (the form format has date and time apart)
  | 'text-latin' // `text_latin` (DIN 91379 characters) is not checked
  | 'praezisierung-invalid' // the constraints could not be read
  | 'pattern-invalid' // the pattern is not a regular expression the platform can run
  | 'constraint-conflict' // e.g. minLength > maxLength: left out
  | 'prefill' // XDatenfelder 3.0 `vorbefuellung`: prefill must be chosen by an editor
  | 'default-value' // `inhalt` of an input field (a default value) is not carried over
  | 'min-in-optional-group' // a repeat minimum inside an optional group: 0 there (else the group could not stay empty)
  | 'presence-too-large' // an optional group too large to make its required fields conditional
  | 'no-fields'; // the schema has no fields: a definition with an explanatory text only

export interface UntranslatedItem {
  kind: UntranslatedKind;
  /** The FIM id (F…, G…, R…, S…, C…), or the code list URI when it has no id. */
  fimId: string;
  version?: string;
  name: string;
  reason: UntranslatedReason;
  /** Short technical detail (the script, the pattern, the expected and found version). */
  detail?: string;
  /** A rule's prose (definition or freitextRegel), for the editor who expresses it. */
  text?: string;
  /** Ids in the produced definition concerned (the field, or the fields a rule's text names). */
  ids?: string[];
  /** For a prose rule of a common pattern: an expression an editor may take over (not applied). */
  suggestion?: RuleSuggestion;
}

/** A rule that was translated into the rule language. */
export interface TranslatedRule {
  fimId: string;
  version?: string;
  name: string;
  /** The id of the cross-field rule in the definition. */
  ruleId: string;
  expression: string;
}

export interface ImportSummary {
  steps: number;
  groups: number;
  repeatingGroups: number;
  fields: number;
  texts: number;
  codeLists: number;
  rules: number;
  translatedRules: number;
  untranslatedRules: number;
}

/** How each given file was used. */
export interface ImportFile {
  name: string;
  role: 'schema' | 'code-list' | 'unused-code-list' | 'unusable';
}

export interface ImportReport {
  /** The schema read (when one was). */
  schema?: { id: string; version: string; name: string; xdfVersion: '2.0' | '3.0.0'; message: 'stammdatenschema' | 'datenfeldgruppe' };
  files: ImportFile[];
  errors: ImportError[];
  untranslated: UntranslatedItem[];
  translatedRules: TranslatedRule[];
  summary?: ImportSummary;
}
