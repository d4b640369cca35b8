import { createHash } from 'node:crypto';
import pg from 'pg';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient | pg.Pool | pg.Client;
export type Queryable = Pick<pg.Pool, 'query'>;

// bigint columns come back as JS numbers: ids, sizes and UIDs stay far below 2^53
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Every parameterised query becomes a named prepared statement, named by the hash of
 * its text: PostgreSQL parses and plans each statement once per connection instead of
 * on every call (the delivery path runs the same dozen statements thousands of times).
 */
let statementCache = false;
const MAX_PREPARED_PER_CONNECTION = 300;
/** statement text -> its name; the texts are the program's own, so this stays small */
const statementNames = new Map<string, string>();
const statementName = (text: string) => {
  let name = statementNames.get(text);
  if (!name) {
    name = `h${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
};
function enableStatementCache() {
  if (statementCache) return;
  statementCache = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: { hopthuStatements?: Set<string> }, ...args: unknown[]) {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values)) {
      const name = statementName(text);
      // queries built at run time (search) must not fill the server with statements
      const known = (this.hopthuStatements ??= new Set());
      if (known.has(name) || known.size < MAX_PREPARED_PER_CONNECTION) {
        known.add(name);
        return original.call(this, { name, text, values }, ...args.slice(2));
      }
    }
    return original.apply(this, args);
  };
}

export function createPool(url: string, max = 20): Db {
  enableStatementCache();
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // an idle client losing its server must not crash the process; the next query reconnects
  pool.on('error', () => {});
  return pool;
}

/**
 * Runs `fn` in one transaction, committed when it returns and rolled back when it
 * throws. `begin` picks the isolation, e.g. 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'.
 */
export async function transaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await db.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
