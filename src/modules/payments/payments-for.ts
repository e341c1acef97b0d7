/**
 * The payments of one payable, for its page (e.g. the case page): newest first, with what a page shows.
 */
import type { Db } from '../../platform/db/database.ts';
import type { PaymentProviderName, PaymentStatus } from '../../platform/db/schema.ts';
import { listPaymentsOfPayable } from './payments.repository.ts';

export interface PayablePayment {
  id: string;
  kassenzeichen: string;
  amountCents: number;
  refundedCents: number;
  currency: string;
  status: PaymentStatus;
  provider: PaymentProviderName;
  providerTxid: string | null;
  createdAt: Date;
  paidAt: Date | null;
  /** The platform's page to continue an open payment (null once settled). */
  resumeUrl: string | null;
}

/** The tenant's payments of a payable (another tenant's payable has none). */
export async function paymentsFor(db: Db, tenantId: string, payableKind: string, payableId: string): Promise<PayablePayment[]> {
  const rows = await listPaymentsOfPayable(db, tenantId, payableKind, payableId);
  return rows.map((p) => ({
    id: p.id, kassenzeichen: p.kassenzeichen, amountCents: p.amountCents, refundedCents: p.refundedCents, currency: p.currency,
    status: p.status, provider: p.provider, providerTxid: p.providerTxid, createdAt: p.createdAt, paidAt: p.paidAt,
    resumeUrl: p.status === 'open' ? p.redirectUrl : null,
  }));
}
