import { z } from 'zod';

/** A new contact e-mail address. */
export const contactEmailForm = z.object({
  email: z.string({ error: 'identity.contact.email.required' }).trim().min(1, 'identity.contact.email.required')
    .max(254, 'identity.contact.email.invalid').pipe(z.email('identity.contact.email.invalid')),
});

/** A new contact phone number: digits with the usual separators, stored in international form. */
export const contactPhoneForm = z.object({
  phone: z.string({ error: 'identity.contact.phone.required' }).trim().min(1, 'identity.contact.phone.required')
    .regex(/^(\+|00)?[0-9][0-9 ()/-]{5,24}$/, 'identity.contact.phone.invalid')
    .transform((v) => {
      const digits = v.replace(/[^0-9+]/g, '').replace(/^00/, '+');
      // A national number (0…) is taken as German.
      return digits.startsWith('+') ? digits : `+49${digits.replace(/^0/, '')}`;
    })
    .refine((v) => /^\+[1-9][0-9]{6,14}$/.test(v), 'identity.contact.phone.invalid'),
});

/** The code from the text message. */
export const phoneCodeForm = z.object({
  code: z.string({ error: 'identity.contact.code.required' }).trim().regex(/^[0-9]{6}$/, 'identity.contact.code.invalid'),
});

/** The notification preference. */
export const notificationsForm = z.object({
  mailboxEmail: z.enum(['ja', 'nein'], { error: 'identity.notifications.required' }),
});

/** The deletion must be confirmed explicitly. */
export const deleteAccountForm = z.object({
  confirm: z.literal('ja', { error: 'identity.delete.confirm.required' }),
});

/** The token of an e-mail verification link. */
export const emailTokenForm = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
