/**
 * Input of the responsibility pages. Messages are i18n keys (`validateForm` translates them). The
 * forms check formats only; whether the service, the area and the authority exist, and whether the
 * area is in the staff member's reach, is decided by the use case against the database.
 */
import { z } from 'zod';
import type { AreaKind } from '../../platform/db/schema.ts';
import { foldGerman } from '../../platform/text/fold.ts';
import { isHttpsUrl } from '../../platform/validation/https-url.ts';

/** The kinds of area an override applies to, from the most to the least specific. */
export const AREA_KINDS = ['municipality', 'association', 'district', 'region'] as const satisfies readonly AreaKind[];

/** The format of an area code by kind: AGS, association key (first 9 digits of the ARS), district key, Regierungsbezirk name. */
const AREA_CODE_FORMAT: Record<AreaKind, RegExp> = {
  municipality: /^\d{8}$/,
  association: /^\d{9}$/,
  district: /^\d{5}$/,
  region: /^\p{L}[\p{L} .-]{1,59}$/u,
};

/** True when `code` has the format of an area code of `kind`. */
export function isAreaCode(kind: AreaKind, code: string): boolean {
  return AREA_CODE_FORMAT[kind].test(code);
}

/**
 * The key of a new state authority: `state:` and its name folded to a slug (40 characters at most),
 * the same key the authority finder derives from a default rule's authority name.
 */
export function stateAuthorityKey(name: string): string {
  return `state:${foldGerman(name).replace(/ /g, '-').slice(0, 40)}`;
}

/** An optional free text: trimmed, empty becomes null. */
function optionalText(max: number, tooLong: string) {
  return z.string().trim().max(max, tooLong).optional().default('').transform((v) => (v === '' ? null : v));
}


const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Contact data of a new state authority (all but the name optional). */
export interface NewAuthorityInput {
  name: string;
  street: string | null;
  postcode: string | null;
  city: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  openingHours: string | null;
}

/** The responsible authority of an override: an existing one by key, or a new state authority. */
export type AuthorityChoice = { kind: 'existing'; key: string } | ({ kind: 'new' } & NewAuthorityInput);

function authorityChoiceOf(v: { authorityChoice: 'existing' | 'new'; authorityKey: string; authorityName: string } & Omit<NewAuthorityInput, 'name'>): AuthorityChoice {
  if (v.authorityChoice === 'existing') return { kind: 'existing', key: v.authorityKey };
  return {
    kind: 'new', name: v.authorityName, street: v.street, postcode: v.postcode, city: v.city, phone: v.phone,
    email: v.email, website: v.website, openingHours: v.openingHours,
  };
}

