/**
 * SQL of the catalogue editor: a tenant's local additions to service descriptions (with every
 * version) and the online procedures it links. Every function takes the tenant id first and
 * filters by it, so that one authority's editor can never read or change another's entries.
 */
import type { Db, Tx } from '../../platform/db/database.ts';

/** The three fields of a local text (null: not given). */
export interface LocalTextFields {
  fees: string | null;
  contact: string | null;
  localRequirements: string | null;
}

/** A tenant's current local text for a service, with who saved it last. */
export interface LocalText extends LocalTextFields {
  version: number;
  updatedAt: Date;
  updatedByName: string | null;
}

/** One saved version of a local text, with who saved it. */
export interface LocalTextVersion extends LocalTextFields {
  version: number;
  changedAt: Date;
  changedByName: string | null;
}

/** An online procedure a tenant linked to a service. */
export interface OnlineProcedure {
  id: string;
  leikaKey: string;
  name: string;
  kind: 'internal' | 'external';
  url: string | null;
  maturityModel: '1' | '2';
  maturityLevel: number;
  active: boolean;
}

/** What an editor enters about an online procedure. */
export interface ProcedureFields {
  name: string;
  kind: 'internal' | 'external';
  url: string | null;
  maturityModel: '1' | '2';
  maturityLevel: number;
}

/** The tenant's current local text for a service, or undefined. */
export async function findLocalText(db: Db | Tx, tenantId: string, leikaKey: string): Promise<LocalText | undefined> {
  return db.selectFrom('local_service_texts as l').leftJoin('staff_accounts as a', 'a.id', 'l.updated_by')
    .select(['l.fees', 'l.contact', 'l.local_requirements as localRequirements', 'l.version', 'l.updated_at as updatedAt', 'a.display_name as updatedByName'])
    .where('l.tenant_id', '=', tenantId).where('l.leika_key', '=', leikaKey).executeTakeFirst();
}

/** Inserts the first version; false when another one was inserted first. */
export async function insertLocalText(tx: Tx, tenantId: string, leikaKey: string, text: LocalTextFields, staffId: string): Promise<boolean> {
  const row = await tx.insertInto('local_service_texts').values({
    tenant_id: tenantId, leika_key: leikaKey, fees: text.fees, contact: text.contact, local_requirements: text.localRequirements,
    version: 1, updated_by: staffId, updated_at: new Date(),
  }).onConflict((oc) => oc.columns(['tenant_id', 'leika_key']).doNothing()).returning('version').executeTakeFirst();
  return row !== undefined;
}

/** Replaces the text if it is still at `baseVersion` (optimistic concurrency); false otherwise. */
export async function updateLocalText(tx: Tx, tenantId: string, leikaKey: string, baseVersion: number, text: LocalTextFields, staffId: string): Promise<boolean> {
  const row = await tx.updateTable('local_service_texts')
    .set({ fees: text.fees, contact: text.contact, local_requirements: text.localRequirements, version: baseVersion + 1, updated_by: staffId, updated_at: new Date() })
    .where('tenant_id', '=', tenantId).where('leika_key', '=', leikaKey).where('version', '=', baseVersion)
    .returning('version').executeTakeFirst();
  return row !== undefined;
}

/** Appends version `version` to the text's history. */
export async function insertLocalTextVersion(tx: Tx, tenantId: string, leikaKey: string, version: number, text: LocalTextFields, staffId: string): Promise<void> {
  await tx.insertInto('local_service_text_versions').values({
    tenant_id: tenantId, leika_key: leikaKey, version, fees: text.fees, contact: text.contact, local_requirements: text.localRequirements,
    changed_by: staffId, changed_at: new Date(),
  }).execute();
}

