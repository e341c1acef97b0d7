/**
 * Input of the case pages: the inbox filter (query string) and the forms on a case. Messages are
 * catalog keys.
 */
import { z } from 'zod';
import { DECISION_OUTCOMES, TEMPLATE_OUTCOMES } from './decision-text.ts';
import { CASE_STATUSES } from './workflow.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

/** "23.11.2026" or "2026-11-23" -> "2026-11-23" (anything else is left as typed, and refused). */
function toIsoDate(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v.trim());
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : v.trim();
}

const isRealDate = (v: string) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

export const INBOX_FIELDS = ['q', 'status', 'verfahren', 'zustaendig', 'sortierung'] as const;

export const inboxQuery = z.object({
  q: z.preprocess(blankToUndefined, z.string().max(120, 'cases.filter.q.tooLong').optional()),
  status: z.preprocess(blankToUndefined, z.enum(['open', 'all', ...CASE_STATUSES] as [string, ...string[]], { error: 'cases.filter.status.invalid' }).optional()),
  verfahren: z.preprocess(blankToUndefined, z.uuid({ error: 'cases.filter.procedure.invalid' }).optional()),
  zustaendig: z.preprocess(blankToUndefined, z.enum(['me', 'none', 'all'], { error: 'cases.filter.assignee.invalid' }).optional()),
  ueberfaellig: z.preprocess(blankToUndefined, z.enum(['1']).optional()).catch(undefined),
  beantwortet: z.preprocess(blankToUndefined, z.enum(['1']).optional()).catch(undefined),
  sortierung: z.preprocess(blankToUndefined, z.enum(['newest', 'oldest', 'due'], { error: 'cases.filter.sort.invalid' }).optional()),
  seite: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(10_000).optional()).catch(undefined),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

export const statusForm = z.object({
  to: z.enum(CASE_STATUSES as [string, ...string[]], { error: 'cases.status.invalid' }),
  reason: z.string().trim().max(4000, 'cases.status.reason.tooLong').optional().default(''),
});

export const assignForm = z.object({
  assignee: z.union([z.literal(''), z.uuid()], { error: 'cases.assign.invalid' }),
});

export const noteForm = z.object({
  text: z.string().trim().min(1, 'cases.note.required').max(8000, 'cases.note.tooLong'),
});

/** The deadline of a request for information: a real date, from tomorrow up to a year ahead. */
export const informationRequestForm = z.object({
  text: z.string().trim().min(1, 'cases.request.text.required').max(8000, 'cases.request.text.tooLong'),
  dueDate: z.preprocess(toIsoDate, z.string({ error: 'cases.request.due.required' }).min(1, 'cases.request.due.required')
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'cases.request.due.invalid').refine(isRealDate, 'cases.request.due.invalid')),
});

export { DECISION_OUTCOMES, TEMPLATE_OUTCOMES };

export const decisionForm = z.object({
  outcome: z.enum(DECISION_OUTCOMES, { error: 'cases.decision.outcome.invalid' }),
  title: z.string().trim().min(1, 'cases.decision.title.required').max(200, 'cases.decision.title.tooLong'),
  body: z.string().trim().min(20, 'cases.decision.body.required').max(50_000, 'cases.decision.body.tooLong'),
  fee: z.string().trim().regex(/^\d{1,6}(,\d{1,2})?$/, 'cases.decision.fee.invalid'),
});

/** A decision template; line breaks are stored as LF, whatever the browser sent (forms send CRLF). */
export const templateForm = z.object({
  title: z.string().trim().min(1, 'cases.decision.title.required').max(200, 'cases.decision.title.tooLong'),
  body: z.string().trim().min(20, 'cases.decision.body.required').max(50_000, 'cases.decision.body.tooLong').transform((v) => v.replace(/\r\n?/g, '\n')),
});

/** "12,50" -> 1250 cents. */
export function euroToCents(text: string): number {
  const [euros, cents = ''] = text.split(',');
  return Number(euros) * 100 + Number(cents.padEnd(2, '0'));
}

/** 1250 -> "12,50". */
export function centsToEuroText(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}
