import { z } from 'zod';

/** The accessibility feedback form. Messages are i18n keys. */
export const feedbackForm = z.object({
  category: z.enum(['barrier', 'content', 'other'], { error: 'feedback.category.required' }),
  message: z.string({ error: 'feedback.message.required' }).trim()
    .min(1, 'feedback.message.required')
    .min(10, 'feedback.message.tooShort')
    .max(5000, 'feedback.message.tooLong'),
  pageUrl: z.string().trim().max(500, 'feedback.pageUrl.tooLong').optional().default(''),
  name: z.string().trim().max(200, 'feedback.name.tooLong').optional().default(''),
  email: z.union([z.literal(''), z.email('feedback.email.invalid').max(254, 'feedback.email.invalid')]).optional().default(''),
});

export type FeedbackInput = z.infer<typeof feedbackForm>;
