import { z } from 'zod';

export const leikaKey = z.string().regex(/^\d{14}$/);
export const ags = z.string().regex(/^09\d{6}$/);

/** Query of the service search page and API. Invalid values are reported by parameter name. */
export const serviceSearchQuery = z.object({
  q: z.string().trim().max(200).default(''),
  ags: ags.optional(),
  themenfeld: z.string().max(80).optional(),
  lage: z.string().max(80).optional(),
  online: z.enum(['1', 'true', '0', 'false']).optional().transform((v) => v === '1' || v === 'true'),
  seite: z.coerce.number().int().min(1).max(500).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
