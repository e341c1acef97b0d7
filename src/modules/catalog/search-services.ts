/**
 * Service search as people type it: words are folded and stemmed like the index, compounds are split
 * into known words ("Wohnsitzanmeldung"), unknown words are matched to the nearest known ones by
 * trigram similarity ("Hundesteur") or as the beginning of a word (typing). Services matching the
 * most query words come first, then by weight, then the general service before its variants.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { pgStemmer } from './import-catalog.ts';
import { contentWords, splitCompound } from './search-terms.ts';

export interface ServiceSearch {
  q: string;
  topicId?: number | undefined;
  lifeEventId?: number | undefined;
  /** Only services with an online procedure offered to this municipality's citizens. */
  onlineOnly?: boolean;
  /** Tenants whose online procedures count as offered (see `tenantsServing`). */
  servingTenantIds?: string[];
  limit?: number;
  offset?: number;
}

export interface ServiceHit {
  leika_key: string;
  name: string;
  topic_name: string | null;
  ozg_service_name: string | null;
  online_count: number;
}

interface Candidate { group: number; term: string; quality: number }

const MAX_WORDS = 8;

/** Expands the query into groups of candidate terms, one group per word (compounds give several). */
export async function expandQuery(db: Db, q: string): Promise<Candidate[]> {
  const tokens = [...new Set(contentWords(q))].slice(0, MAX_WORDS);
  if (tokens.length === 0) return [];
  const stems = await pgStemmer(db)(tokens);
  const lookup = async (terms: string[]) =>
    new Set(terms.length ? (await db.selectFrom('search_vocabulary').select('term').where('term', 'in', terms).execute()).map((r) => r.term) : []);
  const known = await lookup([...tokens, ...stems.values()]);

  const candidates: Candidate[] = [];
  let group = 0;
  for (const token of tokens) {
    const stem = stems.get(token);
    if (known.has(token) || (stem && known.has(stem))) {
      if (known.has(token)) candidates.push({ group, term: token, quality: 1 });
      if (stem && known.has(stem)) candidates.push({ group, term: stem, quality: 0.95 });
      group++;
      continue;
    }
    // A compound of known words counts as those words.
    const pieces = new Set<string>();
    for (let i = 3; i <= token.length - 3; i++) {
      pieces.add(token.slice(0, i));
      pieces.add(token.slice(i));
      for (const l of ['s', 'es', 'n', 'en', 'e']) if (token.slice(0, i).endsWith(l)) pieces.add(token.slice(0, i - l.length));
    }
    const knownPieces = await lookup([...pieces]);
    const parts = splitCompound(token, (w) => knownPieces.has(w));
    if (parts.length > 0) {
      for (const part of parts) candidates.push({ group: group++, term: part, quality: 0.9 });
      continue;
    }
    // Typos and words still being typed.
    const similar = await sql<{ term: string; score: number }>`
      SELECT term, similarity(term, ${token})::float8 AS score FROM search_vocabulary
      WHERE term % ${token} ORDER BY score DESC LIMIT 5`.execute(db);
    for (const r of similar.rows) if (r.score >= 0.4) candidates.push({ group, term: r.term, quality: Math.min(0.9, r.score + 0.2) });
    if (token.length >= 3) {
      const prefixed = await db.selectFrom('search_vocabulary').select('term')
        .where('term', 'like', `${token.replace(/[\\%_]/g, '\\$&')}%`).orderBy(sql`length(term)`).limit(10).execute();
      for (const r of prefixed) candidates.push({ group, term: r.term, quality: 0.8 });
    }
    group++;
  }
  return candidates;
}

/** Searches services; returns the page of hits and the total. */
export async function searchServices(db: Db, search: ServiceSearch): Promise<{ total: number; items: ServiceHit[] }> {
  const candidates = await expandQuery(db, search.q);
  if (candidates.length === 0) return { total: 0, items: [] };
  const tenantIds = search.servingTenantIds ?? [];
  const values = sql.join(candidates.map((c) => sql`(${c.group}::int, ${c.term}::text, ${c.quality}::float8)`));
  const onlineCount = tenantIds.length
    ? sql<number>`(SELECT count(*)::int FROM online_procedures op WHERE op.leika_key = s.leika_key AND op.active AND op.tenant_id IN (${sql.join(tenantIds)}))`
    : sql<number>`0`;
  const result = await sql<ServiceHit & { total: number }>`
    WITH q(g, term, quality) AS (VALUES ${values}),
    hits AS (
      SELECT st.leika_key, q.g, max(st.weight * q.quality) AS score
      FROM service_search_terms st JOIN q ON q.term = st.term
      GROUP BY st.leika_key, q.g),
    ranked AS (
      SELECT leika_key, count(*) AS matched, sum(score) AS score FROM hits GROUP BY leika_key),
    filtered AS (
      SELECT s.leika_key, s.name, t.name AS topic_name, o.name AS ozg_service_name, r.matched, r.score,
        ${onlineCount} AS online_count
      FROM ranked r
      JOIN services s ON s.leika_key = r.leika_key
      LEFT JOIN ozg_services o ON o.id = s.ozg_service_id
      LEFT JOIN topics t ON t.id = o.topic_id
      WHERE r.matched = (SELECT max(matched) FROM ranked)
        ${search.topicId ? sql`AND o.topic_id = ${search.topicId}` : sql``}
        ${search.lifeEventId ? sql`AND o.life_event_id = ${search.lifeEventId}` : sql``})
    SELECT leika_key, name, topic_name, ozg_service_name, online_count, count(*) OVER ()::int AS total
    FROM filtered
    ${search.onlineOnly ? sql`WHERE online_count > 0` : sql``}
    ORDER BY score DESC, length(name), leika_key
    LIMIT ${search.limit ?? 20} OFFSET ${search.offset ?? 0}`.execute(db);
  return { total: result.rows[0]?.total ?? 0, items: result.rows.map(({ total: _total, ...hit }) => hit) };
}
