/**
 * Who may maintain catalogue entries, and for which tenant. Editors and tenant administrators of a
 * tenant may; everyone else sees "not found". A staff member with several such memberships chooses
 * the tenant to work for (remembered in the session); with one, it is that one. Writes name their
 * tenant in the form and are accepted only for the editor's own tenants: a forged tenant is "not
 * found". The repository then filters every query by that tenant.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import type { StaffRole } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { listMemberships, requireStaff, type StaffAccount } from '../staff/index.ts';

declare module 'fastify' {
  interface Session {
    /** The tenant the staff member maintains catalogue entries for (one of their editor tenants). */
    catalogEditorTenantId?: string;
  }
}

/** Roles that may maintain a tenant's catalogue entries. */
export const EDITOR_ROLES: readonly StaffRole[] = ['editor', 'tenant_admin'];

/** The page where staff with several editor tenants choose one. */
export const CHOOSER_PATH = '/verwaltung/leistungen/behoerde';

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
  /** Every tenant the staff member may maintain entries for (more than one: a chooser is offered). */
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

/** The tenants a staff member may maintain catalogue entries for, by name. */
export async function listEditorTenants(db: Db, staffId: string): Promise<EditorTenant[]> {
  const byId = new Map<string, EditorTenant>();
  for (const m of await listMemberships(db, staffId)) {
    if (EDITOR_ROLES.includes(m.role)) byId.set(m.tenant_id, { id: m.tenant_id, name: m.tenant_name });
  }
  return [...byId.values()];
}

/**
 * The logged-in editor's tenants. Returns null after redirecting an anonymous visitor to the login.
 * @throws DomainError NOT_FOUND for staff without an editor-capable membership.
 */
export async function requireEditorTenants(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<{ account: StaffAccount; tenants: EditorTenant[] } | null> {
  const account = requireStaff(req, reply);
  if (!account) return null;
  const tenants = await listEditorTenants(db, account.id);
  if (tenants.length === 0) throw new DomainError('NOT_FOUND');
  return { account, tenants };
}

/**
 * For pages: the editor and the tenant chosen in the session (or the only one). Returns null after
 * redirecting to the login, or to the tenant chooser when there are several and none is chosen.
 * @throws DomainError NOT_FOUND for staff without an editor-capable membership.
 */
export async function requireEditor(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<EditorContext | null> {
  const editor = await requireEditorTenants(db, req, reply);
  if (!editor) return null;
  const chosen = editor.tenants.find((t) => t.id === req.session.catalogEditorTenantId);
  const tenant = chosen ?? (editor.tenants.length === 1 ? editor.tenants[0] : undefined);
  if (!tenant) {
    const back = req.url.split('?')[0] ?? '/verwaltung/leistungen';
    void reply.redirect(`${CHOOSER_PATH}?weiter=${encodeURIComponent(back)}`, 303);
    return null;
  }
  return { ...editor, tenant };
}

/**
 * For writes: the editor and the tenant the form was shown for, which must be one of theirs. That
 * tenant becomes the current one, so that the page after the redirect shows what was changed.
 * Returns null after redirecting an anonymous visitor to the login.
 * @throws DomainError NOT_FOUND when the tenant is missing or not one the staff member may edit.
 */
export async function requireEditorOf(db: Db, req: FastifyRequest, reply: FastifyReply, tenantId: unknown): Promise<EditorContext | null> {
  const editor = await requireEditorTenants(db, req, reply);
  if (!editor) return null;
  const tenant = editor.tenants.find((t) => t.id === tenantId);
  if (!tenant) throw new DomainError('NOT_FOUND');
  if (req.session.catalogEditorTenantId !== tenant.id && editor.tenants.length > 1) req.session.catalogEditorTenantId = tenant.id;
  return { ...editor, tenant };
}

/** A path to return to after choosing a tenant: one of the editor's pages only. */
export function safeEditorPath(next: unknown): string {
  return typeof next === 'string' && /^\/verwaltung\/leistungen(\/[\w-]*)*$/.test(next) ? next : '/verwaltung/leistungen';
}
