/**
 * Who may maintain catalogue entries, and for which tenant. Editors and tenant administrators of
 * the staff member's active tenant (switched in the staff header) may; everyone else sees "not
 * found". Writes name their tenant in the form and are accepted only for that active tenant: a
 * forged tenant is "not found". The repository then filters every query by that tenant.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import type { StaffRole } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { activeMemberships, requireStaff, type StaffAccount } from '../staff/index.ts';

/** Roles that may maintain a tenant's catalogue entries. */
export const EDITOR_ROLES: readonly StaffRole[] = ['editor', 'tenant_admin'];

/** A tenant the staff member may maintain catalogue entries for. */
export interface EditorTenant {
  id: string;
  name: string;
}

/** The editor, the tenant being worked for and all their editor tenants. */
export interface EditorContext {
  account: StaffAccount;
  /** The tenant whose entries are being maintained. */
  tenant: EditorTenant;
  /** The tenants the staff member may maintain entries for now (the active one). */
  tenants: EditorTenant[];
}

/** Who writes, for which tenant, in which request: what a use case needs for the SQL and the audit log. */
export interface EditorActor {
  tenantId: string;
  staffId: string;
  requestId: string;
}

/** The actor of a write by this editor in this request. */
export function actorOf(editor: EditorContext, req: FastifyRequest): EditorActor {
  return { tenantId: editor.tenant.id, staffId: editor.account.id, requestId: req.id };
}

/** The tenant a staff member may maintain catalogue entries for: their active tenant, when they edit there. */
export function listEditorTenants(req: FastifyRequest): EditorTenant[] {
  const byId = new Map<string, EditorTenant>();
  for (const m of activeMemberships(req)) {
    if (EDITOR_ROLES.includes(m.role)) byId.set(m.tenant_id, { id: m.tenant_id, name: m.tenant_name });
  }
  return [...byId.values()];
}

/**
 * The logged-in editor and their active tenant. Returns null after redirecting an anonymous visitor to the login.
 * @throws DomainError NOT_FOUND for staff without an editor-capable membership in the active tenant.
 */
export async function requireEditorTenants(_db: Db, req: FastifyRequest, reply: FastifyReply): Promise<{ account: StaffAccount; tenants: EditorTenant[] } | null> {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const tenants = listEditorTenants(req);
  if (tenants.length === 0) throw new DomainError('NOT_FOUND');
  return { account, tenants };
}

/**
 * For pages: the editor and their active tenant (switched in the staff header). Returns null after
 * redirecting to the login.
 * @throws DomainError NOT_FOUND for staff without an editor-capable membership in the active tenant.
 */
export async function requireEditor(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<EditorContext | null> {
  const editor = await requireEditorTenants(db, req, reply);
  if (!editor) return null;
  return { ...editor, tenant: editor.tenants[0]! };
}

/**
 * For writes: the editor and the tenant the form was shown for, which must be their active tenant
 * (a form left open for another tenant is refused: the network allowlist checked is the active one's).
 * Returns null after redirecting an anonymous visitor to the login.
 * @throws DomainError NOT_FOUND when the tenant is missing or not the active one the staff member may edit.
 */
export async function requireEditorOf(db: Db, req: FastifyRequest, reply: FastifyReply, tenantId: unknown): Promise<EditorContext | null> {
  const editor = await requireEditorTenants(db, req, reply);
  if (!editor) return null;
  const tenant = editor.tenants.find((t) => t.id === tenantId);
  if (!tenant) throw new DomainError('NOT_FOUND');
  return { ...editor, tenant };
}
