/**
 * A read-through cache for derived data (search results, authority lookups) that stays correct
 * with several app instances: writers bump a version row in the same transaction as their change
 * (`bumpCacheVersion`), and each instance checks that version at most every `checkEveryMs` before
 * serving from its cache. Nothing here must survive a restart: a cold cache only costs time.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.ts';

export type CacheName = 'catalog';

/** Marks cached data of `name` as changed; call it in the transaction that changes the data. */
export async function bumpCacheVersion(db: Db | Tx, name: CacheName): Promise<void> {
  await sql`UPDATE cache_versions SET version = version + 1 WHERE name = ${name}`.execute(db);
}

export interface VersionedCache {
  /**
   * The cached value for `key`, or the loaded one (stored when the version did not move meanwhile).
   * Inside a transaction, pass it as `via`: the version is then read through it (embedded PGlite
   * has one connection, which the transaction holds), and `load` should use it too.
   */
  get<T>(key: string, load: () => Promise<T>, via?: Tx): Promise<T>;
  readonly size: number;
}

export interface VersionedCacheOptions {
  db: Db;
  name: CacheName;
  /** Entries kept at most; the least recently used go first. */
  maxEntries: number;
  /** How stale another instance's change may be seen at most; 0 checks on every read (tests). */
  checkEveryMs: number;
}

export function createVersionedCache({ db, name, maxEntries, checkEveryMs }: VersionedCacheOptions): VersionedCache {
  // A Map iterates in insertion order: re-inserting on a hit makes it an LRU.
  const entries = new Map<string, unknown>();
  let version: string | undefined;
  let checkedAt = 0;
  let checking: Promise<void> | undefined;

  const readVersion = async (via: Db | Tx) => {
    const row = await sql<{ version: string }>`SELECT version::text AS version FROM cache_versions WHERE name = ${name}`.execute(via);
    return row.rows[0]?.version ?? '0';
  };

  const adopt = (current: string) => {
    if (current !== version) {
      entries.clear();
      version = current;
    }
    checkedAt = Date.now();
  };

  const check = async (via: Db | Tx) => {
    if (Date.now() - checkedAt < checkEveryMs && version !== undefined) return;
    // A reader in a transaction checks on its own: it must not wait for a check that may itself
    // wait for the connection the transaction holds (embedded PGlite has only one).
    if (via !== db) return adopt(await readVersion(via));
    // One check at a time; concurrent readers wait for it.
    checking ??= readVersion(db).then(adopt).finally(() => {
      checking = undefined;
    });
    await checking;
  };

  return {
    async get<T>(key: string, load: () => Promise<T>, via?: Tx): Promise<T> {
      await check(via ?? db);
      if (entries.has(key)) {
        const value = entries.get(key) as T;
        entries.delete(key);
        entries.set(key, value);
        return value;
      }
      const loadedAt = version;
      const value = await load();
      // Loaded under the version we checked: safe to keep (a newer check will clear it if it moved).
      if (loadedAt === version) {
        entries.set(key, value);
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      }
      return value;
    },
    get size() {
      return entries.size;
    },
  };
}
