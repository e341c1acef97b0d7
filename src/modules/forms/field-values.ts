/**
 * Field values: parsing what a user typed into the normalised answer of each field type, and
 * checking a normalised answer against its type and constraints. Shared by `readStepAnswers`
 * (parse) and the validators (messages for input that did not parse, and every value check).
 */
import type { AddressValue, AnswerValue, CodeList, FieldItem, FileReference, LocalizedText } from './form-definition.ts';
import { formsMessagesDe } from './messages.de.ts';
import { formsMessagesEn } from './messages.en.ts';
import { parseIsoDate, daysInMonth, todayInBerlin } from './rule-language.ts';

export type FormsMessageKey = keyof typeof formsMessagesDe;

/** A message of the engine: its catalog key (stable, for APIs) and the text in German and English. */
export interface EngineMessage {
  code: string;
  text: LocalizedText;
}

type Param = string | number | LocalizedText;

/** Fills a catalog message in both languages; numbers are formatted per language, texts picked per language. */
export function engineMessage(key: FormsMessageKey, params: Record<string, Param> = {}): EngineMessage {
  const fill = (template: string, locale: 'de' | 'en') =>
    template.replace(/\{(\w+)\}/g, (match, name: string) => {
      const value = params[name];
      if (value === undefined) return match;
      if (typeof value === 'number') return new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 2 }).format(value);
      if (typeof value === 'string') return value;
      return locale === 'en' ? (value.en ?? value.de) : value.de;
    });
  return { code: key, text: { de: fill(formsMessagesDe[key], 'de'), en: fill(formsMessagesEn[key], 'en') } };
}

/** One text per language for a catalog key without parameters. */
export function engineText(key: FormsMessageKey, params: Record<string, Param> = {}): LocalizedText {
  return engineMessage(key, params).text;
}

/** Raw input of one field: a string, several strings (checkboxes), or address parts. */
export type RawInput = string | string[] | Partial<Record<keyof AddressValue, string>>;

export type ParseOutcome = { ok: true; value: AnswerValue | undefined } | { ok: false; error: EngineMessage };

export const ADDRESS_PARTS = ['street', 'houseNumber', 'postcode', 'city', 'country'] as const;

/** Longest raw string looked at (longer input is refused with the length message, never parsed further). */
const MAX_RAW = 10_000;

const firstString = (raw: RawInput | undefined): string => {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return typeof raw[0] === 'string' ? raw[0] : '';
  return '';
};

/**
 * Parses raw input of a field into its normalised answer (undefined = not answered). Never throws.
 * File fields are not parsed here (their answers come from the upload store).
 */
