/**
 * Statements per operation (IMAP) or per message (SMTP), from pg_stat_statements, when
 * the bench runs with BENCH_PG_STATEMENTS=1: the server's embedded PostgreSQL then preloads
 * it (config embeddedPostgresSettings). A count that does not depend on what else the
 * machine runs. Without the extension the figures are simply absent.
 */
import pg from 'pg';

/** The server's environment for it: the embedded cluster preloads pg_stat_statements when the bench asks. */
export function statementStatsEnv(): Record<string, string> {
  if (process.env.BENCH_PG_STATEMENTS !== '1') return {};
  return {
    HOPTHU_EMBEDDED_POSTGRES_SETTINGS: JSON.stringify({ shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', 'pg_stat_statements.track_planning': 'on' }),
  };
}

export interface StatementCount {
  calls: number;
  /** time PostgreSQL spent running it, all calls, ms (lock waits included) */
  ms: number;
  /** time PostgreSQL spent planning it, all calls, ms */
  planMs: number;
  query: string;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } catch {
    return undefined;
  } finally {
    await c.end();
  }
}

/** Empties the counters; false when pg_stat_statements is not loaded. */
export async function resetStatements(url: string): Promise<boolean> {
  const ok = await withClient(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await c.query('SELECT pg_stat_statements_reset()');
    return true;
  });
  return ok === true;
}

/** Every statement run since the reset, most called first (BEGIN/COMMIT included: each is a round trip). */
export async function readStatements(url: string): Promise<StatementCount[]> {
  const rows = await withClient(url, async (c) => {
    const { rows } = await c.query<{ calls: string; ms: number; plan_ms: number; query: string }>(
      `SELECT calls, total_exec_time AS ms, total_plan_time AS plan_ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query FROM pg_stat_statements
        WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC`,
    );
    return rows.map((r) => ({ calls: Number(r.calls), ms: Number(r.ms), planMs: Number(r.plan_ms), query: r.query }));
  });
  return rows ?? [];
}
