import type { catalogEditorMessagesDe } from './messages.de.ts';

/** English UI text of this module: every German key must be here. */
export const catalogEditorMessagesEn: Record<keyof typeof catalogEditorMessagesDe, string> = {
};
