import { strict as assert } from 'node:assert';
import { predictionInputProblem, validateRecord } from '../../../src/core/data/validate';
import type { FeatureSpec, ProjectConfig } from '../../../src/core/project/types';

const features: FeatureSpec[] = [
  { name: 'age', type: 'numeric', transform: 'standardize', impute: 'mean' },
  { name: 'member', type: 'boolean', missing: false },
  { name: 'color', type: 'categorical', maxCategories: 50, minCount: 1 },
  { name: 'note', type: 'text', dimensions: 16, ngrams: [1, 1], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 },
];
const classification: Pick<ProjectConfig, 'task' | 'label' | 'weight' | 'features'> = { task: 'multiclass', label: 'species', features };
const regression: Pick<ProjectConfig, 'task' | 'label' | 'weight' | 'features'> = { task: 'regression', label: 'price', features };
const weighted: Pick<ProjectConfig, 'task' | 'label' | 'weight' | 'features'> = { task: 'binary', label: 'y', weight: 'w', features };

describe('validateRecord', () => {
  it('accepts a complete record and returns the class label as a string', () => {
    assert.deepEqual(validateRecord({ species: 'setosa', age: '31', member: 'yes', color: 'red', note: 'hi' }, classification), {
      ok: true,
      label: 'setosa',
    });
  });

  it('accepts missing feature values (the pipeline imputes them)', () => {
    assert.deepEqual(validateRecord({ species: 'a', age: '', member: null }, classification), { ok: true, label: 'a' });
  });

  it('normalises JSON labels to strings for classification: true → "true", 1 → "1", trimmed text', () => {
    assert.deepEqual(validateRecord({ species: true }, classification), { ok: true, label: 'true' });
    assert.deepEqual(validateRecord({ species: 1 }, classification), { ok: true, label: '1' });
    assert.deepEqual(validateRecord({ species: ' setosa ' }, classification), { ok: true, label: 'setosa' });
  });

  it('rejects a missing or empty label naming the label column', () => {
    assert.deepEqual(validateRecord({ age: 3 }, classification), { ok: false, reason: "missing label 'species'" });
    assert.deepEqual(validateRecord({ species: '  ' }, classification), { ok: false, reason: "missing label 'species'" });
    assert.deepEqual(validateRecord({ species: null }, classification), { ok: false, reason: "missing label 'species'" });
  });

  it('requires a numeric regression label and returns it as a number', () => {
    assert.deepEqual(validateRecord({ price: '12.5' }, regression), { ok: true, label: 12.5 });
    const bad = validateRecord({ price: 'cheap' }, regression);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.reason : '', /label 'price': 'cheap' is not a number/);
  });

  it('rejects a numeric feature that is present but not a finite number', () => {
    assert.deepEqual(validateRecord({ species: 'a', age: 'abc' }, classification), { ok: false, reason: "feature 'age': 'abc' is not a number" });
    assert.equal(validateRecord({ species: 'a', age: 'Infinity' }, classification).ok, false);
    assert.equal(validateRecord({ species: 'a', age: '0x10' }, classification).ok, false);
    assert.equal(validateRecord({ species: 'a', age: 1e3 }, classification).ok, true);
  });

  it('rejects an unparseable boolean feature, listing the accepted spellings', () => {
    const bad = validateRecord({ species: 'a', member: 'maybe' }, classification);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.reason : '', /feature 'member': 'maybe' is not a boolean \(use true\/false, yes\/no/);
    assert.equal(validateRecord({ species: 'a', member: 'T' }, classification).ok, true);
  });

  it('rejects nested values in categorical and text features', () => {
    assert.equal(validateRecord({ species: 'a', color: { r: 1 } }, classification).ok, false);
    assert.equal(validateRecord({ species: 'a', note: ['x'] }, classification).ok, false);
  });

  it('returns a valid weight, ignores a missing one, and rejects negative or non-numeric weights', () => {
    assert.deepEqual(validateRecord({ y: 'p', w: '2.5' }, weighted), { ok: true, label: 'p', weight: 2.5 });
    assert.deepEqual(validateRecord({ y: 'p' }, weighted), { ok: true, label: 'p' });
    assert.equal(validateRecord({ y: 'p', w: -1 }, weighted).ok, false);
    const bad = validateRecord({ y: 'p', w: 'heavy' }, weighted);
    assert.match(!bad.ok ? bad.reason : '', /weight 'w': 'heavy' is not a number/);
  });
});

describe('values a model cannot compute with (issue 12, item 5)', () => {
  it('refuses numbers beyond the 32-bit float range for numeric features, regression labels and weights', () => {
    assert.deepEqual(validateRecord({ species: 'a', age: 1e308 }, classification), {
      ok: false,
      reason: "feature 'age': 1e+308 is too large: models compute in 32-bit floats, which end at ±3.4e38 (rescale the column, e.g. store it in larger units)",
    });
    assert.match((validateRecord({ price: '-1e300' }, regression) as { reason: string }).reason, /^label 'price': -1e\+300 is too large/);
    assert.match((validateRecord({ y: 'a', w: 1e39 }, weighted) as { reason: string }).reason, /^weight 'w': 1e\+39 is too large/);
    assert.deepEqual(validateRecord({ species: 'a', age: 3e38 }, classification), { ok: true, label: 'a' });
  });
});

describe("records whose keys are Object.prototype's names (issue 12, item 4)", () => {
  it("does not read a missing 'constructor' or 'toString' feature as a function", () => {
    const proto: FeatureSpec[] = [
      { name: 'constructor', type: 'numeric', transform: 'standardize', impute: 'mean' },
      { name: 'toString', type: 'boolean', missing: false },
    ];
    assert.deepEqual(validateRecord({ y: 'a' }, { task: 'binary', label: 'y', features: proto }), { ok: true, label: 'a' });
    assert.deepEqual(validateRecord({ hasOwnProperty: 'x' }, { task: 'binary', label: 'hasOwnProperty', features: proto }), { ok: true, label: 'x' });
    assert.deepEqual(validateRecord({}, { task: 'binary', label: 'constructor', features: [] }), { ok: false, reason: "missing label 'constructor'" });
  });
});

describe('predictionInputProblem: a record with none of the features (issue 12, item 14)', () => {
  it('refuses {} and a record whose keys are all misspelled, naming the features and suggesting the fix', () => {
    assert.equal(predictionInputProblem({}, features), "none of the model's features (age, member, color, note) has a value in this record (it is empty); nothing to predict from.");
    assert.equal(
      predictionInputProblem({ agee: 3, colour: 'red' }, features),
      "none of the model's features (age, member, color, note) has a value in this record (its keys: agee, colour); nothing to predict from. Did you mean 'age' for 'agee'?",
    );
  });

  it('accepts a record with at least one feature, and still reports an unreadable value first', () => {
    assert.equal(predictionInputProblem({ age: 3 }, features), undefined);
    assert.equal(predictionInputProblem({ age: 'old' }, features), "feature 'age': 'old' is not a number");
  });
});
