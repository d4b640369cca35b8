import { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * Cursor paging: `?cursor=&limit=`; a page answers `next_cursor`, null on the last one.
 * A cursor is the opaque form of the last key of the page before.
 */
export const pageQuery = {
  cursor: z.string().max(1000).optional().describe('next_cursor of the previous page; absent for the first'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('items per page, 1-500'),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  });

export const encodeCursor = (key: string) => Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof value.k === 'string') return value.k;
  } catch {
    // falls through to the refusal
  }
  throw new ApiError(400, 'bad-cursor', 'the cursor is not one this API gave out; start again without ?cursor=', 'query.cursor');
}

/**
 * Makes a page from up to limit+1 rows fetched after the cursor's key: the extra row
 * only says that there is a next page.
 */
export function toPage<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => string, toItem: (row: Row) => Item): { items: Item[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { items: page.map(toItem), next_cursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * A page of a list held in memory (domains, groups, members: short lists): ordered by
 * the key in code-unit order here, whatever collation the database sorted them in, so the
 * cursor comparison and the order agree.
 */
export function pageInMemory<Row, Item>(rows: readonly Row[], keyOf: (row: Row) => string, cursor: string | undefined, limit: number, toItem: (row: Row) => Item) {
  const after = decodeCursor(cursor);
  const sorted = rows.map((row) => ({ row, key: keyOf(row) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = sorted.filter((r) => after === undefined || r.key > after).slice(0, limit + 1);
  return toPage(rest, limit, (r) => r.key, (r) => toItem(r.row));
}
