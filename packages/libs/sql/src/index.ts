/**
 * The `sql` package: the `SqlPool` model, its sources and the query
 * treatments, all in the package's root area `sql`. It has no `.mel` areas.
 */
import type { PackageDescriptor } from '@tutti/core';
import { sqlElements } from './sql.js';

/** The bundled `sql` package, version 0.10.2. */
export const sql: PackageDescriptor = {
  name: 'sql',
  version: '0.10.2',
  doc: 'SQL databases (PostgreSQL, MySQL/MariaDB, SQLite): connection pool, statements and queries.',
  dependencies: { std: '0.10.2' },
  elements: [...sqlElements],
};
