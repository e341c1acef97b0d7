export { accessibilityRoutes } from './accessibility.routes.ts';
export { listFeedback } from './accessibility.repository.ts';
