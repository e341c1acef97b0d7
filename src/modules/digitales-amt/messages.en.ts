import type { digitalesAmtMessagesDe } from './messages.de.ts';

/** English UI text of this module: every German key must be here. */
export const digitalesAmtMessagesEn: Record<keyof typeof digitalesAmtMessagesDe, string> = {
};
