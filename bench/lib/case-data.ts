/**
 * Data for the case-processing benchmark, generated on a PostgreSQL server with INSERT … SELECT FROM
 * generate_series into the real tables (migrations 0009–0011): applications and their cases across
 * 100 tenants (every tenth case in tenant 0, the large one), one mailbox thread per fifth case with
 * five messages each (so as many messages as cases), and the citizen accounts and organisations
 * that own them (two threads each, so an applicant's mailbox does not grow with the table).
 * Encrypted columns hold dummy bytes; the rows the benchmark reads through the mailbox module are
 * written by the module itself (see case-processing.ts).
 *
 * Everything is a function of the case index i, so `generateCases(from, to)` can grow a data set:
 * 10,000 first, then on to 1,000,000, with the same shape. Ids are deterministic and ascending
 * (uuid built from the index), which keeps the B-tree inserts cheap.
 */
import type pg from 'pg';

/** The shape of the generated data (the large tenant is tenant 0). */
export const TENANTS = 100;
export const PROCEDURES_PER_TENANT = 8;
export const STAFF_PER_TENANT = 20;
/** Every Nth case has a mailbox thread; each thread has MESSAGES_PER_THREAD messages. */
export const CASES_PER_THREAD = 5;
export const MESSAGES_PER_THREAD = 5;
/** Distinct applicant-name terms (blind-index stand-ins): each case has two. */
export const NAME_TERMS = 5000;

