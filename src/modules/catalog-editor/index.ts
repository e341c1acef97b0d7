export { catalogEditorRoutes } from './catalog-editor.routes.ts';
export { actorOf, requireEditor, requireEditorOf } from './catalog-editor.policy.ts';
export type { EditorActor, EditorContext } from './catalog-editor.policy.ts';
export { insertProcedure } from './catalog-editor.repository.ts';
export { onOnlineProceduresChanged } from './online-procedures-changed.ts';
export { isUniqueViolation } from './unique-violation.ts';
