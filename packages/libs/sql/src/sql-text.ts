/**
 * SQL text preparation: `$n` renumbering for the
 * `postgres` scheme and the statements of the batch treatments.
 */

/**
 * Replaces each occurrence of `symbol` in `text` by `$first`, `$first+1`, … and returns the
 * text and the next number. Occurrences are found by plain text search, as in the
 * reference: a symbol inside a string literal is renumbered too.
 */
export function renumber(text: string, symbol: string, first = 1): { text: string; next: number } {
  if (symbol === '') return { text, next: first };
  const parts = text.split(symbol);
  let out = parts[0] as string;
  let n = first;
  for (let i = 1; i < parts.length; i++) out += `$${n++}${parts[i]}`;
  return { text: out, next: n };
}

/** The statement run by `execute`/`executeEach`/`fetch`. */
export function singleStatement(sql: string, symbol: string, doRenumber: boolean): string {
  return doRenumber ? renumber(sql, symbol).text : sql;
}

/**
 * `base` + `batch` repeated `rows` times joined by `separator`; with renumbering, only the
 * repeated part is renumbered, numbered across the whole batch.
 */
export function batchStatement(base: string, batch: string, separator: string, rows: number, symbol: string, doRenumber: boolean): string {
  const parts = new Array<string>(rows);
  if (!doRenumber) {
    parts.fill(batch);
    return base + parts.join(separator);
  }
  let next = 1;
  for (let r = 0; r < rows; r++) {
    const t = renumber(batch, symbol, next);
    parts[r] = t.text;
    next = t.next;
  }
  return base + parts.join(separator);
}

/** The hard limit on bound values per statement (PostgreSQL's and MySQL's). */
export const MAX_BINDS = 65535;

/**
 * Rows per batch: `min(bind_limit, 65535) / len(bindings)`; throws when it is zero.
 * `driverMax` lowers the 65535 for a driver that binds fewer values per statement: SQLite
 * takes at most 32766, so with the default `bind_limit` the reference's SQLite batches
 * fail ("too many SQL variables") as soon as they are full; here they are made to fit
 * (deliberate fix, documented in packages/libs/sql/README.md).
 */
export function rowsPerBatch(bindLimit: number | bigint, bindings: number, driverMax = MAX_BINDS): number {
  if (bindings === 0) throw new Error('bindings must not be empty');
  const limit = Math.min(Number(bindLimit), MAX_BINDS, driverMax);
  const rows = Math.floor(limit / bindings);
  if (rows < 1) throw new Error(`bind_limit (${bindLimit}) is smaller than the number of bindings (${bindings})`);
  return rows;
}
