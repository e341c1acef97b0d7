export { responsibilityAdminRoutes } from './responsibility-admin.routes.ts';