export function parseFieldInput(field: FieldItem, raw: RawInput | undefined, codeLists: Record<string, CodeList>): ParseOutcome {
  const label = field.label;
  if (field.type === 'multi-choice') {
    const list = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).map((v) => String(v).trim()).filter((v) => v !== '');
    if (list.length === 0) return { ok: true, value: undefined };
    const codes = codeSet(field, codeLists);
    const unique = [...new Set(list)];
    if (unique.some((c) => !codes.has(c))) return { ok: false, error: engineMessage('forms.error.choice', { label }) };
    // Codes are kept in code-list order, so the same choice always gives the same answer.
    const order = [...codes];
    return { ok: true, value: unique.sort((a, b) => order.indexOf(a) - order.indexOf(b)) };
  }
  if (field.type === 'address') {
    const parts = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
    const value = {} as AddressValue;
    let any = false;
    for (const part of ADDRESS_PARTS) {
      const v = typeof parts[part] === 'string' ? parts[part]!.trim().replace(/\s+/g, ' ') : '';
      value[part] = v;
      if (v !== '' && part !== 'country') any = true;
    }
    if (!any) return { ok: true, value: undefined };
    value.country = value.country === '' ? 'DE' : value.country.toUpperCase();
    for (const part of ADDRESS_PARTS) {
      if (value[part] === '') {
        return { ok: false, error: engineMessage('forms.error.addressPart', { label, part: engineText(`forms.part.${part}`) }) };
      }
    }
    if (!/^[A-Z]{2}$/.test(value.country)) return { ok: false, error: engineMessage('forms.error.country', { label }) };
    return { ok: true, value };
  }
  if (field.type === 'file') return { ok: true, value: undefined };

  const text = firstString(raw);
  if (text.length > MAX_RAW) return { ok: false, error: engineMessage('forms.error.maxLength', { label, max: field.constraints.maxLength ?? MAX_RAW }) };
  const trimmed = field.type === 'textarea' ? text.replace(/\r\n?/g, '\n').trim() : text.trim();
  if (trimmed === '') return { ok: true, value: undefined };

  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone':
      return { ok: true, value: field.type === 'text' ? trimmed.replace(/\s+/g, ' ') : trimmed };
    case 'integer': {
      const n = parseGermanNumber(trimmed, false);
      return n === null || !Number.isSafeInteger(n) ? { ok: false, error: engineMessage('forms.error.integer', { label }) } : { ok: true, value: n };
    }
    case 'number': {
      const n = parseGermanNumber(trimmed, true);
      return n === null ? { ok: false, error: engineMessage('forms.error.number', { label }) } : { ok: true, value: n };
    }
    case 'currency': {
      const cents = parseEuroCents(trimmed);
      return cents === null ? { ok: false, error: engineMessage('forms.error.currency', { label }) } : { ok: true, value: cents };
    }
    case 'date': {
      const iso = parseDateInput(trimmed);
      return iso === null ? { ok: false, error: engineMessage('forms.error.date', { label }) } : { ok: true, value: iso };
    }
    case 'time': {
      const match = /^(\d{1,2})[:.](\d{2})(?:\s*Uhr)?$/i.exec(trimmed);
      if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return { ok: false, error: engineMessage('forms.error.time', { label }) };
      return { ok: true, value: `${match[1]!.padStart(2, '0')}:${match[2]}` };
    }
    case 'choice':
      return codeSet(field, codeLists).has(trimmed) ? { ok: true, value: trimmed } : { ok: false, error: engineMessage('forms.error.choice', { label }) };
    case 'yes-no':
      if (trimmed === 'yes') return { ok: true, value: true };
      if (trimmed === 'no') return { ok: true, value: false };
      return { ok: false, error: engineMessage('forms.error.yesNo', { label }) };
    case 'iban':
      return { ok: true, value: trimmed.replace(/[\s-]+/g, '').toUpperCase() };
  }
}

function codeSet(field: FieldItem, codeLists: Record<string, CodeList>): Set<string> {
  const list = field.codeList && Object.hasOwn(codeLists, field.codeList) ? codeLists[field.codeList] : undefined;
  return new Set(list?.entries.map((e) => e.code) ?? []);
}

/**
 * Reads "1234", "1.234", "1 234", "-12", and with decimals "1.234,5", "12,5" or "12.5". A dot
 * followed by exactly three digits (and no comma) is a German thousands separator.
 */
