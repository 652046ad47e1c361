/** Child processes of the store tests: fixtures run through tsx, their output lines, their exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const REPO = path.join(__dirname, '..', '..', '..');

/** Runs test/integration/fixtures/<script> with `args`; stdout and stderr are piped. */
export function fixtureChild(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', path.join(FIXTURES, script), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Every stdout line of `child`, as they arrive (the array grows). */
export function collectLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return lines;
}

/** Resolves with the first stdout match of `pattern`; rejects when the child exits first (with its stderr). */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = buf.match(pattern);
      if (m) done(undefined, m);
    };
    const onErr = (d: Buffer) => (err += d.toString());
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before printing ${pattern}; stderr: ${err}`));
    function done(e?: Error, m?: RegExpMatchArray) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onErr);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolve(m!);
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onErr);
    child.once('exit', onExit);
  });
}

/** The exit code (null when killed by a signal), once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
}

/** stderr of `child` so far, collected from now on. */
export function collectStderr(child: ChildProcess): { text: string } {
  const out = { text: '' };
  child.stderr!.on('data', (d: Buffer) => (out.text += d.toString()));
  return out;
}
