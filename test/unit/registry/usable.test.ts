import { strict as assert } from 'node:assert';
import { fitPipeline, transformRows } from '../../../src/core/data/pipeline';
import type { Prediction } from '../../../src/core/registry/predict';
import { predictionsFromScores } from '../../../src/core/registry/predict';
import { assertUsableModel, unusablePrediction } from '../../../src/core/registry/usable';
import { UserError } from '../../../src/core/util/errors';

const pipeline = fitPipeline([{ name: 'x', type: 'numeric', transform: 'standardize', impute: 'mean' }], [{ x: 1 }, { x: 3 }]);
const rows = transformRows(pipeline, [{ x: 1 }, { x: 2 }, { x: 3 }]);
const classification = { task: 'binary' as const, classes: ['a', 'b'] };

describe('assertUsableModel: a model that cannot predict is never saved (issue 12, item 5)', () => {
  it('passes a model whose outputs are numbers', () => {
    assert.doesNotThrow(() => assertUsableModel(pipeline, classification, (x, n) => new Float32Array(n).fill(0.5), [{ name: 'test', ...rows }]));
  });

  it('refuses a model with a NaN output, naming the count and the first row', () => {
    assert.throws(
      () => assertUsableModel(pipeline, classification, (x, n) => Float32Array.from({ length: n }, (_, i) => (i === 0 ? 0.5 : NaN)), [{ name: 'test', ...rows, where: (i) => `data/x.csv:${i + 2}` }]),
      (e: unknown) => e instanceof UserError && e.message.startsWith('The trained model does not give a number for 2 of 3 test rows (the first is data/x.csv:3), so it is not saved.'),
    );
  });

  it('refuses a pipeline whose statistics are not finite (the loader would refuse pipeline.json)', () => {
    const broken = JSON.parse(JSON.stringify(pipeline));
    broken.features[0].scale = Infinity;
    assert.throws(() => assertUsableModel(broken, classification, (x, n) => new Float32Array(n), []), /feature pipeline is not usable \(feature 'x' has invalid statistics\)/);
    assert.throws(() => assertUsableModel(pipeline, { task: 'regression', classes: [], target: { center: NaN, scale: 1 } }, (x, n) => new Float32Array(n), []), /regression labels are too large to scale/);
  });
});

describe('unusablePrediction: predict never prints NaN% (issue 12, item 5)', () => {
  it('flags a prediction with a NaN probability or a non-finite value, and passes finite ones', () => {
    const [nan] = predictionsFromScores('binary', ['a', 'b'], [NaN], 1);
    assert.match(unusablePrediction(nan) ?? '', /not a number/);
    assert.match(unusablePrediction({ value: Infinity }) ?? '', /not a number/);
    assert.equal(unusablePrediction({ value: 3 } as Prediction), undefined);
    assert.equal(unusablePrediction(predictionsFromScores('binary', ['a', 'b'], [0.25], 1)[0]), undefined);
  });
});

describe("class names that are Object.prototype's (issue 12, item 4)", () => {
  it("keeps a class named '__proto__' (or 'constructor') in the probabilities and in their JSON", () => {
    const [p] = predictionsFromScores('multiclass', ['__proto__', 'constructor', 'toString'], [0.7, 0.2, 0.1], 1) as Array<{ probabilities: Record<string, number> }>;
    assert.deepEqual(Object.keys(p.probabilities), ['__proto__', 'constructor', 'toString']);
    assert.equal(JSON.stringify(p.probabilities), '{"__proto__":0.7,"constructor":0.2,"toString":0.1}');
    const [b] = predictionsFromScores('binary', ['__proto__', 'b'], [0.25], 1) as Array<{ probabilities: Record<string, number> }>;
    assert.deepEqual(Object.keys(b.probabilities), ['__proto__', 'b']);
  });
});
