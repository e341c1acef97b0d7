/**
 * Imports the OZG catalogue and the LeiKa services from `reference-data/ozg/`, the demo service
 * texts, synonyms and responsibility rules from `reference-data/catalog/`, and builds the search
 * index. Idempotent (upserts); rows that cannot be used are reported with their line and reason.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { bumpCacheVersion } from '../../platform/cache/versioned-cache.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { ResponsibilityLevel } from '../../platform/db/schema.ts';
import { foldGerman } from '../../platform/text/fold.ts';
import { buildServiceTerms, type Synonyms } from './search-terms.ts';

const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../reference-data');

// Life events for businesses (Unternehmenslagen); the source does not mark them. Topic 14
// (Unternehmensführung & -entwicklung) is business throughout.
const BUSINESS_TOPIC_ID = 14;
const BUSINESS_LIFE_EVENTS = new Set([
  'Auslandsgeschäft', 'Querschnitt Unternehmen', 'Logistik & Transport', 'Steuern & Abgaben',
  'Finanzierung & Förderung', 'Forschung & Entwicklung', 'Anlagen & Stoffe',
]);

export interface RejectedRow {
  file: string;
  line: number;
  reason: string;
}

export interface ImportReport {
  topics: number;
  lifeEvents: number;
  ozgServices: number;
  services: number;
  searchTerms: number;
  rules: number;
  rejected: RejectedRow[];
}

type Row = Record<string, string>;

async function readCsv(file: string): Promise<{ row: Row; line: number }[]> {
  const text = await readFile(path.join(DATA_DIR, file), 'utf8');
  const records = parse(text, { columns: true, bom: true, comment: '#', skip_empty_lines: true, info: true, relax_column_count: true }) as { record: Row; info: { lines: number } }[];
  return records.map((r) => ({ row: r.record, line: r.info.lines }));
}

export function slugify(text: string): string {
  return foldGerman(text).replace(/ /g, '-').slice(0, 80);
}

// Test entries in the source ("aaaaabbbbb") are not real names.
function looksLikeTestEntry(name: string): boolean {
  return /^[a-c]+$/i.test(name.trim()) || name.trim().length < 3;
}

/** German Snowball stems via PostgreSQL, the same stemmer the query side uses. */
export function pgStemmer(db: Db | Tx) {
  return async (words: string[]): Promise<Map<string, string>> => {
    const stems = new Map<string, string>();
    for (let i = 0; i < words.length; i += 5000) {
      const chunk = words.slice(i, i + 5000);
      const rows = await sql<{ word: string; stem: string | null }>`
        SELECT w AS word, (ts_lexize('german_stem', w))[1] AS stem FROM unnest(${chunk}::text[]) AS w`.execute(db);
      for (const r of rows.rows) if (r.stem && r.stem !== r.word) stems.set(r.word, r.stem);
    }
    return stems;
  };
}

/**
 * Runs the import. `onProgress` receives one line per stage.
 * @throws when a source file is missing or the database refuses the data (nothing is written then).
 */
