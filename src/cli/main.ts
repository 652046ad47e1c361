/**
 * `mlloop`: the headless face of ML Loop. Thin: parses arguments, calls core, prints text
 * or one JSON object (--json). Exit codes: 0 success, 1 failure, 2 bad usage or bad input.
 */
import fs from 'node:fs';
import { isatty } from 'node:tty';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import v8 from 'node:v8';
import { isCancelled, isUserError, UserError } from '../core/util/errors';
import { userFacingError } from '../core/util/fsErrors';
import { didYouMean } from '../core/util/suggest';
import { createOutput, terminalSafe, type Output } from './output';
import { COMMANDS, projectRoot, type CommandContext } from './commands';
import { openProjectContext, type ProjectContext } from '../core/context/projectContext';
import { MLLOOP_VERSION } from '../core/version';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const GLOBAL_OPTIONS = {
  json: { type: 'boolean', default: false },
  project: { type: 'string', short: 'p' },
  backend: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

function usage(): string {
  const lines = [
    `mlloop ${MLLOOP_VERSION} — the continuous-learning loop, headless`,
    '',
    'Usage: mlloop <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Options for every command:',
    '  --project, -p DIR   project folder (default: the nearest folder up from here with mlloop.yaml)',
    '  --json              print exactly one JSON object on stdout (logs go to stderr)',
    '  --backend NAME      auto | tensorflow | wasm | cpu (default auto)',
    '  --quiet, -q         no progress or logs on stderr',
    '  --help, -h          help for a command: mlloop <command> --help',
    '',
    'Exit codes: 0 success, 1 failure, 2 bad usage or bad input.',
  ];
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  const wantsJson = argv.includes('--json');
  const out = createOutput(wantsJson, argv.includes('--quiet') || argv.includes('-q'));
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(MLLOOP_VERSION + '\n');
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    return fail(out, new UserError(`Unknown command '${name}'.${didYouMean(name, Object.keys(COMMANDS))} Commands: ${Object.keys(COMMANDS).join(', ')}. See mlloop --help.`), EXIT_USAGE);
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(1),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: command.positionals !== undefined,
      strict: true,
    }) as { values: Record<string, unknown>; positionals: string[] });
  } catch (e) {
    return fail(out, new UserError(`${(e as Error).message.replace(/\. To specify.*$/s, '')}\n\n${command.usage}`), EXIT_USAGE);
  }
  if (values.help) {
    process.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) {
    return fail(out, new UserError(`--backend must be auto, tensorflow, wasm or cpu (got '${backend}').`), EXIT_USAGE);
  }
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    out.log(signal === 'SIGTERM' ? 'Stopping (SIGTERM)… (a second SIGTERM quits at once)' : 'Cancelling… (press Ctrl-C again to quit at once)');
    controller.abort();
  };
  // SIGTERM (kill, docker stop, a Kubernetes pod ending) cancels as Ctrl-C does: the command
  // stops at its next safe point with the store consistent; a second one quits at once.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let opened: Promise<ProjectContext & { close(): Promise<void> }> | undefined;
  const ctx: CommandContext = {
    out,
    values,
    positionals,
    cwd: process.cwd(),
    projectDir: typeof values.project === 'string' ? path.resolve(values.project) : undefined,
    backend: (backend ?? 'auto') as CommandContext['backend'],
    signal: controller.signal,
    readStdin: readAllStdin,
    // tty.isatty, not process.stdin.isTTY: touching process.stdin puts fd 0 in non-blocking
    // mode, and reading a large piped input then fails with EAGAIN.
    stdinIsTTY: isatty(0),
    project: () =>
      (opened ??= openProjectContext(projectRoot(ctx), {
        purpose: `mlloop ${name}`,
        log: { info: (m) => out.log(m), warn: (m) => out.log(`warning: ${m}`) },
      })),
  };
  try {
    return await command.run(ctx);
  } catch (caught) {
    if (isCancelled(caught)) return fail(out, new UserError('Cancelled.'), EXIT_FAILURE);
    const e = userFacingError(caught);
    if (isUserError(e)) return fail(out, e, EXIT_USAGE);
    return fail(out, e as Error, EXIT_FAILURE);
  } finally {
    out.endProgress();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (opened) await opened.then((p) => p.close()).catch(() => undefined);
  }
}

/**
 * All of stdin as bytes. Reads in a loop and waits out EAGAIN: when fd 0 is a non-blocking
 * pipe (its writer is slower than us, or something opened process.stdin), readFileSync(0)
 * fails part-way through a large input instead of waiting for the rest.
 */
function readAllStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** Prints an error the way the caller asked (JSON object or a line on stderr) and returns the code. */
function fail(out: Output, e: Error, code: number): number {
  out.endProgress();
  const loc = isUserError(e) ? e.location : undefined;
  if (out.json) {
    out.result({ error: { message: e.message, ...(loc ?? {}) } });
  } else {
    process.stderr.write(`mlloop: ${terminalSafe(e.message)}\n`);
  }
  if (!isUserError(e) && e.stack && process.env.MLLOOP_DEBUG) process.stderr.write(e.stack + '\n');
  else if (!isUserError(e) && !isCancelled(e) && (e as Error).message !== 'Cancelled.') {
    process.stderr.write('(an internal error: run again with MLLOOP_DEBUG=1 for details, and report it)\n');
  }
  return code;
}

/**
 * Ends the process with `code` once stdout and stderr have been flushed.
 * Why not let it run out of work: V8 keeps compiling the SQLite WebAssembly module's hot
 * functions in the background (tier-up), and a Node process that ends by emptying its event loop
 * first waits for every such compilation — about 150 ms, a third of `mlloop runs`, measured with
 * strace (the main thread blocked on a futex after its last write). By the time main() resolves
 * the command is over (the store is closed in its finally; long-running commands such as watch
 * resolve only when stopped), so nothing is cut short.
 */
function endProcess(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * V8's budget before it recompiles a hot WebAssembly function with its optimizing compiler,
 * ×100 its default (1.8 M). SQLite's interpreter loop is one huge function: optimizing it,
 * and the other functions a short command touches, cost `mlloop runs` 0.25 s of CPU for a
 * command that is over in 0.1 s (measured: 0.46 → 0.26 s CPU). A long command (an import, a
 * training run) still gets its hot functions optimized, a few seconds later.
 * Set before SQLite's module is loaded (store/sqliteWasm.ts loads it on first use).
 */
const WASM_TIERING_BUDGET = 180_000_000;

if (require.main === module) {
  v8.setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  // `mlloop runs | head -1` closes stdout early: stop quietly, as other command-line tools do,
  // instead of dying with an EPIPE stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
      throw e;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => endProcess(code),
    (e) => {
      process.stderr.write(`mlloop: ${String(e)}\n`);
      endProcess(EXIT_FAILURE);
    },
  );
}
