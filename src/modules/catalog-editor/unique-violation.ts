/** True for PostgreSQL's unique_violation (23505), from the pg driver and from PGlite alike. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
