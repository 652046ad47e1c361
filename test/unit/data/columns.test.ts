import { strict as assert } from 'node:assert';
import { fitPipeline, transformRows } from '../../../src/core/data/pipeline';
import { parseBoolean, parseNumber, scalarText } from '../../../src/core/data/values';
import { fitPipelineOn, transformPositions, type FeatureColumns } from '../../../src/core/jobs/dataset';
import type { FeatureSpec } from '../../../src/core/project/types';
import { createRng } from '../../../src/core/util/random';

/**
 * Training fits and transforms from per-feature columns (jobs/dataset.ts), numeric tables on
 * a path of their own that never builds a row object. Both must give exactly what the
 * pipeline gives on the records, which is what a bundle's runtime computes at prediction time.
 */

/** The columns readFeatureColumns keeps for these records (values read as it reads them). */
function columnsOf(records: Array<Record<string, unknown>>, features: FeatureSpec[]): FeatureColumns {
  const columns = features.map((f) => {
    if (f.type === 'numeric') return Float64Array.from(records, (r) => parseNumber(r[f.name]) ?? NaN);
    if (f.type === 'boolean') return Int8Array.from(records, (r) => { const b = parseBoolean(r[f.name]); return b === undefined ? -1 : b ? 1 : 0; });
    return records.map((r) => scalarText(r[f.name]));
  });
  return { n: records.length, features, columns, keys: [] };
}

/** Records with awkward numeric values: missing, numbers as text, non-numbers, large and negative values. */
function records(n: number, seed: number): Array<Record<string, unknown>> {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const r: Record<string, unknown> = { a: rng() * 100 - 50, b: String(Math.round(rng() * 1e6) / 100), c: rng() * 1e12 - 3e11, flag: rng() < 0.5, kind: rng() < 0.3 ? 'x' : 'y' };
    if (i % 7 === 0) delete r.a;
    if (i % 11 === 0) r.b = 'n/a';
    if (i % 13 === 0) r.c = null;
    return r;
  });
}

const numericOnly: FeatureSpec[] = [
  { name: 'a', type: 'numeric', transform: 'standardize', impute: 'mean' },
  { name: 'b', type: 'numeric', transform: 'log1p', impute: 'median' },
  { name: 'c', type: 'numeric', transform: 'minmax', impute: 'mean' },
  { name: 'a', type: 'numeric', transform: 'none', impute: 'median' },
];

function assertSame(features: FeatureSpec[]): void {
  const rows = records(600, 3);
  const cols = columnsOf(rows, features);
  // Training rows: a shuffled subset, as a split gives.
  const positions = Int32Array.from({ length: 400 }, (_, i) => (i * 37) % 600);
  const fromColumns = fitPipelineOn(cols, positions);
  const picked = Array.from(positions, (p) => rows[p]);
  const fromRows = fitPipeline(features, picked);
  assert.deepEqual(fromColumns, fromRows);
  const test = Int32Array.from({ length: 200 }, (_, i) => 599 - i * 3);
  const x = transformPositions(fromColumns, cols, test);
  const expected = transformRows(fromRows, Array.from(test, (p) => rows[p]));
  assert.equal(x.d, expected.d);
  assert.deepEqual(Array.from(x.x), Array.from(expected.x));
}

describe('training from feature columns', () => {
  it('a numeric table: the same fitted pipeline and the same matrix as the records give', () => {
    assertSame(numericOnly);
  });

  it('numeric, boolean and categorical features together: the same as the records give', () => {
    assertSame([...numericOnly, { name: 'flag', type: 'boolean', missing: false }, { name: 'kind', type: 'categorical', maxCategories: 10, minCount: 1 } as FeatureSpec]);
  });

  it('a pipeline listing the features in another order (a fine-tuned model) takes each from its own column', () => {
    const rows = records(300, 5);
    const cols = columnsOf(rows, numericOnly.slice(0, 3));
    const reordered = fitPipeline([numericOnly[2], numericOnly[0]], rows);
    const x = transformPositions(reordered, cols, Int32Array.from({ length: 300 }, (_, i) => i));
    assert.deepEqual(Array.from(x.x), Array.from(transformRows(reordered, rows).x));
  });
});
