/**
 * Chooses and initialises the TensorFlow.js backend for training in Node (the CLI and the
 * training worker). Node only: it reads the file system to find the .wasm binaries. The
 * browser runtime sets up its own backend and never imports this file.
 *
 * Order for 'auto':
 * 1. 'tensorflow' — @tensorflow/tfjs-node (native libtensorflow), when it can be required. It is
 *    an optional dependency that cannot install on machines without internet access to its
 *    binary, so it is loaded with a guarded `require` of the literal package name, which
 *    esbuild keeps external.
 * 2. 'wasm' — @tensorflow/tfjs-backend-wasm, single-threaded SIMD build (see below).
 * 3. 'cpu' — the plain JavaScript kernels; always available, about 10–20× slower than wasm.
 *
 * Threads: tfjs-backend-wasm 4.22 never picks its multi-threaded binary in Node (its
 * WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false there), and forcing the flag makes
 * initialisation fail because the pthread workers are created from a `blob:` URL that Node's
 * worker_threads refuse (ERR_WORKER_PATH). So Node always runs the SIMD single-thread build,
 * which is also the right choice for our model sizes: training small MLPs is bound by
 * per-kernel overhead, not by arithmetic, and one thread gives bit-identical results run to
 * run. The training worker is itself the thread that keeps the UI free.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { UserError } from '../util/errors';

/** Which backend a caller asks for; 'auto' tries tensorflow, then wasm, then cpu. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const WASM_BINARY = 'tfjs-backend-wasm.wasm';

let wasmPathsSet = false;
/** The initialisation in progress or done, with the preference it was started for. */
let initialised: { preference: BackendPreference; done: Promise<string> } | null = null;

/**
 * Initialises a backend once and returns its name ('tensorflow', 'wasm' or 'cpu').
 *
 * Idempotent: later calls with 'auto' or with the same preference return the backend already
 * in use without touching it; a later call with a different explicit preference switches to
 * that backend. Concurrent calls share one initialisation.
 *
 * @param preference 'auto' (default) or one backend. An explicit preference that cannot be
 *   met throws a UserError that says why, rather than silently training elsewhere.
 * @param log receives one line naming the backend in use, and a line for each backend that
 *   'auto' skipped and why.
 */
export async function initBackend(
  preference: BackendPreference = 'auto',
  log: (msg: string) => void = () => undefined,
): Promise<string> {
  if (initialised && (preference === 'auto' || preference === initialised.preference)) {
    return initialised.done;
  }
  const current = initialised;
  const attempt = (async () => {
    // Let an earlier initialisation settle first so two never race on tf.setBackend.
    if (current) await current.done.catch(() => undefined);
    const name = await chooseBackend(preference, log);
    log(`TensorFlow.js backend: ${await describeBackend(name)}`);
    return name;
  })();
  initialised = { preference, done: attempt };
  attempt.catch(() => {
    // A failed attempt must not poison later calls (e.g. 'tensorflow' failed, then 'auto').
    if (initialised?.done === attempt) initialised = current;
  });
  return attempt;
}

/**
 * The name of the backend tfjs is using now ('tensorflow', 'wasm', 'cpu', …). Before
 * {@link initBackend} has run this is whatever tfjs picked by itself (usually 'cpu' in Node).
 */
export function backendInUse(): string {
  return tf.getBackend();
}

async function chooseBackend(preference: BackendPreference, log: (msg: string) => void): Promise<string> {
  const order: Array<'tensorflow' | 'wasm' | 'cpu'> =
    preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  const reasons: string[] = [];
  for (const candidate of order) {
    const failure = await trySetBackend(candidate);
    if (failure === null) return candidate;
    reasons.push(preference === 'auto' ? `${candidate}: ${failure}` : failure);
    if (preference === 'auto' && candidate !== 'cpu') log(`TensorFlow.js backend ${candidate} not used (${failure})`);
  }
  if (preference === 'auto') {
    throw new Error(`No TensorFlow.js backend could be initialised: ${reasons.join('; ')}`);
  }
  const hint =
    preference === 'tensorflow'
      ? ' Install @tensorflow/tfjs-node where its native binary can be downloaded, or choose the backend "auto" or "wasm".'
      : ' Choose the backend "auto" to fall back to another one.';
  throw new UserError(`The TensorFlow.js backend "${preference}" is not available: ${reasons[0]}.${hint}`);
}

/** Makes `name` the active backend; returns null on success or a short reason for failure. */
async function trySetBackend(name: 'tensorflow' | 'wasm' | 'cpu'): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      const problem = loadTfjsNode();
      if (problem) return problem;
    }
    if (name === 'wasm' && !wasmPathsSet) {
      setWasmPaths(wasmFolder());
      wasmPathsSet = true;
    }
    // setBackend logs its own failure through console.warn and resolves false.
    const ok = await tf.setBackend(name);
    if (!ok) return 'initialisation failed';
    await tf.ready();
    return null;
  } catch (e) {
    // First line only: module-not-found errors append a long require stack.
    return (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
}

/**
 * Loads @tensorflow/tfjs-node if it is installed. It registers the 'tensorflow' backend into
 * the tfjs-core it resolves; when that is a different copy from ours (e.g. ours is bundled by
 * esbuild while tfjs-node comes from node_modules) the backend is not visible to us, which is
 * reported instead of half-working.
 */
function loadTfjsNode(): string | null {
  if (tf.findBackendFactory('tensorflow')) return null;
  try {
    // The literal name keeps esbuild from bundling it (it is marked external there).
    require('@tensorflow/tfjs-node');
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'MODULE_NOT_FOUND' ? '@tensorflow/tfjs-node is not installed' : `@tensorflow/tfjs-node failed to load: ${(e as Error).message}`;
  }
  return tf.findBackendFactory('tensorflow')
    ? null
    : '@tensorflow/tfjs-node loaded but registered with a different copy of @tensorflow/tfjs-core';
}

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator (tfjs joins it
 * to the file name by plain concatenation). Next to this code first: esbuild copies the
 * binaries beside the bundles in dist/. Otherwise the package's own dist folder.
 */
function wasmFolder(): string {
  const here = path.join(__dirname);
  if (fs.existsSync(path.join(here, WASM_BINARY))) return here + path.sep;
  return path.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_BINARY}`)) + path.sep;
}

async function describeBackend(name: string): Promise<string> {
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `wasm (WebAssembly${simd ? ' SIMD' : ', no SIMD'}, single thread)`;
  }
  if (name === 'tensorflow') return 'tensorflow (native, @tensorflow/tfjs-node)';
  if (name === 'cpu') return 'cpu (plain JavaScript, slow)';
  return name;
}
