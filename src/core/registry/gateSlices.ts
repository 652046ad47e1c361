/**
 * Which held-out rows belong to each of the gate's named slices (mlloop.yaml `gate.slices`),
 * for gate.ts GateInput.slices. Values are read as the feature pipeline reads them
 * (data/values.ts), so `equals: 3` matches the CSV text "3", `equals: true` matches "yes", and
 * `equals: phone` matches " phone ". A missing value is in no slice.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import type { GateSlice } from '../project/types';
import { parseBoolean, parseNumber, scalarText } from '../data/values';

/** Whether a raw value meets one `equals` / `in` entry: compared as a number, boolean or text as the entry is. */
function matchesValue(value: unknown, wanted: string | number | boolean): boolean {
  if (typeof wanted === 'number') return parseNumber(value) === wanted;
  if (typeof wanted === 'boolean') return parseBoolean(value) === wanted;
  return scalarText(value) === wanted.trim();
}

/** Whether a row (a record's raw value for the slice's feature) is in the slice. */
export function inSlice(slice: GateSlice, value: unknown): boolean {
  if (slice.equals !== undefined) return matchesValue(value, slice.equals);
  if (slice.in !== undefined) return slice.in.some((wanted) => matchesValue(value, wanted));
  if (slice.min === undefined && slice.max === undefined) return false;
  const x = parseNumber(value);
  if (x === undefined) return false;
  return (slice.min === undefined || x >= slice.min) && (slice.max === undefined || x < slice.max);
}

/**
 * The rows of `records` in each slice, in slice order.
 * @param slices the resolved `gate.slices`.
 * @param records the held-out examples as stored (label and raw feature values), in the order of the gate's rows.
 * @returns per slice its name and the ascending row indices (possibly none).
 */
export function sliceRows(slices: readonly GateSlice[], records: ReadonlyArray<Record<string, unknown>>): Array<{ name: string; rows: Int32Array }> {
  return slices.map((slice) => {
    const rows: number[] = [];
    for (let i = 0; i < records.length; i++) if (inSlice(slice, records[i][slice.feature])) rows.push(i);
    return { name: slice.name, rows: Int32Array.from(rows) };
  });
}