/** `prefix` (one hex digit naming the kind) and a number as a uuid: ascending, distinct per kind. */
export function benchUuid(prefix: string, n: number): string {
  return `${prefix}0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

// The same expression in SQL (n: a bigint expression).
const uuidSql = (prefix: string, n: string) => `('${prefix}0000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

/** The ids of generated rows by number. */
export const ids = {
  tenant: (n: number) => benchUuid('1', n),
  procedure: (tenant: number, k: number) => benchUuid('2', tenant * PROCEDURES_PER_TENANT + k),
  staff: (tenant: number, k: number) => benchUuid('4', tenant * STAFF_PER_TENANT + k),
  case: (i: number) => benchUuid('a', i),
  account: (n: number) => benchUuid('c', n),
  organisation: (n: number) => benchUuid('d', n),
};

/** The reference (application number) of case i. */
export const referenceOf = (i: number): string => `DA-2026-${String(i).padStart(7, '0')}`;

/** The fixed part: tenants, their staff, procedures and forms, one municipality, one service. */
export async function generateBase(client: pg.ClientBase): Promise<void> {
  await client.query(`
    INSERT INTO districts (key, name, kind, regierungsbezirk, search_name) VALUES ('09999', 'Benchkreis', 'landkreis', 'Oberbayern', 'benchkreis');
    INSERT INTO municipalities (ags, ars, official_name, name, kind, district_key, regierungsbezirk, area_km2, population, postcode, longitude, latitude, search_name)
      VALUES ('09999000', '099990000000', 'Bench', 'Bench', 'gemeinde', '09999', 'Oberbayern', 10, 1000, '99999', 11.5, 48.1, 'bench');
    INSERT INTO services (leika_key, name, search_name) VALUES ('99999999999999', 'Benchleistung', 'benchleistung') ON CONFLICT DO NOTHING;
    INSERT INTO tenants (id, slug, name, kind, connected_at)
      SELECT ${uuidSql('1', 'n')}, 'bench-' || n, 'Behörde ' || n, 'state_authority', now() FROM generate_series(0, ${TENANTS - 1}) n;
    INSERT INTO staff_accounts (id, email, display_name, password_hash)
      SELECT ${uuidSql('4', 'n')}, 'staff-' || n || '@bench.invalid', 'Sachbearbeitung ' || n, 'x' FROM generate_series(0, ${TENANTS * STAFF_PER_TENANT - 1}) n;
    INSERT INTO staff_memberships (tenant_id, staff_account_id, role)
      SELECT ${uuidSql('1', `(n / ${STAFF_PER_TENANT})`)}, ${uuidSql('4', 'n')}, 'caseworker' FROM generate_series(0, ${TENANTS * STAFF_PER_TENANT - 1}) n;
    INSERT INTO forms (id, owner_tenant_id, slug, title)
      SELECT ${uuidSql('3', 'n')}, ${uuidSql('1', 'n')}, 'bench-form', 'Formular' FROM generate_series(0, ${TENANTS - 1}) n;
    INSERT INTO form_versions (form_id, version, definition)
      SELECT ${uuidSql('3', 'n')}, 1, '{}' FROM generate_series(0, ${TENANTS - 1}) n;
    INSERT INTO online_procedures (id, tenant_id, leika_key, name, kind, maturity_model, maturity_level)
      SELECT ${uuidSql('2', 'n')}, ${uuidSql('1', `(n / ${PROCEDURES_PER_TENANT})`)}, '99999999999999', 'Verfahren ' || n, 'internal', '2', 5
      FROM generate_series(0, ${TENANTS * PROCEDURES_PER_TENANT - 1}) n;
    INSERT INTO application_procedures (online_procedure_id, tenant_id, form_id, form_version, processing_days)
      SELECT ${uuidSql('2', 'n')}, ${uuidSql('1', `(n / ${PROCEDURES_PER_TENANT})`)}, ${uuidSql('3', `(n / ${PROCEDURES_PER_TENANT})`)}, 1, 90
      FROM generate_series(0, ${TENANTS * PROCEDURES_PER_TENANT - 1}) n;
  `);
}

// Per case i (bigint): pseudo-random but fixed values from multiplicative hashes.
const H = (salt: number) => `((i * ${2654435761 + salt * 40503}) % 1000003)`;
const TENANT_OF = `(CASE WHEN i % 10 = 0 THEN 0 ELSE 1 + i % ${TENANTS - 1} END)`;
const STATUS_OF = `(CASE WHEN h1 % 100 < 15 THEN 'submitted' WHEN h1 % 100 < 40 THEN 'in_progress' WHEN h1 % 100 < 50 THEN 'waiting'
  WHEN h1 % 100 < 60 THEN 'decided' WHEN h1 % 100 < 95 THEN 'closed' WHEN h1 % 100 < 98 THEN 'withdrawn' ELSE 'rejected' END)`;
// Spread over three years before a fixed day, so that "newest first" has the same shape at any size.
const SUBMITTED_OF = `(timestamptz '2026-12-01 00:00:00+00' - make_interval(secs => h2 * 94.6))`;
// The same for the thread and message rows (h2 of case i).
const SUBMITTED_OF_CASE = `(timestamptz '2026-12-01 00:00:00+00' - make_interval(secs => ${H(2)} * 94.6))`;
// Threads: case i = t * CASES_PER_THREAD has thread t; thread t belongs to account t / 2, or (one in ten) to organisation t / 20.
const THREAD_ACCOUNT = (t: string) => uuidSql('c', `(${t} / 2)`);
const THREAD_ORG = (t: string) => `(CASE WHEN ${t} % 10 = 3 THEN ${uuidSql('d', `(${t} / 20)`)} END)`;

// The values of cases from..to, each computed once per row.
const CASE_VALUES_OF = (from: number, to: number) => `
  SELECT i, tn, ${uuidSql('a', 'i')} AS id, 'DA-2026-' || lpad(i::text, 7, '0') AS reference, ${uuidSql('1', 'tn')} AS tenant_id,
    ${uuidSql('2', `(tn * ${PROCEDURES_PER_TENANT} + h3 % ${PROCEDURES_PER_TENANT})`)} AS procedure_id, ${uuidSql('3', 'tn')} AS form_id,
    CASE WHEN i % ${CASES_PER_THREAD} = 0 THEN ${THREAD_ACCOUNT(`(i / ${CASES_PER_THREAD})`)} END AS account_id,
    CASE WHEN i % ${CASES_PER_THREAD} = 0 THEN ${THREAD_ORG(`(i / ${CASES_PER_THREAD})`)} END AS organisation_id,
    ${STATUS_OF} AS status, ${SUBMITTED_OF} AS submitted_at, h4, h5, h6, h7
  FROM (SELECT i, ${TENANT_OF} AS tn, ${H(1)} AS h1, ${H(2)} AS h2, ${H(3)} AS h3, ${H(4)} AS h4, ${H(5)} AS h5, ${H(6)} AS h6, ${H(7)} AS h7
    FROM generate_series(${from}::bigint, ${to}::bigint) i OFFSET 0) g OFFSET 0`;
// (OFFSET 0 keeps PostgreSQL from inlining the subqueries, which would compute each value again per use.)

/** Applications and cases with index from..to (inclusive), plus their threads, messages and owners. */
export async function generateCases(client: pg.ClientBase, from: number, to: number): Promise<void> {
  const t0 = Math.ceil(from / CASES_PER_THREAD);
  const t1 = Math.floor(to / CASES_PER_THREAD);
  const CASE_VALUES = CASE_VALUES_OF(from, to);
  await client.query(`
    INSERT INTO citizen_accounts (id, bpk2_hash, last_trust_level)
      SELECT ${uuidSql('c', 'n')}, 'bench-' || n, 'substantiell' FROM generate_series(${Math.floor(t0 / 2)}, ${Math.floor(t1 / 2)}) n
      ON CONFLICT DO NOTHING;
    INSERT INTO organisations (id, external_id_hash, name_enc)
      SELECT ${uuidSql('d', 'n')}, 'bench-' || n, 'x' FROM generate_series(${Math.floor(t0 / 20)}, ${Math.floor(t1 / 20)}) n
      ON CONFLICT DO NOTHING;
    INSERT INTO applications (id, reference, procedure_id, tenant_id, form_id, form_version, account_id, organisation_id, ags, status, answers_enc, trust_level, submitted_at, created_at, updated_at)
      SELECT id, reference, procedure_id, tenant_id, form_id, 1, account_id, organisation_id, '09999000', status, 'x', 'substantiell', submitted_at, submitted_at, submitted_at
      FROM (${CASE_VALUES}) v;
    INSERT INTO cases (id, tenant_id, procedure_id, reference, status, assignee_id, answered_at, submitted_at, due_at, account_id, organisation_id,
        applicant_name_enc, applicant_terms, closed_at, updated_at)
      SELECT id, tenant_id, procedure_id, reference, status,
        CASE WHEN status <> 'submitted' THEN ${uuidSql('4', `(tn * ${STAFF_PER_TENANT} + h4 % ${STAFF_PER_TENANT})`)} END,
        CASE WHEN status = 'in_progress' AND h5 % 20 = 0 THEN submitted_at + interval '10 days' END,
        submitted_at, submitted_at + interval '90 days', account_id, organisation_id,
        'x', ARRAY['t' || h6 % ${NAME_TERMS}, 't' || h7 % ${NAME_TERMS}],
        CASE WHEN status = 'closed' THEN submitted_at + interval '60 days' END, submitted_at
      FROM (${CASE_VALUES}) v;
    INSERT INTO mailbox_threads (id, tenant_id, case_id, account_id, organisation_id, subject_enc, key_version, last_message_at, created_at)
      SELECT ${uuidSql('e', 't')}, ${uuidSql('1', TENANT_OF)}, ${uuidSql('a', 'i')}, ${THREAD_ACCOUNT('t')}, ${THREAD_ORG('t')}, '\\x00', 1,
        ${SUBMITTED_OF_CASE} + interval '${MESSAGES_PER_THREAD - 1} days', ${SUBMITTED_OF_CASE}
      FROM generate_series(${t0}::bigint, ${t1}::bigint) t, LATERAL (SELECT t * ${CASES_PER_THREAD} AS i) c
      WHERE t >= 1;
    INSERT INTO mailbox_messages (id, tenant_id, thread_id, account_id, organisation_id, direction, kind, sender_staff_id, sender_account_id, trust_level,
        body_enc, key_version, read_at, created_at)
      SELECT ${uuidSql('f', `(t * ${MESSAGES_PER_THREAD} + k)`)}, ${uuidSql('1', TENANT_OF)}, ${uuidSql('e', 't')}, ${THREAD_ACCOUNT('t')}, ${THREAD_ORG('t')},
        CASE WHEN k % 2 = 0 THEN 'to_applicant' ELSE 'to_authority' END, CASE WHEN k % 2 = 0 THEN 'message' ELSE 'reply' END,
        CASE WHEN k % 2 = 0 THEN ${uuidSql('4', `(${TENANT_OF} * ${STAFF_PER_TENANT} + ${H(4)} % ${STAFF_PER_TENANT})`)} END,
        CASE WHEN k % 2 = 1 THEN ${THREAD_ACCOUNT('t')} END, CASE WHEN k % 2 = 1 THEN 'substantiell' END,
        '\\x00', 1,
        -- The newest message of each direction is unread in some threads.
        CASE WHEN (k = ${MESSAGES_PER_THREAD - 1} AND ${H(8)} % 2 = 0) OR (k = ${MESSAGES_PER_THREAD - 2} AND ${H(9)} % 3 = 0) THEN NULL
          ELSE ${SUBMITTED_OF_CASE} + make_interval(days => k::int + 1) END,
        ${SUBMITTED_OF_CASE} + make_interval(days => k::int)
      FROM generate_series(${t0}::bigint, ${t1}::bigint) t, LATERAL (SELECT t * ${CASES_PER_THREAD} AS i) c, generate_series(0, ${MESSAGES_PER_THREAD - 1}) k
      WHERE t >= 1;
  `);
}

/** Where case i lives (for choosing what to query). */
export function tenantOfCase(i: number): number {
  return i % 10 === 0 ? 0 : 1 + (i % (TENANTS - 1));
}

/** The tables the generator fills in bulk. */
export const BULK_TABLES = ['applications', 'cases', 'mailbox_threads', 'mailbox_messages', 'citizen_accounts', 'organisations'];

/** Sessions for loading: no wait for the WAL flush per statement; foreign keys unchecked where the role may. */
async function loadingSession(client: pg.ClientBase): Promise<boolean> {
  await client.query('SET synchronous_commit = off');
  await client.query(`SET maintenance_work_mem = '256MB'`);
  try {
    await client.query('SET session_replication_role = replica');
    return true;
  } catch {
    return false;
  }
}

/**
 * Grows the data set to cases from..to on `workers` connections at once, in chunks. The secondary
 * indexes of the bulk tables are dropped first and created again afterwards from their own
 * definitions (pg_get_indexdef), as one bulk-loads a database: building an index by sorting is many
 * times faster than a million single inserts into eight B-trees. Indexes behind constraints
 * (primary keys, UNIQUE constraints) stay. Foreign-key triggers are skipped during the load where
 * the role may (superuser: session_replication_role); the data is consistent by construction.
 */
export async function bulkGenerateCases(pool: pg.Pool, from: number, to: number, options: { workers: number; chunk: number; log: (line: string) => void }): Promise<void> {
  const clients = await Promise.all(Array.from({ length: options.workers }, () => pool.connect()));
  try {
    const replica = (await Promise.all(clients.map(loadingSession))).every(Boolean);
    if (!replica) options.log('not a superuser: foreign keys are checked during the load (slower)');
    const { rows: indexes } = await clients[0]!.query<{ name: string; def: string }>(`
      SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
      FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, [BULK_TABLES]);
    for (const index of indexes) await clients[0]!.query(`DROP INDEX ${index.name}`);
    let started = performance.now();
    const chunks: [number, number][] = [];
    for (let start = from; start <= to; start += options.chunk) chunks.push([start, Math.min(to, start + options.chunk - 1)]);
    await Promise.all(clients.map(async (client) => {
      for (let next = chunks.shift(); next; next = chunks.shift()) await generateCases(client, next[0], next[1]);
    }));
    options.log(`rows inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    const pending = [...indexes];
    await Promise.all(clients.map(async (client) => {
      for (let next = pending.shift(); next; next = pending.shift()) await client.query(next.def);
    }));
    options.log(`${indexes.length} secondary indexes created again in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    for (const client of clients) client.release(true);
  }
}
