export { catalogEditorRoutes } from './catalog-editor.routes.ts';
