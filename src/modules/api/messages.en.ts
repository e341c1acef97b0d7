import type { apiMessagesDe } from './messages.de.ts';

/** English UI text of this module: every German key must be here. */
export const apiMessagesEn: Record<keyof typeof apiMessagesDe, string> = {
};
