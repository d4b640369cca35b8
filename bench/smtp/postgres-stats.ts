/** Two exact PostgreSQL counters, read before and after the run: WAL written and transaction ids used (write transactions). */
import pg from 'pg';

export interface PostgresCounters {
  walBytes: number;
  writeTransactions: number;
  minus(before: PostgresCounters): PostgresCounters;
}

const counters = (walBytes: number, writeTransactions: number): PostgresCounters => ({
  walBytes,
  writeTransactions,
  minus: (b) => counters(walBytes - b.walBytes, writeTransactions - b.writeTransactions),
});

export async function postgresCounters(databaseUrl: string): Promise<PostgresCounters> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // the next transaction id, read without taking one
    const { rows } = await client.query<{ wal: string; xid: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS wal, pg_snapshot_xmax(pg_current_snapshot())::text AS xid`,
    );
    return counters(Number(rows[0]!.wal), Number(rows[0]!.xid));
  } finally {
    await client.end();
  }
}
