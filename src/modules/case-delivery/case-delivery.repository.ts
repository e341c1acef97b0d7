/**
 * SQL of the case-delivery module: a tenant's delivery targets (webhook or FIT-Connect-style
 * destination), the delivery of each case to each target, and the integration clients that report
 * back through the API. Every query of tenant-owned rows is scoped by `tenantId` (first parameter);
 * ids reach here checked (uuid) by the caller.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { CaseStatus } from '../../platform/db/schema.ts';

export type TargetKind = 'webhook' | 'fit_connect';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery target as the admin page shows it (no secret). */
export interface DeliveryTarget {
  id: string;
  kind: TargetKind;
  name: string;
  url: string;
  procedureId: string | null;
  procedureName: string | null;
  destinationId: string | null;
  active: boolean;
  createdAt: Date;
}

/** What a delivery job needs of its target: the encrypted secret or the destination's public key too. */
export interface TargetForDelivery {
  id: string;
  kind: TargetKind;
  url: string;
  active: boolean;
  secretEnc: string | null;
  destinationId: string | null;
  encryptionJwk: Record<string, unknown> | null;
}

export interface Delivery {
  id: string;
  tenantId: string;
  caseId: string;
  status: DeliveryStatus;
  attempts: number;
  remoteId: string | null;
  target: TargetForDelivery;
}

export interface DeliveryListItem {
  id: string;
  caseId: string;
  reference: string;
  targetName: string;
  kind: TargetKind;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface IntegrationClient {
  id: string;
  name: string;
  revokedAt: Date | null;
  createdAt: Date;
}

/** The tenant's active targets that take cases of this procedure (limited to it, or to all). */
export async function listTargetIdsForProcedure(db: Db | Tx, tenantId: string, procedureId: string): Promise<string[]> {
  const rows = await db.selectFrom('case_delivery_targets').select('id')
    .where('tenant_id', '=', tenantId).where('active', '=', true)
    .where((eb) => eb.or([eb('procedure_id', 'is', null), eb('procedure_id', '=', procedureId)]))
    .orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** One pending delivery per target; a case already delivered to a target keeps its row. Returns the new ids. */
export async function insertDeliveries(tx: Db | Tx, tenantId: string, caseId: string, targetIds: readonly string[]): Promise<string[]> {
  if (targetIds.length === 0) return [];
  const rows = await tx.insertInto('case_deliveries')
    .values(targetIds.map((targetId) => ({ tenant_id: tenantId, case_id: caseId, target_id: targetId })))
    .onConflict((oc) => oc.columns(['case_id', 'target_id']).doNothing())
    .returning('id').execute();
  return rows.map((r) => r.id);
}

/** A delivery with its target, for the job; undefined when unknown in this tenant. */
export async function findDelivery(db: Db | Tx, tenantId: string, deliveryId: string): Promise<Delivery | undefined> {
  const row = await db.selectFrom('case_deliveries as d')
    .innerJoin('case_delivery_targets as t', (join) => join.onRef('t.id', '=', 'd.target_id').onRef('t.tenant_id', '=', 'd.tenant_id'))
    .select(['d.id', 'd.tenant_id', 'd.case_id', 'd.status', 'd.attempts', 'd.remote_id',
      't.id as target_id', 't.kind', 't.url', 't.active', 't.secret_enc', 't.destination_id', 't.encryption_jwk'])
    .where('d.tenant_id', '=', tenantId).where('d.id', '=', deliveryId).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id, tenantId: row.tenant_id, caseId: row.case_id, status: row.status, attempts: row.attempts, remoteId: row.remote_id,
    target: {
      id: row.target_id, kind: row.kind, url: row.url, active: row.active, secretEnc: row.secret_enc, destinationId: row.destination_id,
      encryptionJwk: typeof row.encryption_jwk === 'string' ? JSON.parse(row.encryption_jwk) as Record<string, unknown> : row.encryption_jwk,
    },
  };
}

/** Counts an attempt about to be made. */
export async function countAttempt(db: Db | Tx, tenantId: string, deliveryId: string): Promise<void> {
  await db.updateTable('case_deliveries').set({ attempts: sql<number>`attempts + 1` })
    .where('tenant_id', '=', tenantId).where('id', '=', deliveryId).execute();
}

/** Keeps the receiver's id (e.g. an announced submission), so that a retry continues it. */
export async function setRemoteId(db: Db | Tx, tenantId: string, deliveryId: string, remoteId: string): Promise<void> {
  await db.updateTable('case_deliveries').set({ remote_id: remoteId })
    .where('tenant_id', '=', tenantId).where('id', '=', deliveryId).execute();
}

/** Keeps why an attempt failed that will be tried again. */
export async function recordRetry(db: Db | Tx, tenantId: string, deliveryId: string, error: string): Promise<void> {
  await db.updateTable('case_deliveries').set({ last_error: error })
    .where('tenant_id', '=', tenantId).where('id', '=', deliveryId).where('status', '=', 'pending').execute();
}

/** Records the outcome of an attempt; only a pending delivery changes (a finished one stays as it is). */
export async function recordOutcome(db: Db | Tx, tenantId: string, deliveryId: string, outcome: { status: DeliveryStatus; error: string | null; remoteId?: string | null }): Promise<void> {
  await db.updateTable('case_deliveries')
    .set({
      status: outcome.status, last_error: outcome.error,
      ...(outcome.remoteId ? { remote_id: outcome.remoteId } : {}),
      ...(outcome.status === 'delivered' ? { delivered_at: sql<Date>`now()` } : {}),
    })
    .where('tenant_id', '=', tenantId).where('id', '=', deliveryId).where('status', '=', 'pending').execute();
}

/** The tenant's targets, newest first, with the procedure's name where limited to one. */
export async function listTargets(db: Db | Tx, tenantId: string): Promise<DeliveryTarget[]> {
  const rows = await db.selectFrom('case_delivery_targets as t')
    .leftJoin('online_procedures as op', (join) => join.onRef('op.id', '=', 't.procedure_id').onRef('op.tenant_id', '=', 't.tenant_id'))
    .select(['t.id', 't.kind', 't.name', 't.url', 't.procedure_id', 'op.name as procedure_name', 't.destination_id', 't.active', 't.created_at'])
    .where('t.tenant_id', '=', tenantId).orderBy('t.created_at', 'desc').orderBy('t.id').execute();
  return rows.map((r) => ({
    id: r.id, kind: r.kind, name: r.name, url: r.url, procedureId: r.procedure_id, procedureName: r.procedure_name,
    destinationId: r.destination_id, active: r.active, createdAt: r.created_at,
  }));
}

export interface NewTarget {
  kind: TargetKind;
  name: string;
  url: string;
  procedureId: string | null;
  secretEnc: string | null;
  destinationId: string | null;
  encryptionJwk: Record<string, unknown> | null;
}

/** Adds a target; returns its id. */
export async function insertTarget(db: Db | Tx, tenantId: string, target: NewTarget): Promise<string> {
  const row = await db.insertInto('case_delivery_targets').values({
    tenant_id: tenantId, kind: target.kind, name: target.name, url: target.url, procedure_id: target.procedureId,
    secret_enc: target.secretEnc, destination_id: target.destinationId,
    encryption_jwk: target.encryptionJwk ? JSON.stringify(target.encryptionJwk) : null,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Deactivates a target of the tenant; false when there is none with this id. */
export async function deactivateTarget(db: Db | Tx, tenantId: string, targetId: string): Promise<boolean> {
  const result = await db.updateTable('case_delivery_targets').set({ active: false })
    .where('tenant_id', '=', tenantId).where('id', '=', targetId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The tenant's online procedures on this portal (for limiting a target to one). */
export async function listTenantProcedures(db: Db | Tx, tenantId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['op.id', 'op.name']).where('ap.tenant_id', '=', tenantId).where('op.tenant_id', '=', tenantId)
    .orderBy('op.name').orderBy('op.id').execute();
}

/** The tenant's most recent deliveries, newest first. */
export async function listRecentDeliveries(db: Db | Tx, tenantId: string, limit: number): Promise<DeliveryListItem[]> {
  const rows = await db.selectFrom('case_deliveries as d')
    .innerJoin('case_delivery_targets as t', 't.id', 'd.target_id')
    .innerJoin('cases as c', 'c.id', 'd.case_id')
    .select(['d.id', 'd.case_id', 'c.reference', 't.name', 't.kind', 'd.status', 'd.attempts', 'd.last_error', 'd.created_at', 'd.delivered_at'])
    .where('d.tenant_id', '=', tenantId).where('t.tenant_id', '=', tenantId).where('c.tenant_id', '=', tenantId)
    .orderBy('d.created_at', 'desc').orderBy('d.id').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id, caseId: r.case_id, reference: r.reference, targetName: r.name, kind: r.kind, status: r.status, attempts: r.attempts,
    lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at,
  }));
}

/** The tenant's integration clients, newest first. */
export async function listClients(db: Db | Tx, tenantId: string): Promise<IntegrationClient[]> {
  const rows = await db.selectFrom('integration_clients').select(['id', 'name', 'revoked_at', 'created_at'])
    .where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, revokedAt: r.revoked_at, createdAt: r.created_at }));
}

