/** Shared helpers for integration tests: temp project folders and the built CLI as a child process. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli.js');
export const WORKER = path.join(REPO, 'dist', 'worker.js');

/** Integration tests run the real bundles; `npm test` builds them first. */
export function requireBuild(): void {
  if (!fs.existsSync(CLI) || !fs.existsSync(WORKER)) throw new Error('dist/ is missing: run `npm run build` before the integration tests.');
}

/** A fresh copy of examples/<name> in a temp folder (without any .mlloop state). */
export function copyExample(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlloop-${name}-`));
  fs.cpSync(path.join(REPO, 'examples', name), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.mlloop`) });
  return dir;
}

export function tempDir(prefix = 'mlloop-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when --json was passed. */
  json?: any;
}

/**
 * Runs `mlloop ...args` (the built bundle) in `cwd`. With --json, asserts that stdout is
 * exactly one JSON object (the CLI's contract) and parses it.
 */
export function mlloop(cwd: string, args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', timeout: 280000, env: { ...process.env, MLLOOP_DEBUG: '1' } });
  const res: CliResult = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (args.includes('--json')) {
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== 1) throw new Error(`--json must print exactly one line of JSON on stdout, got ${lines.length}:\n${r.stdout}\nstderr:\n${r.stderr}`);
    res.json = JSON.parse(lines[0]);
  }
  return res;
}

/** Every stored example matching `filter`, in id order (tests only: it holds them all). */
export async function collectExamples(store: import('../../src/core/store/types').Store, filter: import('../../src/core/store/types').ExampleFilter = {}) {
  const out: import('../../src/core/store/types').StoredExample[] = [];
  for await (const batch of store.streamExamples(filter)) out.push(...batch);
  return out;
}

/**
 * Mounts a tmpfs of `size` (e.g. '1m') on `dir`, creating the folder; false when this machine
 * cannot (not root, no mount in a container): the caller skips then. Undo with {@link unmount}.
 */
export function mountTmpfs(dir: string, size: string, options = ''): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options ? `,${options}` : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) process.stderr.write(`      (skipped: cannot mount a tmpfs here: ${(m.stderr ?? '').trim()})\n`);
  return m.status === 0;
}

/** Remounts a tmpfs mounted by {@link mountTmpfs} read-only (true when it worked). */
export function remountReadOnly(dir: string): boolean {
  return spawnSync('mount', ['-o', 'remount,ro', dir]).status === 0;
}

/** Unmounts `dir` (lazily when busy); quiet when it is not mounted. */
export function unmount(dir: string): void {
  if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
}

/** Fills the file system holding `dir` with one file until it is full; returns that file. */
export function fillDisk(dir: string): string {
  const file = path.join(dir, 'fill');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  // Whatever the last chunk left: single bytes until not even one fits.
  const small = fs.openSync(file, 'a');
  try {
    for (;;) fs.writeSync(small, Buffer.alloc(512));
  } catch {
    /* full */
  } finally {
    fs.closeSync(small);
  }
  return file;
}
