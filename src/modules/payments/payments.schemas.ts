/**
 * Input of the payments pages: the staff list's filter (query string) and the refund form.
 * Messages are catalog keys.
 */
import { z } from 'zod';

export const PAYMENT_STATUSES = ['open', 'pending', 'paid', 'failed', 'cancelled', 'refunded', 'partially_refunded'] as const;
export const PROVIDERS = ['pmpayment', 'epaybl'] as const;

/** "23.11.2026" or "2026-11-23" -> "2026-11-23" (anything else is left as typed, and refused). */
function toIsoDate(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v.trim());
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : v;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'payments.filter.date.invalid')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'payments.filter.date.invalid');
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

/** The list's filter: every part optional; `bis` is inclusive. */
export const paymentFilterQuery = z.object({
  status: z.preprocess(blankToUndefined, z.enum(PAYMENT_STATUSES, { error: 'payments.filter.status.invalid' }).optional()),
  anbieter: z.preprocess(blankToUndefined, z.enum(PROVIDERS, { error: 'payments.filter.provider.invalid' }).optional()),
  von: z.preprocess((v) => toIsoDate(blankToUndefined(v)), isoDate.optional()),
  bis: z.preprocess((v) => toIsoDate(blankToUndefined(v)), isoDate.optional()),
  q: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9_-]{4,80}$/, 'payments.filter.q.invalid').optional()),
  seite: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).optional()),
  behoerde: z.preprocess(blankToUndefined, z.uuid().optional()),
}).refine((f) => !f.von || !f.bis || f.von <= f.bis, { path: ['bis'], message: 'payments.filter.range.invalid', when: (ctx) => ctx.issues.length === 0 });

/** The filter's fields in page order (the error summary follows it). */
export const FILTER_FIELDS = ['q', 'status', 'anbieter', 'von', 'bis'] as const;
export type PaymentFilterQuery = z.infer<typeof paymentFilterQuery>;

/** "13", "13,5", "13,50", "1.234,50" (German) -> cents; null when it is not such an amount. */
export function parseEuroCents(text: string): number | null {
  const t = text.trim().replace(/\s|€/g, '');
  const m = /^(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const euros = Number(m[1]!.replace(/\./g, ''));
  const cents = Number((m[2] ?? '0').padEnd(2, '0'));
  const total = euros * 100 + cents;
  return Number.isSafeInteger(total) ? total : null;
}

/** The refund form: amount in euros (German notation), reason. */
export const refundForm = z.object({
  tenantId: z.uuid(),
  amount: z.string().trim().min(1, 'payments.refund.amount.required')
    .transform((v, ctx) => {
      const cents = parseEuroCents(v);
      if (cents === null || cents < 1) {
        ctx.addIssue({ code: 'custom', message: 'payments.refund.amount.invalid' });
        return z.NEVER;
      }
      return cents;
    }),
  reason: z.string().trim().min(1, 'payments.refund.reason.required').max(500, 'payments.refund.reason.tooLong'),
});
