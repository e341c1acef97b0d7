/**
 * SQL of the payments module. Functions for staff and other modules take the tenant id first and
 * filter by it. The few without a tenant (`…ForSystem`) serve the platform's notifications, the
 * payer's return and reconciliation, where the payment is found by an unguessable id.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { PaymentProviderName, PaymentStatus, PaymentStatusChangesTable } from '../../platform/db/schema.ts';

/** A payment as the module works with it. */
export interface Payment {
  id: string;
  tenantId: string;
  payableKind: string;
  payableId: string;
  amountCents: number;
  currency: string;
  kassenzeichen: string;
  purpose: string;
  provider: PaymentProviderName;
  providerTxid: string | null;
  redirectUrl: string | null;
  returnPath: string;
  status: PaymentStatus;
  refundedCents: number;
  createdAt: Date;
  updatedAt: Date;
  paidAt: Date | null;
}

const paymentColumns = [
  'p.id', 'p.tenant_id as tenantId', 'p.payable_kind as payableKind', 'p.payable_id as payableId', 'p.amount_cents as amountCents',
  'p.currency', 'p.kassenzeichen', 'p.purpose', 'p.provider', 'p.provider_txid as providerTxid', 'p.redirect_url as redirectUrl',
  'p.return_path as returnPath', 'p.status', 'p.refunded_cents as refundedCents', 'p.created_at as createdAt', 'p.updated_at as updatedAt',
  'p.paid_at as paidAt',
] as const;

/** Statuses in which a payment is not settled yet (one per payable at most). */
export const UNSETTLED: readonly PaymentStatus[] = ['open', 'pending'];

export interface NewPayment {
  tenantId: string;
  payableKind: string;
  payableId: string;
  amountCents: number;
  kassenzeichen: string;
  purpose: string;
  provider: PaymentProviderName;
  returnPath: string;
}

/** Inserts an open payment; undefined when the payable already has an unsettled one (unique index). */
export async function insertPayment(tx: Tx, p: NewPayment): Promise<Payment | undefined> {
  const row = await tx.insertInto('payments').values({
    tenant_id: p.tenantId, payable_kind: p.payableKind, payable_id: p.payableId, amount_cents: p.amountCents,
    kassenzeichen: p.kassenzeichen, purpose: p.purpose, provider: p.provider, return_path: p.returnPath,
  })
    // The partial unique index's predicate, as literals: PostgreSQL must see it imply the index's
    // predicate when it plans, and a prepared statement's parameters are not known then.
    .onConflict((oc) => oc.columns(['tenant_id', 'payable_kind', 'payable_id']).where(sql<boolean>`status IN ('open', 'pending')`).doNothing())
    .returning('id').executeTakeFirst();
  return row ? findPaymentForSystem(tx, row.id) : undefined;
}

/** The payable's unsettled payment, if any. */
export async function findUnsettledPayment(db: Db | Tx, tenantId: string, payableKind: string, payableId: string): Promise<Payment | undefined> {
  return db.selectFrom('payments as p').select(paymentColumns)
    .where('p.tenant_id', '=', tenantId).where('p.payable_kind', '=', payableKind).where('p.payable_id', '=', payableId)
    .where('p.status', 'in', UNSETTLED).executeTakeFirst();
}

/** The payable's payments, newest first. */
export async function listPaymentsOfPayable(db: Db | Tx, tenantId: string, payableKind: string, payableId: string): Promise<Payment[]> {
  return db.selectFrom('payments as p').select(paymentColumns)
    .where('p.tenant_id', '=', tenantId).where('p.payable_kind', '=', payableKind).where('p.payable_id', '=', payableId)
    .orderBy('p.created_at', 'desc').execute();
}

/** A tenant's payment by id (another tenant's is undefined). */
export async function findPayment(db: Db | Tx, tenantId: string, id: string): Promise<Payment | undefined> {
  return db.selectFrom('payments as p').select(paymentColumns).where('p.tenant_id', '=', tenantId).where('p.id', '=', id).executeTakeFirst();
}

