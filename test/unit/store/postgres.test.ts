import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberPlaceholders, passwordFromEnvironment } from '../../../src/core/store/postgres';
import { redactUrl } from '../../../src/core/store/url';

describe('PostgreSQL placeholders', () => {
  it('numbers ? in order as $1, $2, …', () => {
    assert.equal(numberPlaceholders('SELECT * FROM runs WHERE id = ? AND status = ? LIMIT 3'), 'SELECT * FROM runs WHERE id = $1 AND status = $2 LIMIT 3');
    assert.equal(numberPlaceholders('INSERT INTO t (a, b) VALUES (?, ?), (?, ?)'), 'INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)');
    assert.equal(numberPlaceholders('SELECT 1'), 'SELECT 1');
  });

  it('leaves ? inside string literals, quoted identifiers, dollar quotes and comments alone', () => {
    assert.equal(numberPlaceholders("SELECT '?', ? WHERE a = 'it''s ?' AND b = ?"), "SELECT '?', $1 WHERE a = 'it''s ?' AND b = $2");
    assert.equal(numberPlaceholders('SELECT "odd?name", ? FROM "t""?"'), 'SELECT "odd?name", $1 FROM "t""?"');
    assert.equal(numberPlaceholders("SELECT E'\\'?', ?"), "SELECT E'\\'?', $1");
    assert.equal(numberPlaceholders('SELECT $$ ? $$, $tag$ ? $tag$, ?'), 'SELECT $$ ? $$, $tag$ ? $tag$, $1');
    assert.equal(numberPlaceholders('SELECT ? -- why?\n, ? /* what? */ , ?'), 'SELECT $1 -- why?\n, $2 /* what? */ , $3');
  });

  it('does not take a backslash in a standard string for an escape', () => {
    // 'a\' is a complete literal in standard SQL strings: the ? after it is a placeholder.
    assert.equal(numberPlaceholders("SELECT 'a\\', ?"), "SELECT 'a\\', $1");
  });

  it('keeps the shared statements intact apart from their placeholders', () => {
    const sql = "INSERT INTO examples (hash) SELECT h FROM json_to_recordset(?::json) AS x(h text) ON CONFLICT (hash) DO NOTHING";
    assert.equal(numberPlaceholders(sql), sql.replace('?', '$1'));
    assert.equal(numberPlaceholders("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'"), "UPDATE runs SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'");
  });
});

describe('PostgreSQL password from the environment', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-pgpass-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function pgpass(text: string, mode = 0o600): string {
    const file = path.join(dir, 'pgpass');
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
    return file;
  }

  it('prefers PGPASSWORD', () => {
    assert.equal(passwordFromEnvironment('postgres://ml@db:5432/x', { PGPASSWORD: 'env-pw', PGPASSFILE: pgpass('*:*:*:*:file-pw\n') }), 'env-pw');
  });

  it('takes the first matching line of the password file, with * wildcards and the default port', () => {
    const file = pgpass(['# team database', 'other:5432:x:ml:wrong', 'db:5432:x:ml:right', '*:*:*:*:fallback', ''].join('\n'));
    assert.equal(passwordFromEnvironment('postgres://ml@db/x', { PGPASSFILE: file }), 'right');
    assert.equal(passwordFromEnvironment('postgres://ml@db:6543/x', { PGPASSFILE: file }), 'fallback');
  });

  it('reads \\: and \\\\ escapes in fields', () => {
    const file = pgpass('db:5432:x:ml:pa\\:ss\\\\word\n');
    assert.equal(passwordFromEnvironment('postgres://ml@db/x', { PGPASSFILE: file }), 'pa:ss\\word');
  });

  it('matches the database by the user name when the URL names none', () => {
    const file = pgpass('db:5432:ml:ml:same-as-user\n');
    assert.equal(passwordFromEnvironment('postgres://ml@db', { PGPASSFILE: file }), 'same-as-user');
  });

  it('ignores a password file that others can read, and a missing one', () => {
    assert.equal(passwordFromEnvironment('postgres://ml@db/x', { PGPASSFILE: pgpass('*:*:*:*:open\n', 0o644) }), undefined);
    assert.equal(passwordFromEnvironment('postgres://ml@db/x', { PGPASSFILE: path.join(dir, 'none') }), undefined);
  });
});

describe('store URLs in messages', () => {
  it('hides the password, wherever the URL carries it', () => {
    assert.equal(redactUrl('postgres://ml:s3cret@db.internal:5432/ml'), 'postgres://ml:***@db.internal:5432/ml');
    assert.equal(redactUrl('postgres://:s3cret@db/ml'), 'postgres://:***@db/ml');
    assert.equal(redactUrl('postgres://ml:s3@cret@db/ml'), 'postgres://ml:***@db/ml');
    assert.equal(redactUrl('postgres://ml@db/ml?sslmode=require&password=s3cret&x=1'), 'postgres://ml@db/ml?sslmode=require&password=***&x=1');
    assert.equal(redactUrl('postgres://ml@db/ml'), 'postgres://ml@db/ml');
  });
});
