// One build script for every bundle: extension host, training worker, CLI, app runtime and
// the webview pages. `--watch` rebuilds on change; `--production` minifies.
//
// The .vsix ships only dist/ (see .vscodeignore), so everything a bundle needs at run time is
// either bundled in or copied here: node-sqlite3-wasm's and tfjs-backend-wasm's .wasm files.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = 'dist';

/**
 * Replaces src/core/project/configValidator.ts with ajv's standalone code for mlloop.yaml's
 * schema, generated here with the same options: the bundles then validate a project file
 * without compiling the schema at every start (~40 ms of each CLI command; see that file).
 * @type {esbuild.Plugin}
 */
const precompiledConfigValidator = {
  name: 'precompiled-config-validator',
  setup(build) {
    let source;
    build.onLoad({ filter: /[\\/]core[\\/]project[\\/]configValidator\.ts$/ }, async (args) => {
      if (source === undefined) {
        const { default: Ajv } = await import('ajv');
        const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
        const schema = JSON.parse(fs.readFileSync('schemas/mlloop.schema.json', 'utf8'));
        const options = JSON.parse(fs.readFileSync('src/core/project/ajv-options.json', 'utf8'));
        const ajv = new Ajv({ ...options, code: { source: true } });
        const validate = ajv.compile(schema);
        // standaloneCode gives a CommonJS module whose module.exports is the validator.
        source =
          `const standalone = (() => { const module = { exports: {} }; const exports = module.exports;\n` +
          `${standaloneCode(ajv, validate)}\nreturn module.exports; })();\n` +
          `export function configValidator() { return standalone.default ?? standalone; }\n`;
      }
      return { contents: source, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/** @type {esbuild.BuildOptions} */
const nodeCommon = {
  plugins: [precompiledConfigValidator],
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // tfjs-node is an optional accelerator loaded with a guarded require at run time; it must
  // stay external so a machine without it can still load the bundle.
  // pg-native is pg's optional native binding (never installed: we use pg's JavaScript client).
  external: ['vscode', '@tensorflow/tfjs-node', 'pg-native'],
};

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir },
  { ...nodeCommon, entryPoints: { worker: 'src/worker/worker.ts' }, outdir },
  { ...nodeCommon, entryPoints: { storeWorker: 'src/worker/storeWorker.ts' }, outdir },
  // Parts of a training run on a thread of their own (src/core/compute/thread.ts), started by
  // the job worker and the CLI's jobs from beside them.
  { ...nodeCommon, entryPoints: { 'compute-worker': 'src/core/compute/worker.ts' }, outdir },
  {
    ...nodeCommon,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir,
    banner: { js: '#!/usr/bin/env node' },
  },
  // The CLI's jobs (tfjs) in a bundle of their own, loaded only by the commands that need them.
  { ...nodeCommon, entryPoints: { 'cli-jobs': 'src/cli/jobs.ts' }, outdir },
  // `mlloop serve` (fastify) in a bundle of its own, loaded only by that command.
  { ...nodeCommon, entryPoints: { 'cli-serve': 'src/cli/serve.ts' }, outdir },
  { ...nodeCommon, entryPoints: { runtime: 'src/runtime/index.ts' }, outdir },
  // The app runtime without loadBundle, for a browser or an edge function: an ES module with
  // no Node built-ins and no TensorFlow.js (bundle files are fetched and passed to bundleFromFiles).
  {
    entryPoints: { 'runtime.browser': 'src/runtime/portable.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  },
];

// Webviews: every webview/<panel>/main.ts becomes dist/webview/<panel>.js (browser, IIFE).
if (fs.existsSync('webview')) {
  const entries = {};
  for (const dir of fs.readdirSync('webview', { withFileTypes: true })) {
    const main = path.join('webview', dir.name, 'main.ts');
    if (dir.isDirectory() && fs.existsSync(main)) entries[dir.name] = main;
  }
  if (Object.keys(entries).length > 0) {
    builds.push({
      entryPoints: entries,
      outdir: path.join(outdir, 'webview'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
      loader: { '.ttf': 'file' },
    });
  }
}

// A production build starts from an empty dist/ so no stale file (e.g. a source map of an
// earlier development build) ends up in the .vsix.
if (production) fs.rmSync(outdir, { recursive: true, force: true });

function copyAssets() {
  fs.mkdirSync(outdir, { recursive: true });
  const assets = [
    // node-sqlite3-wasm loads its .wasm from the folder of the script that bundles it (dist/).
    require.resolve('node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm'),
    ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) =>
      require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${f}`),
    ),
  ];
  for (const file of assets) fs.copyFileSync(file, path.join(outdir, path.basename(file)));
  const codicons = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  fs.mkdirSync(path.join(outdir, 'webview'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join(outdir, 'webview', f));
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync(path.join(outdir, 'cli.js'), 0o755);
}
