// TEMPORARY on branch issue7 until the PostgreSQL driver (branch issue7-postgres) is merged.
import { UserError } from '../util/errors';
import type { SqlStore } from './sql/sqlStore';
export async function openPostgresStore(_url: string, _opts: unknown): Promise<SqlStore> {
  throw new UserError('PostgreSQL store: not merged yet on this branch.');
}
