import { z } from 'zod';

/** The award to confirm: its tenant's id in the path. */
export const confirmParams = z.object({ tenantId: z.uuid('digitalesAmt.manage.problem.NOT_FOUND') });

/** After a confirmation: which award was confirmed (for the success notice). */
export const manageQuery = z.object({ bestaetigt: z.uuid().optional() });
