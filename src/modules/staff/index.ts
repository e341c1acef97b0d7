export { registerStaffIdentity, staffRoutes } from './staff.routes.ts';
export { requirePlatformOperator, requireStaff } from './staff.policy.ts';
export { hashPassword } from './passwords.ts';
export { addMembership, listMemberships, upsertStaffAccount } from './staff.repository.ts';
export type { StaffAccount } from './staff.repository.ts';
