export { apiRoutes, publicApiRoutes } from './api.routes.ts';
