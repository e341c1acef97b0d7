/**
 * The staff roles that work on a tenant's cases: they see the inbox and the case pages, may be
 * assigned a case, and are told by e-mail when an applicant writes.
 */
import type { StaffRole } from '../../platform/db/schema.ts';

export const CASE_ROLES: readonly StaffRole[] = ['caseworker', 'tenant_admin'];
