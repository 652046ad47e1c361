import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeCacheDir } from '../../../src/cli/codeCache';

const LOADER = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'codeCache.ts');

/**
 * Loads `file` through requireWithCodeCache in a fresh process (caches are written at exit)
 * and prints what it exported and whether V8 took a cache.
 */
function load(file: string, cacheHome: string, extraEnv: Record<string, string> = {}): { exported: unknown; caches: string[] } {
  const script = `
    const { requireWithCodeCache } = require(${JSON.stringify(LOADER)});
    const m = requireWithCodeCache(${JSON.stringify(file)});
    const again = requireWithCodeCache(${JSON.stringify(file)});
    process.stdout.write(JSON.stringify({ value: m.value(), same: m === again, dirname: m.dirname }));
  `;
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...extraEnv } });
  assert.equal(r.status, 0, r.stderr);
  const dir = path.join(cacheHome, 'mlloop', 'code-cache');
  return { exported: JSON.parse(r.stdout), caches: fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [] };
}

describe('the CLI loads its bundles through a code cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-code-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a module loads as require loads it; the cache written at exit is used next time', () => {
    const file = path.join(dir, 'bundle.js');
    fs.writeFileSync(file, 'exports.value = () => 41 + 1; exports.dirname = __dirname; exports.req = require("node:path").sep;');
    const first = load(file, path.join(dir, 'home'));
    assert.deepEqual(first.exported, { value: 42, same: true, dirname: dir });
    assert.equal(first.caches.length, 1);
    assert.match(first.caches[0], /^bundle\.[0-9a-f]{32}\.v8$/);
    const written = fs.statSync(path.join(dir, 'home', 'mlloop', 'code-cache', first.caches[0])).mtimeMs;
    const second = load(file, path.join(dir, 'home'));
    assert.deepEqual(second.exported, first.exported);
    // Accepted by V8, so not written again.
    assert.deepEqual(second.caches, first.caches);
    assert.equal(fs.statSync(path.join(dir, 'home', 'mlloop', 'code-cache', first.caches[0])).mtimeMs, written);
  });

  it('a rebuilt bundle of the same length never runs the old cache, and the old cache is removed', () => {
    const file = path.join(dir, 'bundle.js');
    fs.writeFileSync(file, 'exports.value = () => 1111;');
    const before = load(file, path.join(dir, 'home'));
    assert.equal((before.exported as { value: number }).value, 1111);
    fs.writeFileSync(file, 'exports.value = () => 2222;'); // same length: V8's own check would accept the old cache
    const after = load(file, path.join(dir, 'home'));
    assert.equal((after.exported as { value: number }).value, 2222);
    assert.equal(after.caches.length, 1);
    assert.notEqual(after.caches[0], before.caches[0]);
  });

  it('a corrupt cache is rejected by V8 and replaced; MLLOOP_CODE_CACHE=0 writes none', () => {
    const file = path.join(dir, 'bundle.js');
    fs.writeFileSync(file, 'exports.value = () => 7;');
    const first = load(file, path.join(dir, 'home'));
    const cache = path.join(dir, 'home', 'mlloop', 'code-cache', first.caches[0]);
    fs.writeFileSync(cache, Buffer.from('not a V8 code cache at all'));
    assert.equal((load(file, path.join(dir, 'home')).exported as { value: number }).value, 7);
    assert.ok(fs.statSync(cache).size > 100, 'the corrupt cache was replaced');
    const off = load(file, path.join(dir, 'other'), { MLLOOP_CODE_CACHE: '0' });
    assert.equal((off.exported as { value: number }).value, 7);
    assert.deepEqual(off.caches, []);
    assert.equal(codeCacheDir({ MLLOOP_CODE_CACHE: '0' }), null);
  });
});
