/**
 * Shared pieces of the API's answers: database rows -> the documented JSON shapes, and the guards
 * that turn a well-formed but unknown parameter value into a 400 naming that parameter.
 */
import type { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { DomainError, invalidParamsOf } from '../../platform/http/errors.ts';
import type { ResponsibleAuthority } from '../catalog/index.ts';
import { findMunicipality, type Municipality } from '../municipalities/index.ts';
import type { AuthorityBody, OnlineProcedureBody } from './api.schemas.ts';

/**
 * Parses query or path parameters. Empty values count as not sent (forms send empty fields).
 * @throws DomainError BAD_REQUEST naming every refused parameter.
 */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>)) if (value !== '') values[key] = value;
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', undefined, { invalidParams: invalidParamsOf(parsed.error) });
  return parsed.data;
}

/** The municipality of a well-formed AGS. @throws DomainError BAD_REQUEST naming `name` when there is none. */
export async function requireMunicipality(db: Db, ags: string, name = 'ags'): Promise<Municipality> {
  const municipality = await findMunicipality(db, ags);
  if (!municipality) throw new DomainError('BAD_REQUEST', undefined, { invalidParams: [{ name, reason: 'api.param.ags.unknown' }] });
  return municipality;
}

/**
 * An online procedure row (see `listOnlineProceduresFor`) as the API shows it. A procedure on this
 * portal that can be applied for has the portal's start page as its address (for the municipality).
 */
export function presentProcedure(p: {
  id: string; name: string; kind: 'internal' | 'external'; url: string | null; maturity_model: '1' | '2'; maturity_level: number; tenant_name: string;
  applicable: boolean | number;
}, ags: string | undefined): OnlineProcedureBody {
  const url = p.kind === 'external' ? p.url : p.applicable ? `/antraege/neu/${p.id}${ags ? `?ags=${ags}` : ''}` : null;
  return { name: p.name, kind: p.kind, url, maturityModel: p.maturity_model, maturityLevel: p.maturity_level, authority: p.tenant_name };
}

/** The responsible authority as the API shows it (the tenant id stays internal). */
export function presentAuthority(a: ResponsibleAuthority): AuthorityBody {
  return { key: a.key, name: a.name, level: a.level, basis: a.basis, note: a.note, contact: a.contact, connected: a.tenantId !== null };
}

/** The portal page of a service, for the municipality when one is given. */
export function servicePageUrl(leikaKey: string, ags: string | undefined): string {
  return `/leistungen/${leikaKey}${ags ? `?ags=${ags}` : ''}`;
}
