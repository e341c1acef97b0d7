/**
 * The hash of a case trail entry: SHA-256 (hex) over a canonical serialisation of every stored field
 * and the previous entry's hash. The serialisation is a JSON array in a fixed order, objects with
 * sorted keys, so that no two different entries serialise alike and what is read back from the
 * database (jsonb reorders keys) serialises exactly as what was written.
 */
import { createHash } from 'node:crypto';
import type { CaseTrailActorType, TrustLevel } from '../../platform/db/schema.ts';

/** The prev_hash of a tenant's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

// Names the serialisation, so that a future format cannot be confused with this one.
const FORMAT = 'case-trail/v1';

/** What an entry records besides who, when and what: ids and codes only, no personal data. */
export type CaseTrailDetails = Record<string, string | number | boolean | null>;

/** The hashed content of an entry. */
export interface HashedEntry {
  tenantId: string;
  seq: number;
  caseId: string;
  action: string;
  actorType: CaseTrailActorType;
  actorId: string | null;
  trustLevel: TrustLevel | null;
  details: CaseTrailDetails;
  createdAt: Date;
  prevHash: string;
}

/** JSON with object keys sorted at every level (what jsonb gives back is in its own order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; nothing of that kind is stored.
    if (text === undefined) throw new TypeError('case trail: value without a JSON form');
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(',')}}`;
}

/** The canonical serialisation of an entry (input of its hash). */
export function serializeEntry(entry: HashedEntry): string {
  return canonicalJson([
    FORMAT,
    entry.tenantId,
    entry.seq,
    entry.caseId,
    entry.action,
    entry.actorType,
    entry.actorId,
    entry.trustLevel,
    entry.details,
    entry.createdAt.toISOString(),
    entry.prevHash,
  ]);
}

/** SHA-256 (hex) of the entry's canonical serialisation. */
export function hashEntry(entry: HashedEntry): string {
  return createHash('sha256').update(serializeEntry(entry), 'utf8').digest('hex');
}
