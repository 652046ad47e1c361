/** Markdown for tooltips (trees, status bar): escaping and label/value lines. */

/** Text with Markdown's special characters escaped, newlines as spaces, so it shows literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+|!~]/g, '\\$&').replace(/\n/g, ' ');
}

/** Label/value lines ("Started: 2025-11-24 13:05"), one per line (Markdown hard breaks). */
export function labelledLines(rows: Array<[string, string]>): string {
  return rows.map(([k, v]) => `${escapeMarkdown(k)}: ${escapeMarkdown(v)}`).join('  \n');
}