/** A payment by id, whatever its tenant (payer's return, jobs). */
export async function findPaymentForSystem(db: Db | Tx, id: string): Promise<Payment | undefined> {
  return db.selectFrom('payments as p').select(paymentColumns).where('p.id', '=', id).executeTakeFirst();
}

/** A payment by the platform's transaction id. */
export async function findPaymentByTransaction(db: Db | Tx, provider: PaymentProviderName, txid: string): Promise<Payment | undefined> {
  return db.selectFrom('payments as p').select(paymentColumns).where('p.provider', '=', provider).where('p.provider_txid', '=', txid).executeTakeFirst();
}

/** Stores the platform's transaction for a payment that has none yet; false when another request stored one first. */
export async function setProviderTransaction(db: Db | Tx, id: string, txid: string, redirectUrl: string): Promise<boolean> {
  const result = await db.updateTable('payments').set({ provider_txid: txid, redirect_url: redirectUrl, updated_at: new Date() })
    .where('id', '=', id).where('provider_txid', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Notes that the platform was asked about the payment (reconciliation asks the least recently asked first). */
export async function markChecked(db: Db | Tx, id: string): Promise<void> {
  await db.updateTable('payments').set({ checked_at: new Date() }).where('id', '=', id).execute();
}

/**
 * Moves a payment to `to` if it is in one of `from` — a conditional UPDATE, so that of concurrent
 * callers exactly one succeeds (the others wait for its row lock, then no longer match) — and
 * records the change. Returns the previous status, or undefined when nothing changed.
 */
export async function transitionPayment(
  tx: Tx, id: string, from: readonly PaymentStatus[], to: PaymentStatus, source: PaymentStatusChangesTable['source'],
): Promise<{ from: PaymentStatus; changeId: number; payment: Payment } | undefined> {
  // The row lock makes concurrent callers wait; each then sees the status the previous one left.
  const current = await tx.selectFrom('payments').select(['status', 'tenant_id']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!current || !from.includes(current.status)) return undefined;
  const previous = current.status;
  const now = new Date();
  await tx.updateTable('payments').set({ status: to, updated_at: now, ...(to === 'paid' ? { paid_at: now } : {}) }).where('id', '=', id).execute();
  const change = await tx.insertInto('payment_status_changes').values({
    tenant_id: current.tenant_id, payment_id: id, from_status: previous, to_status: to, source,
  }).returning('id').executeTakeFirstOrThrow();
  return { from: previous, changeId: change.id, payment: (await findPaymentForSystem(tx, id))! };
}

/** Records the start of a payment in its history. */
export async function recordCreated(tx: Tx, payment: Payment): Promise<void> {
  await tx.insertInto('payment_status_changes').values({
    tenant_id: payment.tenantId, payment_id: payment.id, from_status: null, to_status: 'open', source: 'start',
  }).execute();
}

/** Unsettled payments with a platform transaction that were not asked about since `checkedBefore`, least recently asked first. */
export async function listUnsettledForReconciliation(db: Db, checkedBefore: Date, updatedBefore: Date, limit: number): Promise<Payment[]> {
  return db.selectFrom('payments as p').select(paymentColumns)
    .where('p.status', 'in', UNSETTLED).where('p.provider_txid', 'is not', null)
    .where('p.updated_at', '<=', updatedBefore)
    .where((eb) => eb.or([eb('p.checked_at', 'is', null), eb('p.checked_at', '<=', checkedBefore)]))
    .orderBy(sql`p.checked_at NULLS FIRST`).limit(limit).execute();
}

/** The staff list's filter; every part optional. */
export interface PaymentFilter {
  status?: PaymentStatus | undefined;
  provider?: PaymentProviderName | undefined;
  /** Created on or after (inclusive). */
  from?: Date | undefined;
  /** Created before (exclusive). */
  until?: Date | undefined;
  /** Kassenzeichen or platform transaction id (exact, or a prefix of at least 4 characters). */
  search?: string | undefined;
}

function filtered(db: Db, tenantId: string, f: PaymentFilter) {
  let q = db.selectFrom('payments as p').where('p.tenant_id', '=', tenantId);
  if (f.status) q = q.where('p.status', '=', f.status);
  if (f.provider) q = q.where('p.provider', '=', f.provider);
  if (f.from) q = q.where('p.created_at', '>=', f.from);
  if (f.until) q = q.where('p.created_at', '<', f.until);
  if (f.search) {
    const prefix = `${f.search.replace(/[\\%_]/g, '\\$&')}%`;
    q = q.where((eb) => eb.or([eb('p.kassenzeichen', 'like', prefix), eb('p.provider_txid', 'like', prefix)]));
  }
  return q;
}

/** A page of the tenant's payments (newest first) and how many match. */
export async function listPayments(db: Db, tenantId: string, filter: PaymentFilter, page: { limit: number; offset: number }): Promise<{ total: number; items: Payment[] }> {
  const [count, items] = await Promise.all([
    filtered(db, tenantId, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    filtered(db, tenantId, filter).select(paymentColumns).orderBy('p.created_at', 'desc').orderBy('p.id').limit(page.limit).offset(page.offset).execute(),
  ]);
  return { total: Number(count.n), items };
}

/** Every matching payment of the tenant, oldest first (the CSV export), at most `limit`. */
export async function listPaymentsForExport(db: Db, tenantId: string, filter: PaymentFilter, limit: number): Promise<Payment[]> {
  return filtered(db, tenantId, filter).select(paymentColumns).orderBy('p.created_at').orderBy('p.id').limit(limit).execute();
}

export interface StatusChange {
  fromStatus: PaymentStatus | null;
  toStatus: PaymentStatus;
  source: PaymentStatusChangesTable['source'];
  changedAt: Date;
}

/** A tenant's payment's status history, oldest first. */
export async function listStatusChanges(db: Db, tenantId: string, paymentId: string): Promise<StatusChange[]> {
  return db.selectFrom('payment_status_changes')
    .select(['from_status as fromStatus', 'to_status as toStatus', 'source', 'changed_at as changedAt'])
    .where('tenant_id', '=', tenantId).where('payment_id', '=', paymentId).orderBy('id').execute();
}

export interface RefundRow {
  id: string;
  amountCents: number;
  reasonEnc: string;
  staffName: string | null;
  createdAt: Date;
}

/** A tenant's payment's refunds, oldest first. */
export async function listRefunds(db: Db, tenantId: string, paymentId: string): Promise<RefundRow[]> {
  return db.selectFrom('payment_refunds as r').leftJoin('staff_accounts as s', 's.id', 'r.staff_id')
    .select(['r.id', 'r.amount_cents as amountCents', 'r.reason_enc as reasonEnc', 's.display_name as staffName', 'r.created_at as createdAt'])
    .where('r.tenant_id', '=', tenantId).where('r.payment_id', '=', paymentId).orderBy('r.created_at').execute();
}

/** Locks the tenant's payment row for the rest of the transaction and returns it. */
export async function lockPayment(tx: Tx, tenantId: string, id: string): Promise<Payment | undefined> {
  return tx.selectFrom('payments as p').select(paymentColumns).where('p.tenant_id', '=', tenantId).where('p.id', '=', id).forUpdate().executeTakeFirst();
}

/** Records a refund and adds it to the payment's refunded amount; returns the refund id. */
export async function insertRefund(tx: Tx, r: { tenantId: string; paymentId: string; amountCents: number; reasonEnc: string; staffId: string }): Promise<string> {
  const row = await tx.insertInto('payment_refunds').values({
    tenant_id: r.tenantId, payment_id: r.paymentId, amount_cents: r.amountCents, reason_enc: r.reasonEnc, staff_id: r.staffId,
  }).returning('id').executeTakeFirstOrThrow();
  await tx.updateTable('payments').set((eb) => ({ refunded_cents: eb('refunded_cents', '+', r.amountCents), updated_at: new Date() }))
    .where('tenant_id', '=', r.tenantId).where('id', '=', r.paymentId).execute();
  return row.id;
}
