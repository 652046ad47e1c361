// Compiles the VS Code test suite (test/vscode/suite/**) into dist-test/vscode/suite/ with
// esbuild: index.ts and every *.test.ts become one CommonJS bundle each, so index.js can hand
// the test files to mocha one by one (mocha defines describe/it before loading each file).
// 'vscode' is provided by the extension host and 'mocha' is resolved at run time from the
// repository's node_modules (bundling mocha would break its dynamic reporter requires).
//
// Usage: `node scripts/vscode-test/build-suite.mjs`. Adding a test is adding a *.test.ts file.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, suiteOutDir } from './paths.mjs';

const suiteSourceDir = path.join(repoRoot, 'test', 'vscode', 'suite');

/**
 * Entry points of the suite: index.ts plus every *.test.ts under test/vscode/suite (recursive).
 * @returns {string[]} absolute paths, sorted
 */
export function suiteEntryPoints() {
  /** @param {string} dir @returns {string[]} */
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(full);
      return entry.isFile() && entry.name.endsWith('.test.ts') ? [full] : [];
    });
  return [path.join(suiteSourceDir, 'index.ts'), ...walk(suiteSourceDir).sort()];
}

/**
 * Builds the suite into suiteOutDir (emptied first, so a deleted test does not linger).
 * @returns {Promise<string[]>} the entry points built
 */
export async function buildSuite() {
  const entryPoints = suiteEntryPoints();
  fs.rmSync(suiteOutDir, { recursive: true, force: true });
  fs.mkdirSync(suiteOutDir, { recursive: true });
  // The build output is never committed; ignore it from inside, since .gitignore is not ours.
  fs.writeFileSync(path.join(path.dirname(suiteOutDir), '.gitignore'), '*\n');
  await esbuild.build({
    entryPoints,
    outbase: suiteSourceDir,
    outdir: path.join(suiteOutDir, 'suite'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return entryPoints;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const entries = await buildSuite();
  console.log(`[vscode-test build-suite] built ${entries.length} entries into ${path.relative(repoRoot, suiteOutDir)}/suite: ${entries.map((e) => path.relative(suiteSourceDir, e)).join(', ')}`);
}
