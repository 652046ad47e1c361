/**
 * Checks over a whole import (or a whole training set) rather than one row: a label column
 * that no row has (said once, with the columns there are, instead of one "missing label"
 * line per row), a configured feature that no row has (a typo in mlloop.yaml, which would
 * otherwise train as a constant), and a file with no rows at all.
 *
 * Node only (looks at a file's size to tell an empty file from a header-only one).
 */
import fs from 'node:fs';
import type { DataFormat, ProjectConfig } from '../project/types';
import { UserError } from '../util/errors';
import { closestName } from '../util/suggest';
import { detectFormat, type ReadItem } from './readers';
import { fieldValue, hasField, isMissing } from './values';

/** At most this many distinct column names are remembered per import (for messages). */
export const maxColumnsRemembered = 1000;

function listNames(names: string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/**
 * What separates the fields of a CSV header that was read as too few columns, when it is
 * not a comma: ';', a tab or '|' appearing in the column names. Undefined when none does.
 */
export function guessCsvDelimiter(columns: string[]): string | undefined {
  const text = columns.join(',');
  let best: string | undefined;
  let bestCount = 0;
  for (const candidate of [';', '\t', '|']) {
    const count = text.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function describeDelimiter(d: string): string {
  return d === '\t' ? 'a tab' : `'${d}'`;
}

/**
 * The message for a label column that is not in a file, naming the columns there are, the
 * closest one when it looks like a typo, and the delimiter when the header was not split.
 * @param labelFrom where the label's name came from, for the message.
 */
export function missingLabelColumnMessage(file: string, label: string, columns: string[], format: DataFormat, labelFrom = 'the label in mlloop.yaml'): string {
  const what = format === 'csv' ? 'column' : 'key';
  let message = `'${file}' has no ${what} '${label}' (${labelFrom})`;
  if (columns.length === 0) return `${message}; its rows have no ${what}s at all.`;
  message += `; its ${what}s are ${listNames(columns)}.`;
  const close = closestName(label, columns);
  if (close !== undefined) message += ` Did you mean '${close}'?`;
  const delimiter = format === 'csv' && columns.length <= 2 ? guessCsvDelimiter(columns) : undefined;
  if (delimiter !== undefined) {
    message += ` The header looks separated by ${describeDelimiter(delimiter)}, not by commas: ML Loop reads comma-separated files, so save the file with commas as the separator.`;
  }
  return message;
}

/**
 * Watches the rows of an import as they are read. Use one per import:
 * `for await (const item of checks.watch(name, format, readRecords(…)))`, then
 * {@link warnings} and {@link emptyFiles} for the report.
 */
export class ImportChecks {
  private readonly featureSeen: boolean[];
  private readonly columns = new Set<string>();
  private readonly files: string[] = [];
  private readonly empty: string[] = [];

  constructor(private readonly config: Pick<ProjectConfig, 'label' | 'features'>) {
    this.featureSeen = config.features.map(() => false);
  }

  /**
   * Passes `items` on unchanged while checking them.
   * @param name the file as the user knows it (relative to the project), for messages.
   * @param path where the file is (to tell an empty file from a header-only one).
   * @param format as given to readRecords; default from the extension.
   * @throws UserError when no row has the label: for CSV at the first row (every row has the
   *   header's columns), for JSON and JSONL after the last row.
   */
  async *watch(name: string, path: string, givenFormat: DataFormat | undefined, items: AsyncIterable<ReadItem>): AsyncGenerator<ReadItem> {
    const format = givenFormat ?? detectFormat(path);
    const label = this.config.label;
    const features = this.config.features;
    let records = 0;
    let rows = 0;
    let labelSeen = false;
    this.files.push(name);
    for await (const item of items) {
      rows++;
      if (item.kind === 'record') {
        const record = item.record;
        records++;
        if (!labelSeen && hasField(record, label)) labelSeen = true;
        if (!labelSeen && format === 'csv') {
          throw new UserError(missingLabelColumnMessage(name, label, Object.keys(record), format), { file: name, line: 1 });
        }
        for (let f = 0; f < features.length; f++) {
          if (!this.featureSeen[f] && !isMissing(fieldValue(record, features[f].name))) this.featureSeen[f] = true;
        }
        if (this.columns.size < maxColumnsRemembered) for (const key of Object.keys(record)) this.columns.add(key);
      }
      yield item;
    }
    if (records > 0 && !labelSeen) throw new UserError(missingLabelColumnMessage(name, label, [...this.columns], format), { file: name });
    if (rows === 0) {
      let size = -1;
      try {
        size = fs.statSync(path).size;
      } catch {
        // gone since it was read: say nothing about its size
      }
      this.empty.push(size === 0 ? `'${name}' is empty: nothing was imported from it.` : `'${name}' has no rows${format === 'csv' ? ' (only a header, or blank lines)' : ''}: nothing was imported from it.`);
    }
  }

  /** Files that held no rows at all. */
  get emptyFiles(): number {
    return this.empty.length;
  }

  /** Sentences for the user: empty files, then features that no row of the import has a value for. */
  warnings(): string[] {
    const out = [...this.empty];
    const columns = [...this.columns].filter((c) => c !== this.config.label);
    if (this.columns.size > 0) out.push(...absentFeatureSentences(this.config.features, this.featureSeen, columns, `imported from ${listNames(this.files, 3)}`));
    return out;
  }
}

export function absentFeatureSentences(features: ReadonlyArray<{ name: string }>, seen: boolean[], columns: string[], where: string): string[] {
  const out: string[] = [];
  features.forEach((f, i) => {
    if (seen[i]) return;
    const close = closestName(f.name, columns.filter((c) => !features.some((g) => g.name === c)));
    out.push(
      `No row ${where} has a value for feature '${f.name}': it would train as a constant.` +
        (close !== undefined ? ` Did you mean '${close}'? Fix the name in mlloop.yaml.` : ` Check its name in mlloop.yaml (the columns are ${listNames(columns)}).`),
    );
  });
  return out;
}

/**
 * Warnings for features that no training row has a value for (all missing, or the name is
 * not a column): such a feature is imputed for every row and trains as a constant, so it is
 * almost always a typo in mlloop.yaml. One sentence per feature; [] when every feature
 * appears somewhere.
 */
export function absentFeatureWarnings(features: ReadonlyArray<{ name: string }>, rows: ReadonlyArray<Record<string, unknown>>, label?: string): string[] {
  const seen = features.map((f) => rows.some((r) => !isMissing(fieldValue(r, f.name))));
  if (seen.every(Boolean)) return [];
  const columns = new Set<string>();
  for (const r of rows) {
    if (columns.size >= maxColumnsRemembered) break;
    for (const key of Object.keys(r)) if (key !== label) columns.add(key);
  }
  return absentFeatureSentences(features, seen, [...columns], 'of the training set');
}