/** The newest versions first, with the display name of who saved each. */
export async function listLocalTextVersions(db: Db, tenantId: string, leikaKey: string, limit: number): Promise<LocalTextVersion[]> {
  return db.selectFrom('local_service_text_versions as v').leftJoin('staff_accounts as a', 'a.id', 'v.changed_by')
    .select(['v.version', 'v.fees', 'v.contact', 'v.local_requirements as localRequirements', 'v.changed_at as changedAt', 'a.display_name as changedByName'])
    .where('v.tenant_id', '=', tenantId).where('v.leika_key', '=', leikaKey)
    .orderBy('v.version', 'desc').limit(limit).execute();
}

/** The tenant's most recently changed local texts, with the service names. */
export async function listRecentLocalTexts(db: Db, tenantId: string, limit: number) {
  return db.selectFrom('local_service_texts as l').innerJoin('services as s', 's.leika_key', 'l.leika_key')
    .select(['l.leika_key as leikaKey', 's.name', 'l.version', 'l.updated_at as updatedAt'])
    .where('l.tenant_id', '=', tenantId).orderBy('l.updated_at', 'desc').orderBy('l.leika_key').limit(limit).execute();
}

const procedureColumns = [
  'p.id', 'p.leika_key as leikaKey', 'p.name', 'p.kind', 'p.url', 'p.maturity_model as maturityModel',
  'p.maturity_level as maturityLevel', 'p.active',
] as const;

/** The tenant's procedures linked to a service, active and deactivated. */
export async function listProcedures(db: Db, tenantId: string, leikaKey: string): Promise<OnlineProcedure[]> {
  return db.selectFrom('online_procedures as p').select(procedureColumns)
    .where('p.tenant_id', '=', tenantId).where('p.leika_key', '=', leikaKey).orderBy('p.name').execute();
}

/** The tenant's procedure `id` for the service, or undefined (also when it is another tenant's). */
export async function findProcedure(db: Db | Tx, tenantId: string, leikaKey: string, id: string): Promise<OnlineProcedure | undefined> {
  return db.selectFrom('online_procedures as p').select(procedureColumns)
    .where('p.tenant_id', '=', tenantId).where('p.leika_key', '=', leikaKey).where('p.id', '=', id).executeTakeFirst();
}

/** Links a procedure; throws a unique violation (23505) when the name is already linked to the service. */
export async function insertProcedure(tx: Tx, tenantId: string, leikaKey: string, p: ProcedureFields, staffId: string): Promise<string> {
  const row = await tx.insertInto('online_procedures').values({
    tenant_id: tenantId, leika_key: leikaKey, name: p.name, kind: p.kind, url: p.url,
    maturity_model: p.maturityModel, maturity_level: p.maturityLevel, created_by: staffId,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Changes a procedure's details; false when the tenant has no such procedure. Throws 23505 on a duplicate name. */
export async function updateProcedure(tx: Tx, tenantId: string, leikaKey: string, id: string, p: ProcedureFields): Promise<boolean> {
  const row = await tx.updateTable('online_procedures')
    .set({ name: p.name, kind: p.kind, url: p.url, maturity_model: p.maturityModel, maturity_level: p.maturityLevel, updated_at: new Date() })
    .where('tenant_id', '=', tenantId).where('leika_key', '=', leikaKey).where('id', '=', id)
    .returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Activates or deactivates a procedure; false when the tenant has no such procedure. */
export async function setProcedureActive(tx: Tx, tenantId: string, leikaKey: string, id: string, active: boolean): Promise<boolean> {
  const row = await tx.updateTable('online_procedures').set({ active, updated_at: new Date() })
    .where('tenant_id', '=', tenantId).where('leika_key', '=', leikaKey).where('id', '=', id)
    .returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Removes a procedure's link; false when the tenant has no such procedure. */
export async function deleteProcedure(tx: Tx, tenantId: string, leikaKey: string, id: string): Promise<boolean> {
  const row = await tx.deleteFrom('online_procedures')
    .where('tenant_id', '=', tenantId).where('leika_key', '=', leikaKey).where('id', '=', id)
    .returning('id').executeTakeFirst();
  return row !== undefined;
}
