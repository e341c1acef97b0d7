import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildServiceTerms, contentWords, splitCompound } from './search-terms.ts';

const known = new Set(['wohnsitz', 'anmeldung', 'hund', 'steuer', 'fuehrung', 'zeugnis', 'gewerbe']);
const isKnown = (w: string) => known.has(w);

test('splits compounds into known words, with linking elements', () => {
  assert.deepEqual(splitCompound('wohnsitzanmeldung', isKnown), ['wohnsitz', 'anmeldung']);
  assert.deepEqual(splitCompound('hundesteuer', isKnown), ['hund', 'steuer']);
  assert.deepEqual(splitCompound('fuehrungszeugnis', isKnown), ['fuehrung', 'zeugnis']);
  assert.deepEqual(splitCompound('gewerbesteueranmeldung', isKnown), ['gewerbe', 'steuer', 'anmeldung']);
  assert.deepEqual(splitCompound('bauantrag', isKnown), []);
});

test('drops stopwords and folds umlauts', () => {
  assert.deepEqual(contentWords('Anmeldung einer Wohnung für Führungskräfte'), ['anmeldung', 'wohnung', 'fuehrungskraefte']);
});

test('indexes name words above their stems, compound parts and synonyms', async () => {
  const stem = async (ws: string[]) => new Map(ws.map((w) => [w, w.replace(/(ung|en|e)$/, '')]));
  const terms = await buildServiceTerms(
    [{ leikaKey: '1', name: 'Wohnsitz Anmeldung', ozgServiceName: 'Meldebescheinigung' }, { leikaKey: '2', name: 'Hundesteuer' }, { leikaKey: '3', name: 'Hund' }, { leikaKey: '4', name: 'Steuer' }],
    new Map([['anmeldung', ['ummelden']]]),
    stem,
  );
  const first = terms.get('1')!;
  assert.equal(first.get('wohnsitz'), 1);
  assert.ok(first.get('anmeld')! < 1 && first.get('anmeld')! > 0.5);
  assert.ok(first.get('ummelden')! < first.get('wohnsitz')!, 'a synonym weighs less than the name');
  assert.ok(first.get('ummelden')! > 0, 'synonym indexed');
  assert.ok(first.get('meldebescheinigung')! <= 0.5, 'OZG service name weighs less');
  assert.ok(terms.get('2')!.get('hund')! > 0, 'compound part indexed');
});
