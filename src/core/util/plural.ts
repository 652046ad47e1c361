/**
 * A count with its noun in the right number: "1 example", "2 examples", "1 unreadable row".
 * Pure (no Node), so webview code may use it too.
 * @param many the plural when it is not noun + "s" (e.g. 'classes').
 */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
