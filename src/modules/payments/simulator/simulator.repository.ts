/**
 * SQL of the payment platform simulator (demo only): its own transactions, as a real platform keeps them.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../../../platform/db/database.ts';
import type { PaymentProviderName, SimulatorStatus } from '../../../platform/db/schema.ts';

export interface SimTransaction {
  id: string;
  protocol: PaymentProviderName;
  merchant: string;
  reference: string;
  amountCents: number;
  currency: string;
  description: string;
  procedure: string | null;
  notifyUrl: string | null;
  successUrl: string;
  cancelUrl: string;
  errorUrl: string;
  status: SimulatorStatus;
}

const columns = [
  'id', 'protocol', 'merchant', 'reference', 'amount_cents as amountCents', 'currency', 'description', 'procedure',
  'notify_url as notifyUrl', 'success_url as successUrl', 'cancel_url as cancelUrl', 'error_url as errorUrl', 'status',
] as const;

export type NewSimTransaction = Omit<SimTransaction, 'id' | 'status' | 'currency'>;

/** Creates a transaction, or returns the one with the same merchant and reference (a repeated create). */
export async function createSimTransaction(db: Db, t: NewSimTransaction): Promise<SimTransaction> {
  const prefix = t.protocol === 'pmpayment' ? 'PM' : 'EP';
  await db.insertInto('payment_simulator_transactions').values({
    id: `${prefix}${randomBytes(10).toString('hex').toUpperCase()}`, protocol: t.protocol, merchant: t.merchant, reference: t.reference,
    amount_cents: t.amountCents, description: t.description, procedure: t.procedure, notify_url: t.notifyUrl,
    success_url: t.successUrl, cancel_url: t.cancelUrl, error_url: t.errorUrl,
  }).onConflict((oc) => oc.columns(['protocol', 'merchant', 'reference']).doNothing()).execute();
  return db.selectFrom('payment_simulator_transactions').select(columns)
    .where('protocol', '=', t.protocol).where('merchant', '=', t.merchant).where('reference', '=', t.reference).executeTakeFirstOrThrow();
}

export async function findSimTransaction(db: Db | Tx, protocol: PaymentProviderName, id: string): Promise<SimTransaction | undefined> {
  return db.selectFrom('payment_simulator_transactions').select(columns).where('protocol', '=', protocol).where('id', '=', id).executeTakeFirst();
}

/** Moves a transaction from one of `from` to `to`; false when it was not in one of them. */
export async function setSimStatus(db: Db | Tx, id: string, from: readonly SimulatorStatus[], to: SimulatorStatus): Promise<boolean> {
  const result = await db.updateTable('payment_simulator_transactions').set({ status: to, updated_at: new Date() })
    .where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