/** Add an override: the service, the area and the responsible authority. */
export const overrideForm = z.object({
  leikaKey: z.string({ error: 'responsibilityAdmin.leikaKey.required' }).trim()
    .min(1, 'responsibilityAdmin.leikaKey.required').regex(/^\d{14}$/, 'responsibilityAdmin.leikaKey.format'),
  areaKind: z.enum(AREA_KINDS, { error: 'responsibilityAdmin.areaKind.required' }),
  areaCode: z.string({ error: 'responsibilityAdmin.areaCode.required' }).trim()
    .min(1, 'responsibilityAdmin.areaCode.required').max(60, 'responsibilityAdmin.areaCode.format'),
  authorityChoice: z.enum(['existing', 'new'], { error: 'responsibilityAdmin.authorityChoice.required' }),
  authorityKey: z.string().trim().max(200).optional().default(''),
  authorityName: z.string().trim().max(200, 'responsibilityAdmin.authorityName.tooLong').optional().default(''),
  street: optionalText(200, 'responsibilityAdmin.street.tooLong'),
  postcode: z.string().trim().optional().default('').refine((v) => v === '' || /^\d{5}$/.test(v), 'responsibilityAdmin.postcode.format')
    .transform((v) => (v === '' ? null : v)),
  city: optionalText(100, 'responsibilityAdmin.city.tooLong'),
  phone: z.string().trim().max(50, 'responsibilityAdmin.phone.format').optional().default('')
    .refine((v) => v === '' || /^[0-9+() /–-]{3,}$/.test(v), 'responsibilityAdmin.phone.format').transform((v) => (v === '' ? null : v)),
  email: z.string().trim().max(200, 'responsibilityAdmin.email.format').optional().default('')
    .refine((v) => v === '' || EMAIL.test(v), 'responsibilityAdmin.email.format').transform((v) => (v === '' ? null : v)),
  website: z.string().trim().max(500, 'responsibilityAdmin.website.format').optional().default('')
    .refine((v) => v === '' || isHttpsUrl(v), 'responsibilityAdmin.website.format').transform((v) => (v === '' ? null : new URL(v).href)),
  openingHours: optionalText(500, 'responsibilityAdmin.openingHours.tooLong'),
}).superRefine((v, ctx) => {
  // Cross-field rules; they run even when another field failed, so that every error shows at once.
  if (typeof v.areaKind === 'string' && AREA_KINDS.includes(v.areaKind) && typeof v.areaCode === 'string' && v.areaCode
    && v.areaCode.length <= 60 && !isAreaCode(v.areaKind, v.areaCode)) {
    ctx.addIssue({ code: 'custom', path: ['areaCode'], message: `responsibilityAdmin.areaCode.format.${v.areaKind}` });
  }
  if (v.authorityChoice === 'existing' && !v.authorityKey) {
    ctx.addIssue({ code: 'custom', path: ['authorityKey'], message: 'responsibilityAdmin.authorityKey.required' });
  }
  if (v.authorityChoice === 'new' && typeof v.authorityName === 'string') {
    if (!v.authorityName) ctx.addIssue({ code: 'custom', path: ['authorityName'], message: 'responsibilityAdmin.authorityName.required' });
    else if (v.authorityName.length <= 200 && stateAuthorityKey(v.authorityName) === 'state:') {
      ctx.addIssue({ code: 'custom', path: ['authorityName'], message: 'responsibilityAdmin.authorityName.format' });
    }
  }
}).transform((v) => ({
  leikaKey: v.leikaKey,
  area: { kind: v.areaKind, code: v.areaCode },
  authority: authorityChoiceOf(v),
}));
/** A validated override: formats checked, references not yet. */
export type OverrideInput = z.infer<typeof overrideForm>;

/** The order of the form's fields, for the error summary. */
export const OVERRIDE_FIELDS = [
  'leikaKey', 'areaKind', 'areaCode', 'authorityChoice', 'authorityKey', 'authorityName', 'street', 'postcode', 'city', 'phone', 'email', 'website', 'openingHours',
] as const;
/** A field of the override form. */
export type OverrideField = (typeof OVERRIDE_FIELDS)[number];

/** One override, named by its primary key (in the confirmation page's query and the delete form). */
export const overrideRef = z.object({
  leistung: z.string().regex(/^\d{14}$/),
  art: z.enum(AREA_KINDS),
  gebiet: z.string().trim().min(1).max(60),
}).refine((v) => isAreaCode(v.art, v.gebiet)).transform((v) => ({ leikaKey: v.leistung, areaKind: v.art, areaCode: v.gebiet }));
/** The primary key of an override: service, area kind and area code. */
export type OverrideRef = z.infer<typeof overrideRef>;

/** The "who is responsible" check: a service and a municipality. */
export const checkForm = z.object({
  leistung: z.string({ error: 'responsibilityAdmin.leikaKey.required' }).trim()
    .min(1, 'responsibilityAdmin.leikaKey.required').regex(/^\d{14}$/, 'responsibilityAdmin.leikaKey.format'),
  gemeinde: z.string({ error: 'responsibilityAdmin.check.ags.required' }).trim()
    .min(1, 'responsibilityAdmin.check.ags.required').regex(/^\d{8}$/, 'responsibilityAdmin.areaCode.format.municipality'),
});