export function parseGermanNumber(input: string, decimals: boolean): number | null {
  const s = input.replace(/[\s\u00a0\u202f']/g, '');
  let normalised: string;
  if (/^[+-]?\d+$/.test(s)) normalised = s;
  else if (/^[+-]?\d{1,3}(\.\d{3})+$/.test(s)) normalised = s.replace(/\./g, '');
  else if (decimals && /^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$/.test(s)) normalised = s.replace(/\./g, '').replace(',', '.');
  else if (decimals && /^[+-]?\d+\.\d+$/.test(s)) normalised = s;
  else return null;
  const n = Number(normalised);
  return Number.isFinite(n) && Math.abs(n) < 1e15 ? (Object.is(n, -0) ? 0 : n) : null;
}

/** Reads a euro amount ("12", "12,5", "1.234,56 €", "EUR 3") into integer cents; more than two decimals is refused. */
export function parseEuroCents(input: string): number | null {
  const s = input.replace(/€|\bEUR\b/gi, '').trim();
  const n = parseGermanNumber(s, true);
  if (n === null) return null;
  const decimalsPart = /[.,](\d+)$/.exec(s.replace(/\s/g, ''));
  if (decimalsPart && decimalsPart[1]!.length > 2 && !/^[+-]?\d{1,3}(\.\d{3})+$/.test(s.replace(/\s/g, ''))) return null;
  const cents = Math.round(n * 100);
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Reads "31.12.1980", "1.2.1980" or "1980-12-31" into yyyy-mm-dd (a real date, year 1000–9999). */
export function parseDateInput(input: string): string | null {
  let y: number;
  let m: number;
  let d: number;
  const german = /^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})$/.exec(input);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(input);
  if (german) [d, m, y] = [Number(german[1]), Number(german[2]), Number(german[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return null;
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** True for a structurally valid IBAN whose mod-97 check digits are right. */
export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  if (iban.startsWith('DE') && iban.length !== 22) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const digits = c >= 'A' ? String(c.charCodeAt(0) - 55) : c;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]{0,62}[A-Za-z0-9\u00c0-\uffff])?(?:\.[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]{0,62}[A-Za-z0-9\u00c0-\uffff])?)+$/;

/** A constraint bound as a date: an ISO date, or `today`. */
function dateBound(bound: number | string | undefined, today: string): string | undefined {
  if (bound === 'today') return today;
  return typeof bound === 'string' && parseIsoDate(bound) ? bound : undefined;
}

const displayDate = (iso: string): LocalizedText => {
  const [y, m, d] = iso.split('-');
  return { de: `${d}.${m}.${y}`, en: `${d}.${m}.${y}` };
};

/** Compiled patterns (definitions are checked before use; a pattern that does not compile matches nothing). */
const patterns = new Map<string, RegExp | null>();
export function compilePattern(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      re = null;
    }
    if (patterns.size > 1000) patterns.clear();
    patterns.set(pattern, re);
  }
  return re;
}

/**
 * Checks a normalised answer against the field's type and constraints; returns the first problem
 * or undefined. A value of the wrong shape (e.g. from a tampered draft) gets the type's message.
 */
