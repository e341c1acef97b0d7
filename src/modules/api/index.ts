export { apiRoutes } from './api.routes.ts';
