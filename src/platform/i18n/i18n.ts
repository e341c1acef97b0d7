/**
 * UI text comes from message catalogs: German first, English second. Keys are typed; `{name}`
 * placeholders are filled from params (values are escaped later by the template engine).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { de } from './messages.de.ts';
import { en } from './messages.en.ts';

export type Locale = 'de' | 'en';
export const LOCALES: readonly Locale[] = ['de', 'en'];
export type MessageKey = keyof typeof de;
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const catalogs: Record<Locale, Record<MessageKey, string>> = { de, en };

/** Narrows an arbitrary string to a supported locale, or undefined. */
export function parseLocale(value: unknown): Locale | undefined {
  return value === 'de' || value === 'en' ? value : undefined;
}

const translators = new Map<Locale, Translate>();

/** Returns the translate function for a locale (one per locale, made once). Unknown keys fail the type check, not the page. */
export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) {
    t = makeTranslator(locale);
    translators.set(locale, t);
  }
  return t;
}

function makeTranslator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  const numberFormat = new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB');
  // Messages with plural forms ("{count, plural, one {# Leistung} other {# Leistungen}}") are ICU
  // MessageFormat, compiled once; all others only have simple {name} placeholders.
  const compiled = new Map<string, IntlMessageFormat>();
  return (key, params) => {
    const text = catalog[key] ?? de[key] ?? key;
    if (!params) return text;
    if (text.includes(', plural,')) {
      let format = compiled.get(key);
      if (!format) {
        format = new IntlMessageFormat(text, locale === 'de' ? 'de-DE' : 'en-GB');
        compiled.set(key, format);
      }
      return String(format.format(params));
    }
    return text.replace(/\{(\w+)\}/g, (match, name: string) => {
      const value = params[name];
      if (value === undefined) return match;
      return typeof value === 'number' ? numberFormat.format(value) : value;
    });
  };
}

/** True when `key` is a message in the catalog. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(de, key);
}

/** Catalog keys (for the test that every language has every message). */
export function catalogKeys(locale: Locale): string[] {
  return Object.keys(catalogs[locale]);
}
