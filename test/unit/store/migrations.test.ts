import assert from 'node:assert/strict';
import { SQLITE_MIGRATIONS } from '../../../src/core/store/migrations';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../../../src/core/store/postgres';

/** The tables each schema version creates, the same on both engines. */
const TABLES_BY_VERSION: Record<number, string[]> = {
  4: ['alerts', 'alert_conditions', 'monitor_snapshots'],
  5: ['shadow_predictions', 'experiments', 'servers'],
};

const created = (sql: string) => [...sql.matchAll(/CREATE TABLE (\w+)/g)].map((m) => m[1]);

describe('store schema versions', () => {
  it('are 5 on both engines: 4 monitoring, 5 serving', () => {
    assert.equal(SQLITE_MIGRATIONS.length, 5);
    assert.equal(POSTGRES_SCHEMA_VERSION, 5);
    assert.deepEqual(
      POSTGRES_MIGRATIONS.map((m) => m.version),
      POSTGRES_MIGRATIONS.map((_, i) => POSTGRES_MIGRATIONS[0].version + i),
      'PostgreSQL versions are consecutive',
    );
    for (const [v, tables] of Object.entries(TABLES_BY_VERSION)) {
      assert.deepEqual(created(SQLITE_MIGRATIONS[Number(v) - 1]), tables, `SQLite migration ${v}`);
      assert.deepEqual(created(POSTGRES_MIGRATIONS.find((m) => m.version === Number(v))!.sql), tables, `PostgreSQL migration ${v}`);
    }
  });
});