/** Adds a client with the SHA-256 of its token; returns its id. */
export async function insertClient(db: Db | Tx, tenantId: string, client: { name: string; tokenHash: string; createdBy: string | null }): Promise<string> {
  const row = await db.insertInto('integration_clients')
    .values({ tenant_id: tenantId, name: client.name, token_hash: client.tokenHash, created_by: client.createdBy })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Revokes a client of the tenant (once); false when there is no unrevoked one with this id. */
export async function revokeClient(db: Db | Tx, tenantId: string, clientId: string): Promise<boolean> {
  const result = await db.updateTable('integration_clients').set({ revoked_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId).where('id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The unrevoked client holding a token (by its SHA-256). Not tenant-scoped: the token is the
 * credential, and it names the tenant.
 */
export async function findClientByTokenHash(db: Db | Tx, tokenHash: string): Promise<{ id: string; tenantId: string } | undefined> {
  const row = await db.selectFrom('integration_clients').select(['id', 'tenant_id'])
    .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
  return row ? { id: row.id, tenantId: row.tenant_id } : undefined;
}

/** The tenant's case with this id (its status), or undefined. */
export async function findTenantCase(db: Db | Tx, tenantId: string, caseId: string): Promise<{ id: string; status: CaseStatus } | undefined> {
  return db.selectFrom('cases').select(['id', 'status']).where('tenant_id', '=', tenantId).where('id', '=', caseId).executeTakeFirst();
}
