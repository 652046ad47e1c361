import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendInUse, initBackend } from '../../../src/core/engine/backend';
import { UserError } from '../../../src/core/util/errors';

describe('engine/backend', () => {
  after(async () => {
    await initBackend('wasm');
  });

  it("picks wasm for 'auto' in a fresh process without @tensorflow/tfjs-node, and says why", function () {
    this.timeout(60000);
    let hasTfjsNode = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      hasTfjsNode = false;
    }
    if (hasTfjsNode) this.skip();
    const script = [
      "const { initBackend } = require('./src/core/engine/backend');",
      "initBackend('auto', (m) => console.log(m)).then((name) => console.log('RESULT ' + name));",
    ].join('\n');
    const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' });
    assert.match(output, /backend tensorflow not used \(@tensorflow\/tfjs-node is not installed\)/);
    assert.match(output, /TensorFlow.js backend: wasm/);
    assert.match(output, /RESULT wasm/);
  });

  it("returns the backend already in use for 'auto' without initialising again", async () => {
    await initBackend('wasm');
    const lines: string[] = [];
    assert.equal(await initBackend('auto', (m) => lines.push(m)), 'wasm');
    assert.equal(backendInUse(), 'wasm');
    assert.deepEqual(lines, []);
  });

  it('runs ops on the wasm backend it reports', async () => {
    await initBackend('wasm');
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
    assert.deepEqual(Array.from(sum), [4, 6]);
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('switches to an explicitly requested backend and logs the one in use', async () => {
    const lines: string[] = [];
    assert.equal(await initBackend('cpu', (m) => lines.push(m)), 'cpu');
    assert.equal(backendInUse(), 'cpu');
    assert.match(lines.join('\n'), /backend: cpu/);
    assert.equal(await initBackend('wasm'), 'wasm');
  });

  it("refuses an explicit 'tensorflow' that cannot load with a UserError saying what to do", async function () {
    try {
      require.resolve('@tensorflow/tfjs-node');
      this.skip();
    } catch {
      // not installed: the case under test
    }
    await assert.rejects(initBackend('tensorflow'), (e: unknown) => e instanceof UserError && /tfjs-node/.test(e.message) && /"auto"/.test(e.message));
    // the failed attempt leaves the previous backend usable
    assert.equal(await initBackend('auto'), backendInUse());
  });

  it('shares one initialisation between concurrent calls', async () => {
    const [a, b] = await Promise.all([initBackend('cpu'), initBackend('cpu')]);
    assert.equal(a, 'cpu');
    assert.equal(b, 'cpu');
  });
});
