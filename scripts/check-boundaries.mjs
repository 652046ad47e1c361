#!/usr/bin/env node
// The layer rules of DESIGN.md, checked on every `npm test` (GitLens lints its packages/ the
// same way): an import that crosses a boundary fails the build with the file, line and rule.
//   src/core, src/runtime and webview never import 'vscode';
//   src/core never imports src/cli, src/extension, src/worker, src/server or webview;
//   src/runtime never imports src/cli, src/extension, src/worker or src/server;
//   webview never imports src/core's heavy dependencies (tfjs, the store engines, Node built-ins).
// Reads import/require/export-from specifiers with a regular expression over the source (no
// type information needed): string literals only, which is what every import here uses.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// --root DIR checks another tree (the unit test of this script uses it).
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? path.resolve(process.argv[rootArg + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const HEAVY = [/^@tensorflow\//, /^node-sqlite3-wasm$/, /^pg$/, /^node:/, /^(fs|path|os|child_process|worker_threads|crypto)$/];

const RULES = [
  { from: 'src/core', forbid: [{ test: (s) => s === 'vscode', why: "core never imports 'vscode'" }, { dir: ['src/cli', 'src/extension', 'src/worker', 'src/server', 'webview'], why: 'core never imports the layers above it' }] },
  { from: 'src/runtime', forbid: [{ test: (s) => s === 'vscode', why: "the app runtime never imports 'vscode'" }, { dir: ['src/cli', 'src/extension', 'src/worker', 'src/server'], why: 'the app runtime never imports the CLI, the extension, the workers or the server' }] },
  {
    from: 'webview',
    forbid: [
      { test: (s) => s === 'vscode', why: "webview pages never import 'vscode' (they talk to the host through postMessage)" },
      { test: (s) => HEAVY.some((re) => re.test(s)), why: "webview pages never import core's heavy dependencies (tfjs, the store engines, Node built-ins)" },
      // Types may come from anywhere in core (they are erased); code only from pure modules.
      { dir: ['src/core/store', 'src/core/engine', 'src/core/jobs', 'src/core/context', 'src/worker', 'src/extension', 'src/cli'], runtimeOnly: true, why: 'webview pages only import code from pure modules (types from anywhere)' },
    ],
  },
];

const specifierPattern = /(?:^|[^\w.])(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|(?:^|[^\w.])(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield p;
  }
}

const problems = [];
let checked = 0;
for (const rule of RULES) {
  for (const file of sourceFiles(path.join(root, rule.from))) {
    checked++;
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (/^\s*(\/\/|\*)/.test(line)) continue; // comments
      for (const m of line.matchAll(specifierPattern)) {
        const typeOnly = m[1] !== undefined;
        const spec = m[2] ?? m[3];
        const resolved = spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/') : undefined;
        for (const f of rule.forbid) {
          if (f.runtimeOnly && typeOnly) continue;
          const hit = f.test ? f.test(spec) : resolved !== undefined && f.dir.some((d) => resolved === d || resolved.startsWith(`${d}/`));
          if (hit) problems.push(`${path.relative(root, file)}:${i + 1}: imports '${spec}': ${f.why}`);
        }
      }
    }
  }
}
if (problems.length) {
  console.error(`Import boundaries broken (${problems.length}):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`import boundaries: ${checked} files checked, no boundary crossed`);
