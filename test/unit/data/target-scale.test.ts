import assert from 'node:assert/strict';
import { fitTargetScale, scaleTargets, unscaleTargets, type LabelMap } from '../../../src/core/data/labels';

describe('regression target scaling', () => {
  it('centres on the mean and scales by the population std, and round-trips', () => {
    const y = Float32Array.from([50000, 52000, 54000, 56000]);
    const t = fitTargetScale(y);
    assert.equal(t.center, 53000);
    assert.ok(Math.abs(t.scale - Math.sqrt(5e6)) < 1e-6);
    const map: LabelMap = { task: 'regression', classes: [], target: t };
    const scaled = scaleTargets(map, y);
    assert.ok(Math.abs(scaled.reduce((a, b) => a + b, 0)) < 1e-5);
    const back = unscaleTargets(map, Float32Array.from(scaled));
    back.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-2));
  });

  it('uses scale 1 for a constant or empty target, and leaves maps without a target alone', () => {
    assert.deepEqual(fitTargetScale(Float32Array.from([3, 3, 3])), { center: 3, scale: 1 });
    assert.deepEqual(fitTargetScale(new Float32Array(0)), { center: 0, scale: 1 });
    const y = Float32Array.from([1, 2]);
    const plain: LabelMap = { task: 'regression', classes: [] };
    assert.equal(scaleTargets(plain, y), y);
    assert.deepEqual(Array.from(unscaleTargets(plain, Float32Array.from([1, 2]))), [1, 2]);
  });
});
