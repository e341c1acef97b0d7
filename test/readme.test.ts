import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { README, readmeWithCurrentTable } from '../scripts/config-table.ts';

test('the README configuration table matches the config schema (npm run docs:config updates it)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(readme, readmeWithCurrentTable(readme));
});

test('the README gives the start and test commands', () => {
  const readme = readFileSync(README, 'utf8');
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm ci && npm test/);
});
