/**
 * node-sqlite3-wasm, loaded on first use. Requiring it compiles SQLite's WebAssembly module
 * (1.3 MB) at once, which a command that never opens the embedded store (`--version`, `init`,
 * a PostgreSQL store) should not pay for, and which must come after the CLI has set V8's
 * WebAssembly tiering budget (see cli/main.ts).
 */
import type * as NodeSqlite3Wasm from 'node-sqlite3-wasm';

let loaded: typeof NodeSqlite3Wasm | undefined;

/** The node-sqlite3-wasm module (loaded and compiled on the first call). */
export function sqliteWasm(): typeof NodeSqlite3Wasm {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('node-sqlite3-wasm') as typeof NodeSqlite3Wasm;
  return loaded;
}
