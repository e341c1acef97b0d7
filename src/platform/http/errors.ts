/**
 * Domain errors: guards throw `DomainError(code)`; this catalog maps each code to an HTTP status,
 * a message key and whether it is reported to the operators' log as an error.
 */
import { isMessageKey, type MessageKey } from '../i18n/i18n.ts';

export const errorCatalog = {
  NOT_FOUND: { status: 404, titleKey: 'error.notFound.title', messageKey: 'error.notFound.text', report: false },
  BAD_REQUEST: { status: 400, titleKey: 'error.badRequest.title', messageKey: 'error.badRequest.text', report: false },
  CSRF_INVALID: { status: 403, titleKey: 'error.csrf.title', messageKey: 'error.csrf.text', report: false },
  FORBIDDEN_NETWORK: { status: 403, titleKey: 'error.forbidden.title', messageKey: 'error.forbidden.text', report: false },
  UNAUTHENTICATED: { status: 401, titleKey: 'error.unauthenticated.title', messageKey: 'error.unauthenticated.text', report: false },
  RATE_LIMITED: { status: 429, titleKey: 'error.rateLimited.title', messageKey: 'error.rateLimited.text', report: false },
  PAYLOAD_TOO_LARGE: { status: 413, titleKey: 'error.payloadTooLarge.title', messageKey: 'error.payloadTooLarge.text', report: false },
  PAYMENT_UNAVAILABLE: { status: 503, titleKey: 'error.paymentUnavailable.title', messageKey: 'error.paymentUnavailable.text', report: false },
  INTERNAL: { status: 500, titleKey: 'error.internal.title', messageKey: 'error.internal.text', report: true },
} as const satisfies Record<string, { status: number; titleKey: MessageKey; messageKey: MessageKey; report: boolean }>;

export type ErrorCode = keyof typeof errorCatalog;

/** A request parameter that was refused, and why (a catalog key, translated when the error is sent). */
export interface InvalidParam {
  name: string;
  reason: MessageKey;
}

/** A business rule or guard failed; rendered as an error page or problem+json, never as a stack trace. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  /** For problem+json: which parameters were refused (RFC 9457 `invalid-params`); not shown on pages. */
  readonly invalidParams: readonly InvalidParam[];
  constructor(code: ErrorCode, message?: string, options: { invalidParams?: readonly InvalidParam[] } = {}) {
    super(message ?? code);
    this.name = 'DomainError';
    this.code = code;
    this.invalidParams = options.invalidParams ?? [];
  }
}

/**
 * The refused parameters of a failed zod parse, one per parameter (its first issue). A schema message
 * that is a catalog key is the reason; anything else gets the generic one.
 */
export function invalidParamsOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): InvalidParam[] {
  const byName = new Map<string, InvalidParam>();
  for (const issue of error.issues) {
    const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '(query)';
    if (!byName.has(name)) byName.set(name, { name, reason: isMessageKey(issue.message) ? issue.message : 'form.invalid' });
  }
  return [...byName.values()];
}

/** Maps a Fastify/HTTP status to the catalog code used to render it. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: return 'BAD_REQUEST';
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'CSRF_INVALID';
    case 404: return 'NOT_FOUND';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 429: return 'RATE_LIMITED';
    default: return status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
  }
}