export async function importCatalog(db: Db, onProgress: (line: string) => void = () => {}): Promise<ImportReport> {
  const rejected: RejectedRow[] = [];
  const reject = (file: string, line: number, reason: string) => rejected.push({ file, line, reason });

  const topicRows = await readCsv('ozg/ozg_themenfelder.csv');
  const topics = new Map<number, { id: number; name: string; slug: string }>();
  for (const { row, line } of topicRows) {
    const id = Number(row.themenfeld_id);
    const name = (row.themenfeld ?? '').trim();
    if (!Number.isInteger(id) || !name) { reject('ozg/ozg_themenfelder.csv', line, 'Themenfeld ohne Nummer oder Namen'); continue; }
    topics.set(id, { id, name, slug: slugify(name) });
  }
  const topicByName = new Map([...topics.values()].map((t) => [t.name, t]));

  const lifeEvents = new Map<string, { id: number; name: string; slug: string; topic_id: number; audience: 'citizen' | 'business' }>();
  for (const { row, line } of await readCsv('ozg/ozg_lagen.csv')) {
    const name = (row.lage ?? '').trim();
    const topicId = Number(row.themenfeld_id);
    if (looksLikeTestEntry(name)) { reject('ozg/ozg_lagen.csv', line, `Testeintrag „${name}“`); continue; }
    if (!topics.has(topicId)) { reject('ozg/ozg_lagen.csv', line, `unbekanntes Themenfeld ${row.themenfeld_id}`); continue; }
    if (lifeEvents.has(name)) { reject('ozg/ozg_lagen.csv', line, `doppelte Lage „${name}“`); continue; }
    const audience = topicId === BUSINESS_TOPIC_ID || BUSINESS_LIFE_EVENTS.has(name) ? 'business' : 'citizen';
    lifeEvents.set(name, { id: lifeEvents.size + 1, name, slug: slugify(name), topic_id: topicId, audience });
  }

  const ozgServices = new Map<number, { id: number; name: string; life_event_id: number | null; topic_id: number }>();
  for (const { row, line } of await readCsv('ozg/ozg_leistungen.csv')) {
    const id = Number(row.ozg_id);
    const name = (row.ozg_leistung ?? '').trim();
    const topic = topicByName.get((row.themenfeld ?? '').trim());
    if (!Number.isInteger(id) || !name) { reject('ozg/ozg_leistungen.csv', line, 'OZG-Leistung ohne Nummer oder Namen'); continue; }
    if (!topic) { reject('ozg/ozg_leistungen.csv', line, `unbekanntes Themenfeld „${row.themenfeld}“`); continue; }
    if (ozgServices.has(id)) { reject('ozg/ozg_leistungen.csv', line, `doppelte OZG-ID ${id}`); continue; }
    ozgServices.set(id, { id, name, life_event_id: lifeEvents.get((row.lage ?? '').trim())?.id ?? null, topic_id: topic.id });
  }

  const texts = JSON.parse(await readFile(path.join(DATA_DIR, 'catalog/service-texts.json'), 'utf8')) as Record<string, Record<string, string>>;
  const services = new Map<string, {
    leika_key: string; name: string; leika_type: string | null; legal_basis: string | null; ozg_service_id: number | null; search_name: string;
    description: string | null; requirements: string | null; documents: string | null; fees: string | null; deadlines: string | null; processing_time: string | null; forms: string | null;
  }>();
  for (const { row, line } of await readCsv('ozg/leika_leistungen_ozg_zuordnung.csv')) {
    const key = (row.leika_schluessel ?? '').trim();
    const name = (row.leistung ?? '').trim();
    const file = 'ozg/leika_leistungen_ozg_zuordnung.csv';
    if (key === 'nicht im LeiKa') { reject(file, line, `kein LeiKa-Schlüssel („${name.slice(0, 60)}“)`); continue; }
    if (!/^\d{14}$/.test(key)) { reject(file, line, `LeiKa-Schlüssel „${key}“ hat nicht 14 Ziffern`); continue; }
    if (!name) { reject(file, line, 'Leistung ohne Namen'); continue; }
    if (services.has(key)) { reject(file, line, `doppelter LeiKa-Schlüssel ${key}`); continue; }
    const ozgId = Number(row.ozg_id);
    const t = texts[key] ?? {};
    services.set(key, {
      leika_key: key,
      name,
      leika_type: row.leika_typ?.trim() || null,
      legal_basis: row.rechtsgrundlage?.trim() || null,
      ozg_service_id: ozgServices.has(ozgId) ? ozgId : null,
      search_name: foldGerman(name),
      description: t.description ?? null, requirements: t.requirements ?? null, documents: t.documents ?? null, fees: t.fees ?? null,
      deadlines: t.deadlines ?? null, processing_time: t.processing_time ?? null, forms: t.forms ?? null,
    });
  }
  onProgress(`read ${topics.size} topics, ${lifeEvents.size} life events, ${ozgServices.size} OZG services, ${services.size} services (${rejected.length} rows rejected)`);

  const synonyms: Synonyms = new Map();
  for (const { row } of await readCsv('catalog/synonyms.csv')) {
    const word = foldGerman(row.word ?? '');
    if (word) synonyms.set(word, (row.synonyms ?? '').split(/\s+/).filter(Boolean));
  }
  const rules: { leika_prefix: string; level: ResponsibilityLevel; authority_name: string | null; note: string | null }[] = [];
  for (const { row, line } of await readCsv('catalog/responsibility-rules.csv')) {
    const level = row.level as ResponsibilityLevel;
    if (!/^\d{2,14}$/.test(row.leika_prefix ?? '') || !['municipality', 'district', 'district_or_major_town', 'state'].includes(level)) {
      reject('catalog/responsibility-rules.csv', line, 'ungültiger Präfix oder ungültige Ebene'); continue;
    }
    rules.push({ leika_prefix: row.leika_prefix!, level, authority_name: row.authority_name || null, note: row.note || null });
  }

  let searchTerms = 0;
  await db.transaction().execute(async (tx) => {
    await upsertAll(tx, 'topics', [...topics.values()], 'id');
    await upsertAll(tx, 'life_events', [...lifeEvents.values()], 'id');
    await upsertAll(tx, 'ozg_services', [...ozgServices.values()], 'id');
    await upsertAll(tx, 'services', [...services.values()].map((s) => ({ ...s, updated_at: new Date() })), 'leika_key');
    onProgress(`stored ${services.size} services`);

    const lifeEventById = new Map([...lifeEvents.values()].map((l) => [l.id, l.name]));
    const terms = await buildServiceTerms(
      [...services.values()].map((s) => {
        const ozg = s.ozg_service_id ? ozgServices.get(s.ozg_service_id) : undefined;
        return { leikaKey: s.leika_key, name: s.name, ozgServiceName: ozg?.name, lifeEventName: ozg?.life_event_id ? lifeEventById.get(ozg.life_event_id) : null };
      }),
      synonyms,
      pgStemmer(tx),
    );
    await tx.deleteFrom('service_search_terms').where('leika_key', 'in', [...services.keys()]).execute();
    const rows = [...terms].flatMap(([leikaKey, m]) => [...m].map(([term, weight]) => ({ leika_key: leikaKey, term, weight })));
    for (let i = 0; i < rows.length; i += 2000) await tx.insertInto('service_search_terms').values(rows.slice(i, i + 2000)).execute();
    searchTerms = rows.length;
    await tx.deleteFrom('search_vocabulary').execute();
    await sql`INSERT INTO search_vocabulary (term) SELECT DISTINCT term FROM service_search_terms`.execute(tx);
    onProgress(`indexed ${searchTerms} search terms`);

    await tx.deleteFrom('responsibility_rules').execute();
    if (rules.length) await tx.insertInto('responsibility_rules').values(rules).execute();
    await bumpCacheVersion(tx, 'catalog');
  });
  return { topics: topics.size, lifeEvents: lifeEvents.size, ozgServices: ozgServices.size, services: services.size, searchTerms, rules: rules.length, rejected };
}

async function upsertAll<T extends 'topics' | 'life_events' | 'ozg_services' | 'services'>(tx: Tx, table: T, rows: Record<string, unknown>[], key: string): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).filter((c) => c !== key);
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.insertInto(table).values(rows.slice(i, i + 1000) as never)
      .onConflict((oc) => oc.column(key as never).doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never))
      .execute();
  }
}

/** Imports the catalogue when it is empty (first start); returns the report or null when skipped. */
export async function importCatalogIfEmpty(db: Db): Promise<ImportReport | null> {
  const row = await db.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(row.n) > 0) return null;
  return importCatalog(db);
}
