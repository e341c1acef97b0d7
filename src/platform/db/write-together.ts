/**
 * Independent writes of one transaction sent as one statement: each but the last becomes a
 * data-modifying CTE of the last. One round trip instead of one per write: on a busy server most
 * of a short insert's cost is its round trip (system calls on both sides, and the wait until the
 * event loop sends the next statement while the transaction holds its locks).
 *
 * PostgreSQL runs every data-modifying CTE exactly once, and all of them see the snapshot taken
 * before the statement: no write may depend on another's effect (inserts into different tables,
 * with ids known beforehand). When any fails, the statement fails, as separate statements would.
 */
import { sql, type Compilable, type OperationNodeSource } from 'kysely';
import type { Db, Tx } from './database.ts';

/** A write built but not executed (an insert, update or delete query builder without RETURNING). */
export type Write = Compilable & OperationNodeSource;

export async function writeTogether(db: Db | Tx, writes: readonly Write[]): Promise<void> {
  const last = writes[writes.length - 1];
  if (!last) return;
  if (writes.length === 1) {
    await db.executeQuery(last.compile());
    return;
  }
  const ctes = writes.slice(0, -1).map((write, n) => sql`${sql.raw(`w${n}`)} AS (${write})`);
  await sql`WITH ${sql.join(ctes)} ${last}`.execute(db);
}
