import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { searchServices } from './search-services.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

// Each query as people type it, and the service that must be among the first three results.
const RELEVANCE: [query: string, leikaKey: string, name: string][] = [
  ['Wohnsitz ummelden', '99115005104000', 'Wohnsitz Anmeldung'],
  ['Wohnsitzanmeldung', '99115005104000', 'Wohnsitz Anmeldung'],
  ['Anmeldung Wohnsitz', '99115005104000', 'Wohnsitz Anmeldung'],
  ['umzug anmelden', '99115005104000', 'Wohnsitz Anmeldung'],
  ['Fuehrungszeugnis', '99049001000000', 'Führungszeugnis'],
  ['führungszeugnis beantragen', '99049001000000', 'Führungszeugnis'],
  ['Hundesteur', '99102013000000', 'Hundesteuer'],
  ['hund anmelden', '99110009104000', 'Hundehaltung Anmeldung'],
  ['hundesteuer anmelden', '99102013000000', 'Hundesteuer'],
  ['Gewerbe anmelden', '99050012104000', 'Gewerbe Anmeldung'],
  ['Gewerbeanmeldung', '99050012104000', 'Gewerbe Anmeldung'],
  ['Baugenehmigung', '99012008000000', 'Baugenehmigung'],
  ['Bauantrag', '99012008000000', 'Baugenehmigung'],
  ['Personalausweis', '99008001000000', 'Personalausweis'],
  ['perso', '99008001000000', 'Personalausweis'],
  ['Fuehrerschein', '99023001000000', 'Führerschein'],
  ['Kindergeld', '99041008000000', 'Kindergeld'],
];

for (const [query, leikaKey, name] of RELEVANCE) {
  test(`"${query}" finds ${name} among the first three`, async () => {
    const { items } = await searchServices(t.database.db, { q: query, limit: 3 });
    assert.ok(items.some((i) => i.leika_key === leikaKey), `got ${items.map((i) => i.name).join(' | ')}`);
  });
}

test('a query of stopwords only, or of nonsense, finds nothing rather than everything', async () => {
  assert.equal((await searchServices(t.database.db, { q: 'der die das' })).total, 0);
  assert.equal((await searchServices(t.database.db, { q: 'xqzvwpt' })).total, 0);
});

test('filters by topic and pages through the results', async () => {
  const all = await searchServices(t.database.db, { q: 'Anmeldung', limit: 5 });
  assert.ok(all.total > 5);
  const topic = await t.database.db.selectFrom('topics').select('id').where('slug', '=', 'bauen-wohnen').executeTakeFirstOrThrow();
  const filtered = await searchServices(t.database.db, { q: 'Anmeldung', topicId: topic.id, limit: 100 });
  assert.ok(filtered.total > 0 && filtered.total < all.total);
  assert.ok(filtered.items.every((i) => i.topic_name === 'Bauen & Wohnen'));
  const second = await searchServices(t.database.db, { q: 'Anmeldung', limit: 5, offset: 5 });
  assert.equal(second.total, all.total);
  assert.equal(second.items.filter((i) => all.items.some((a) => a.leika_key === i.leika_key)).length, 0, 'the second page has other services');
});
