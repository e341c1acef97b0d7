/**
 * The audit log: who did what to which resource, when, from which request. Append-only; details
 * must never hold personal data (ids and codes only).
 */
import type { Db, Tx } from '../db/database.ts';

export interface AuditEvent {
  tenantId?: string | null;
  actorType: 'anonymous' | 'citizen' | 'staff' | 'system';
  actorId?: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, string | number | boolean | null>;
  requestId?: string;
}

/** Appends one event. */
export async function recordAudit(db: Db | Tx, event: AuditEvent): Promise<void> {
  await auditEventWrite(db, event).execute();
}

/** The insert of one event, to be sent with other writes of the transaction (`writeTogether`). */
export function auditEventWrite(db: Db | Tx, event: AuditEvent) {
  return db.insertInto('audit_events').values({
    tenant_id: event.tenantId ?? null,
    actor_type: event.actorType,
    actor_id: event.actorId ?? null,
    action: event.action,
    subject_type: event.subjectType ?? null,
    subject_id: event.subjectId ?? null,
    details: JSON.stringify(event.details ?? {}),
    request_id: event.requestId ?? null,
  });
}
