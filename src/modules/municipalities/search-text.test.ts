import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayName, foldPlaceName } from './search-text.ts';

test('folds umlauts, ß, case and punctuation', () => {
  assert.equal(foldPlaceName('Würzburg'), 'wuerzburg');
  assert.equal(foldPlaceName('WUERZBURG'), 'wuerzburg');
  assert.equal(foldPlaceName('Weißenburg i.Bay., GKSt'), 'weissenburg i bay gkst');
});

test('spells out the abbreviations of official names so both spellings match', () => {
  assert.equal(foldPlaceName('Bad Neustadt a.d.Saale, St'), 'bad neustadt an der saale st');
  assert.equal(foldPlaceName('Bad Neustadt a. d. Saale'), 'bad neustadt an der saale');
  assert.equal(foldPlaceName('Neumarkt i.d.OPf.'), 'neumarkt in der opf');
  assert.equal(foldPlaceName('St. Englmar'), 'sankt englmar');
});

test('removes the type suffix from the display name', () => {
  assert.equal(displayName('Bad Neustadt a.d.Saale, St'), 'Bad Neustadt a.d.Saale');
  assert.equal(displayName('Abensberg, St'), 'Abensberg');
  assert.equal(displayName('München, Landeshauptstadt'), 'München');
  assert.equal(displayName('Coburg'), 'Coburg');
});
