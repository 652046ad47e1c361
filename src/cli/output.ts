/**
 * Terminal output for the CLI: with --json exactly one JSON object goes to stdout and
 * everything else (logs, progress) to stderr; without it, readable text on stdout and a
 * progress bar on stderr when it is a terminal.
 */
export { formatDuration } from '../core/util/duration';
export interface Output {
  json: boolean;
  /** Human text to stdout (suppressed with --json). */
  text(line: string): void;
  /** Diagnostics to stderr (always; they never pollute --json stdout). */
  log(line: string): void;
  /** The single JSON result (only with --json). */
  result(obj: unknown): void;
  progress(label: string, done: number, total: number | undefined, suffix?: string): void;
  endProgress(): void;
}

/**
 * Text from data made safe to print on a terminal: control characters (ESC sequences that
 * would recolour, move the cursor or retitle the window, BEL, backspace, C1 controls) and
 * bidirectional-override characters are shown as \u escapes instead of being obeyed. Line
 * breaks and tabs are kept.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createOutput(json: boolean, quiet = false): Output {
  const tty = !!process.stderr.isTTY;
  let barShown = false;
  const clearBar = () => {
    if (barShown) {
      process.stderr.write('\r\x1b[2K');
      barShown = false;
    }
  };
  return {
    json,
    text(line) {
      if (json) return;
      clearBar();
      process.stdout.write(terminalSafe(line) + '\n');
    },
    log(line) {
      if (quiet) return;
      clearBar();
      process.stderr.write(terminalSafe(line) + '\n');
    },
    result(obj) {
      process.stdout.write(JSON.stringify(obj) + '\n');
    },
    progress(label, done, total, suffix = '') {
      if (!tty || quiet) return;
      const width = 24;
      let bar: string;
      if (total && total > 0) {
        const frac = Math.min(1, done / total);
        const filled = Math.round(frac * width);
        bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
      } else bar = `${done}`;
      process.stderr.write(`\r\x1b[2K${terminalSafe(label)} ${bar} ${terminalSafe(suffix)}`.slice(0, (process.stderr.columns || 100) - 1));
      barShown = true;
    },
    endProgress: clearBar,
  };
}

/** Fixed-width table for terminals. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Metric value for humans: 4 significant decimals, NaN shown as n/a. */
export function fmt(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return 'n/a';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4);
}

export function formatMetrics(metrics: Record<string, number>): string {
  return table(['metric', 'value'], Object.entries(metrics).map(([k, v]) => [k, fmt(v)]));
}
