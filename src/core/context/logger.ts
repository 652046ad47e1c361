/**
 * Where jobs say what they are doing. The CLI prints to stderr, the worker forwards to the
 * extension's output channel, tests collect lines. Plain text, one line per call.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** A logger that drops everything (the default when a caller does not care). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}
