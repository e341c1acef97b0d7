import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogKeys, parseLocale, translator } from './i18n.ts';

test('every catalog has the same keys and no empty message', () => {
  assert.deepEqual(catalogKeys('en').sort(), catalogKeys('de').sort());
  for (const locale of ['de', 'en'] as const) {
    const t = translator(locale);
    for (const key of catalogKeys(locale)) assert.notEqual(t(key as never).trim(), '', `${locale}:${key}`);
  }
});

test('fills placeholders and formats numbers per locale', () => {
  assert.equal(translator('de')('municipality.population', { count: 1484226 }), 'Einwohner: 1.484.226');
  assert.equal(translator('en')('municipality.population', { count: 1484226 }), 'Population: 1,484,226');
});

test('accepts only supported locales', () => {
  assert.equal(parseLocale('en'), 'en');
  assert.equal(parseLocale('fr'), undefined);
  assert.equal(parseLocale(undefined), undefined);
});

test('plural forms follow the count, with the number formatted for the locale', () => {
  assert.equal(translator('de')('catalog.search.count', { count: 1 }), '1 Leistung gefunden');
  assert.equal(translator('de')('catalog.search.count', { count: 1234 }), '1.234 Leistungen gefunden');
  assert.equal(translator('en')('catalog.search.count', { count: 1 }), '1 service found');
  assert.equal(translator('en')('catalog.search.count', { count: 0 }), '0 services found');
});