export function checkFieldValue(field: FieldItem, value: unknown, codeLists: Record<string, CodeList>, today: string = todayInBerlin()): EngineMessage | undefined {
  const label = field.label;
  const c = field.constraints;
  const typeError = (): EngineMessage => {
    const key: Record<FieldItem['type'], FormsMessageKey> = {
      text: 'forms.error.required', textarea: 'forms.error.required', integer: 'forms.error.integer', number: 'forms.error.number',
      currency: 'forms.error.currency', date: 'forms.error.date', time: 'forms.error.time', choice: 'forms.error.choice',
      'multi-choice': 'forms.error.choice', 'yes-no': 'forms.error.yesNo', address: 'forms.error.required', iban: 'forms.error.iban',
      email: 'forms.error.email', phone: 'forms.error.phone', file: 'forms.error.requiredFile',
    };
    return engineMessage(key[field.type], { label });
  };
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'iban': {
      if (typeof value !== 'string' || value.trim() === '') return typeError();
      const length = [...value].length;
      if (c.minLength !== undefined && length < c.minLength) return engineMessage('forms.error.minLength', { label, min: c.minLength });
      const max = c.maxLength ?? (field.type === 'textarea' ? 10_000 : field.type === 'email' ? 254 : 1000);
      if (length > max) return engineMessage('forms.error.maxLength', { label, max });
      if (field.type === 'email' && !EMAIL.test(value)) return engineMessage('forms.error.email', { label });
      if (field.type === 'phone' && !(/^\+?[0-9][0-9 ()/.-]{3,28}[0-9]$/.test(value) && value.replace(/\D/g, '').length >= 5 && value.replace(/\D/g, '').length <= 15)) {
        return engineMessage('forms.error.phone', { label });
      }
      if (field.type === 'iban' && !isValidIban(value)) return engineMessage('forms.error.iban', { label });
      if (c.pattern !== undefined) {
        const re = compilePattern(c.pattern);
        if (!re || !re.test(value)) return c.patternMessage ? { code: 'forms.error.pattern', text: c.patternMessage } : engineMessage('forms.error.pattern', { label });
      }
      return undefined;
    }
    case 'integer':
    case 'number':
    case 'currency': {
      if (typeof value !== 'number' || !Number.isFinite(value) || ((field.type === 'integer' || field.type === 'currency') && !Number.isInteger(value))) return typeError();
      const amount = field.type === 'currency' ? value / 100 : value;
      if (typeof c.min === 'number' && amount < c.min) return engineMessage('forms.error.min', { label, min: c.min });
      if (typeof c.max === 'number' && amount > c.max) return engineMessage('forms.error.max', { label, max: c.max });
      return undefined;
    }
    case 'date': {
      if (!parseIsoDate(value)) return typeError();
      const min = dateBound(c.min, today);
      const max = dateBound(c.max, today);
      if (min && (value as string) < min) return engineMessage('forms.error.minDate', { label, min: displayDate(min) });
      if (max && (value as string) > max) return engineMessage('forms.error.maxDate', { label, max: displayDate(max) });
      return undefined;
    }
    case 'time': {
      if (typeof value !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) return typeError();
      if (typeof c.min === 'string' && value < c.min) return engineMessage('forms.error.min', { label, min: c.min });
      if (typeof c.max === 'string' && value > c.max) return engineMessage('forms.error.max', { label, max: c.max });
      return undefined;
    }
    case 'choice':
      return typeof value === 'string' && codeSet(field, codeLists).has(value) ? undefined : typeError();
    case 'multi-choice': {
      if (!Array.isArray(value) || value.length === 0) return typeError();
      const codes = codeSet(field, codeLists);
      if (!value.every((v) => typeof v === 'string' && codes.has(v)) || new Set(value).size !== value.length) return typeError();
      if (c.minItems !== undefined && value.length < c.minItems) return engineMessage('forms.error.minItems', { label, min: c.minItems });
      if (c.maxItems !== undefined && value.length > c.maxItems) return engineMessage('forms.error.maxItems', { label, max: c.maxItems });
      return undefined;
    }
    case 'yes-no':
      return typeof value === 'boolean' ? undefined : typeError();
    case 'address': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return typeError();
      const address = value as Record<string, unknown>;
      for (const part of ADDRESS_PARTS) {
        if (typeof address[part] !== 'string' || (address[part] as string).trim() === '') {
          return engineMessage('forms.error.addressPart', { label, part: engineText(`forms.part.${part}`) });
        }
        if ((address[part] as string).length > 200) return engineMessage('forms.error.maxLength', { label, max: 200 });
      }
      if (!/^[A-Z]{2}$/.test(address.country as string)) return engineMessage('forms.error.country', { label });
      if (address.country === 'DE' && !/^\d{5}$/.test(address.postcode as string)) return engineMessage('forms.error.postcode', { label });
      return undefined;
    }
    case 'file': {
      if (!Array.isArray(value) || value.length === 0 || !value.every(isFileReference)) return typeError();
      const max = c.maxFiles ?? 1;
      if (value.length > max) return engineMessage('forms.error.maxFiles', { label, max });
      for (const file of value as FileReference[]) {
        if (c.mediaTypes && !c.mediaTypes.includes(file.mediaType)) return engineMessage('forms.error.fileType', { label, file: file.fileName });
        if (c.maxSizeBytes !== undefined && file.sizeBytes > c.maxSizeBytes) return engineMessage('forms.error.fileSize', { label, file: file.fileName });
      }
      return undefined;
    }
  }
}

/** True for an object shaped like a FileReference. */
export function isFileReference(value: unknown): value is FileReference {
  if (!value || typeof value !== 'object') return false;
  const f = value as Record<string, unknown>;
  return typeof f.uploadId === 'string' && typeof f.fileName === 'string' && typeof f.mediaType === 'string' && typeof f.sizeBytes === 'number';
}

/** True when the answer counts as given (not absent, not blank, not an empty list). */
export function isAnswered(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
