/**
 * The rule of the Bavarian "Digitales Amt" distinction, in one place.
 *
 * - A connected municipality (tenant kind `municipality`; not a district office, state authority or
 *   ministry) qualifies when at least {@link DIGITALES_AMT_THRESHOLD} services have an active online procedure
 *   linked in the portal. Services are counted by LeiKa key: two procedures for one service count once.
 * - The evaluation (`evaluate-digitales-amt.ts`, a job) records the award the first time a
 *   municipality reaches the threshold (`qualified_at`) and keeps `procedure_count` up to date.
 *   It never deletes an award: a municipality that falls below the threshold keeps its row (and a
 *   ministry confirmation), but does not hold the distinction until it reaches the threshold again;
 *   then it holds it again with its original date.
 * - A municipality holds the distinction when an award is recorded and its current count is at or
 *   above the threshold. The public list, the municipality page, the open data (`qualifies`) and the
 *   API all use this one definition and the current (live) count.
 */

/** Services with an online procedure a municipality needs for the distinction. */
export const DIGITALES_AMT_THRESHOLD = 50;
