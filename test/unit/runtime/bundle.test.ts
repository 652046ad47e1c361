/**
 * The app runtime must run where TensorFlow.js and Node are not: checked on what esbuild
 * bundles from its entry points (the same inputs as dist/runtime.js and dist/runtime.browser.mjs).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import * as esbuild from 'esbuild';

const REPO = path.resolve(__dirname, '..', '..', '..');

async function bundledInputs(entry: string, platform: 'node' | 'browser'): Promise<{ inputs: string[]; bytes: number }> {
  const result = await esbuild.build({
    entryPoints: [path.join(REPO, entry)],
    bundle: true,
    platform,
    format: platform === 'node' ? 'cjs' : 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { inputs: Object.keys(result.metafile.inputs), bytes: output.bytes };
}

describe('runtime bundle', () => {
  it('src/runtime (dist/runtime.js) bundles no TensorFlow.js and no store', async () => {
    const { inputs } = await bundledInputs('src/runtime/index.ts', 'node');
    assert.deepEqual(inputs.filter((f) => f.includes('@tensorflow') || f.includes('sql.js') || f.includes('src/core/store')), []);
    assert.ok(inputs.some((f) => f.endsWith('src/core/engine/dense-network.ts')));
  });

  it('src/runtime/portable.ts (dist/runtime.browser.mjs) builds for a browser: no Node built-ins, no tfjs, tens of kilobytes', async () => {
    // esbuild fails a browser build that imports a Node built-in, so a successful build is the check.
    const { inputs, bytes } = await bundledInputs('src/runtime/portable.ts', 'browser');
    assert.deepEqual(inputs.filter((f) => f.includes('node_modules')), []);
    assert.ok(bytes < 100_000, `${bytes} bytes`);
  });
});
