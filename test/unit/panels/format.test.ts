import assert from 'node:assert/strict';
import { compareMetric, exact, formatDelta, formatDuration, formatMetric, metricDirection, toCsv } from '../../../webview/shared/format';

describe('panel formatting (webview/shared/format)', () => {
  it('formats metrics with 4 decimals, exponents for tiny and huge values, never "-0.0000"', () => {
    assert.equal(formatMetric(0.933333), '0.9333');
    assert.equal(formatMetric(-0.00001), '-1.000e-5');
    assert.equal(formatMetric(-0.00006), '-0.0001');
    assert.equal(formatMetric(-0), '0.0000');
    assert.equal(formatMetric(NaN), 'n/a');
    assert.equal(formatMetric(null), 'n/a');
    assert.equal(formatMetric(2e9), '2.000e+9');
  });

  it('shows exact values for tooltips and CSV', () => {
    assert.equal(exact(0.1 + 0.2), '0.30000000000000004');
    assert.equal(exact(Infinity), 'n/a');
  });

  it('signs deltas with a true minus and marks zero as ±', () => {
    assert.equal(formatDelta(0.0333), '+0.0333');
    assert.equal(formatDelta(-0.012), '\u22120.0120');
    assert.equal(formatDelta(0.000001), '±0.0000');
    assert.equal(formatDelta(-0.00004), '±0.0000');
    assert.equal(formatDelta(NaN), 'n/a');
  });

  it('knows which metrics improve downwards', () => {
    for (const k of ['log_loss', 'brier', 'mse', 'rmse', 'mae', 'val_loss', 'ece']) assert.equal(metricDirection(k), 'lower', k);
    for (const k of ['accuracy', 'roc_auc', 'r2', 'f1_macro', 'val_accuracy']) assert.equal(metricDirection(k), 'higher', k);
  });

  it('judges a change better or worse by the metric direction', () => {
    assert.equal(compareMetric('accuracy', 0.9, 0.8), 1);
    assert.equal(compareMetric('accuracy', 0.7, 0.8), -1);
    assert.equal(compareMetric('log_loss', 0.2, 0.3), 1);
    assert.equal(compareMetric('mae', 0.4, 0.3), -1);
    assert.equal(compareMetric('mae', 0.3, 0.3), 0);
    assert.equal(compareMetric('accuracy', NaN, 0.3), 0);
  });

  it('writes RFC 4180 CSV: quotes fields with commas, quotes or line breaks; empty for missing values', () => {
    const csv = toCsv(['a', 'b,c'], [
      ['x "y"', 1.5],
      [null, NaN],
      ['line\nbreak', true],
    ]);
    assert.equal(csv, 'a,"b,c"\n"x ""y""",1.5\n,\n"line\nbreak",true\n');
  });

  it('formats durations', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(12345), '12.3 s');
    assert.equal(formatDuration(185000), '3 min 05 s');
    assert.equal(formatDuration(null), '—');
  });
});
