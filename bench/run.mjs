#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after another, printing their figures.
// Benchmarks never pass or fail on time. Run one alone with `npx tsx bench/<name>.bench.ts`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, f)], { stdio: 'inherit', cwd: path.join(here, '..') });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
