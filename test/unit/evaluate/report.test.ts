import { strict as assert } from 'node:assert';
import { evaluatePredictions } from '../../../src/core/evaluate/report';

describe('evaluation names absent classes by their names (issue 12, item 19)', () => {
  it('says which class is missing from the evaluated rows as the user knows it, not by output index', () => {
    const yTrue = [0, 1, 0, 1];
    const scores = [0.8, 0.1, 0.1, 0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.1];
    const ev = evaluatePredictions('multiclass', yTrue, scores, 3, ['setosa', 'versicolor', 'virginica'], { resamples: 0 });
    assert.equal(ev.omitted.roc_auc, "class 'virginica' is absent from the evaluated rows, so one-vs-rest ROC AUC is undefined");
    const binary = evaluatePredictions('binary', [0, 0], [0.2, 0.4], 2, ['benign', 'malignant'], { resamples: 0 });
    assert.equal(binary.omitted.roc_auc, "only class 'benign' is present in the evaluated rows, so ROC AUC is undefined");
    assert.equal(binary.omitted.average_precision, "no evaluated row is of the positive class 'malignant', so recall and average precision are undefined");
  });
});
