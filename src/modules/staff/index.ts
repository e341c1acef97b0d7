export { isStaffRoute, registerStaffIdentity, staffRoutes, STAFF_PATH_PREFIXES } from './staff.routes.ts';
export { staffAccountRoutes } from './staff-account.routes.ts';
export { staffAdminRoutes } from './staff-admin.routes.ts';
export { activeMemberships, requirePlatformOperator, requireStaff, requireStaffTenant } from './staff.policy.ts';
export type { StaffContext, StaffTenant } from './staff.policy.ts';
export { checkNewPassword, hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
export { currentTotpCode } from './second-factor.ts';
export { addMembership, enrolTotpSecret, listActiveMembers, listMemberships, upsertStaffAccount } from './staff.repository.ts';
export type { StaffAccount, StaffRecipient } from './staff.repository.ts';
