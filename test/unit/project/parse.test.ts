import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CALIBRATION, DEFAULT_EVALUATION, DEFAULT_LOGISTIC, DEFAULT_MLP, DEFAULT_MONITORING, DEFAULT_TRAINING, parseProject, projectSchema } from '../../../src/core/project/parse';
import { parseDuration } from '../../../src/core/util/duration';
import { MLLOOP_VERSION } from '../../../src/core/version';

const MINIMAL = `version: 1
task: multiclass
label: species
features:
  - { name: sepal_length, type: numeric }
`;

describe('project file (mlloop.yaml)', () => {
  it('fills every default for a minimal file', () => {
    const r = parseProject(MINIMAL, 'iris');
    assert.ok(r.ok, JSON.stringify(r.problems));
    assert.equal(r.config.name, 'iris');
    assert.deepEqual(r.config.features[0], { name: 'sepal_length', type: 'numeric', transform: 'standardize', impute: 'mean' });
    assert.deepEqual(r.config.model, { type: 'mlp', hidden: [64, 32], dropout: 0.1, activation: 'relu' });
    assert.deepEqual(r.config.training, DEFAULT_TRAINING);
    assert.deepEqual(r.config.data.sources, []);
    assert.deepEqual(r.config.calibration, DEFAULT_CALIBRATION);
    assert.deepEqual(r.config.evaluation, DEFAULT_EVALUATION);
    assert.deepEqual(r.config.monitoring, { retention: { predictions: '7d' } });
  });

  it('reads monitoring.retention as a duration or forever, and refuses another spelling at its line', () => {
    const ok = parseProject(MINIMAL + 'monitoring:\n  retention: { predictions: 36h }\n');
    assert.ok(ok.ok, JSON.stringify(ok.problems));
    assert.equal(ok.config.monitoring.retention.predictions, '36h');
    const forever = parseProject(MINIMAL + 'monitoring:\n  retention:\n    predictions: forever\n');
    assert.ok(forever.ok);
    assert.equal(forever.config.monitoring.retention.predictions, 'forever');
    const bad = parseProject(MINIMAL + 'monitoring:\n  retention:\n    predictions: 7 days\n');
    assert.equal(bad.ok, false);
    assert.equal(bad.problems[0].line, 8);
    assert.equal(bad.problems[0].message, "'monitoring.retention.predictions' must be a duration: a number and a unit (s, m, h, d, w), e.g. 7d or 36h, or forever.");
    const unknown = parseProject(MINIMAL + 'monitoring:\n  retension: {}\n');
    assert.equal(unknown.ok, false);
    assert.match(unknown.problems[0].message, /Unknown key 'retension'/);
  });

  it('accepts every duration the schema accepts, and only those (schema pattern = parseDuration)', () => {
    const pattern = new RegExp((projectSchema() as any).properties.monitoring.properties.retention.properties.predictions.pattern);
    for (const text of ['7d', '36h', '90 min', '1.5d', '2w', '45s', '250ms', '7', '7 days', '-1d', '1.d', 'd']) {
      assert.equal(pattern.test(text), parseDuration(text) !== undefined, text);
    }
  });

  it('rejects an importance metric that does not fit the task, at its line', () => {
    const r = parseProject(MINIMAL + 'evaluation:\n  importanceMetric: r2\n');
    assert.equal(r.ok, false);
    assert.equal(r.problems[0].line, 7);
    assert.match(r.problems[0].message, /'r2' is not a multiclass metric/);
  });

  it("keeps the code's defaults equal to the schema's `default` keywords (what editors show)", () => {
    const s = projectSchema() as any;
    const t = s.properties.training.properties;
    for (const key of ['batchSize', 'learningRate', 'epochs', 'validationSplit', 'testSplit', 'classWeight', 'seed'] as const) {
      assert.deepEqual(t[key].default, DEFAULT_TRAINING[key], `training.${key}`);
    }
    for (const [k, v] of Object.entries(DEFAULT_TRAINING.earlyStopping)) assert.deepEqual(t.earlyStopping.properties[k].default, v, `earlyStopping.${k}`);
    const [mlp, logistic] = s.properties.model.oneOf;
    for (const k of ['hidden', 'dropout', 'activation'] as const) if (mlp.properties[k].default !== undefined) assert.deepEqual(mlp.properties[k].default, DEFAULT_MLP[k]);
    assert.equal(logistic.properties.l2.default, DEFAULT_LOGISTIC.l2);
    for (const [k, v] of Object.entries(DEFAULT_CALIBRATION)) assert.deepEqual(s.properties.calibration.properties[k].default, v, `calibration.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_EVALUATION)) assert.deepEqual(s.properties.evaluation.properties[k].default, v, `evaluation.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_MONITORING.retention)) assert.deepEqual(s.properties.monitoring.properties.retention.properties[k].default, v, `monitoring.retention.${k}`);
    const feats = s.properties.features.items.oneOf;
    const byType = Object.fromEntries(feats.map((f: any) => [f.properties.type.const, f.properties]));
    const r = parseProject(`version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: b, type: boolean}\n  - {name: c, type: categorical}\n  - {name: d, type: text}\n`);
    assert.ok(r.ok);
    for (const f of r.config.features) {
      for (const [k, v] of Object.entries(f)) if (k !== 'name' && k !== 'type') assert.deepEqual(byType[f.type][k].default, v, `${f.type}.${k}`);
    }
  });

  it('names the line and column of each schema error', () => {
    const text = `version: 1
task: multiclas
label: species
features:
  - {name: a, type: numeric, transfrm: log1p}
  - name: t
    type: txt
model: {type: mlp, hidden: [16], dropout: 2}
training:
  seed: 7.5
`;
    const r = parseProject(text);
    assert.equal(r.ok, false);
    const at = r.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    assert.deepEqual(at, [
      `2:7 'task' must be one of: "binary", "multiclass", "regression".`,
      `5:30 Unknown key 'transfrm' in 'features.0'.`,
      `6:5 'features.1': unknown type "txt"; expected numeric, boolean, categorical or text.`,
      `8:43 'model.dropout' must be < 1.`,
      `10:9 'training.seed' must be integer.`,
    ]);
  });

  it('reports a missing required key at the root', () => {
    const r = parseProject('version: 1\ntask: binary\nfeatures: [{name: a, type: numeric}]\n');
    assert.equal(r.ok, false);
    assert.match(r.problems[0].message, /missing the required key 'label'/);
    assert.equal(r.problems[0].line, 1);
  });

  it('reports YAML syntax errors with their position', () => {
    const r = parseProject('version: 1\ntask: [binary\nlabel: y\n');
    assert.equal(r.ok, false);
    assert.match(r.problems[0].message, /^YAML syntax/);
    assert.ok(r.problems[0].line >= 2);
  });

  it('rejects an empty file with advice', () => {
    const r = parseProject('');
    assert.equal(r.ok, false);
    assert.match(r.problems[0].message, /mlloop init/);
  });

  it('catches what the schema cannot: duplicate features, the label as a feature, splits that leave nothing to train on', () => {
    const r = parseProject(`version: 1
task: binary
label: y
features:
  - {name: a, type: numeric}
  - {name: a, type: boolean}
  - {name: y, type: numeric}
training: {validationSplit: 0.4, testSplit: 0.45}
`);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message.split(' ').slice(0, 3).join(' ')]),
      [
        [6, "Feature 'a' is"],
        [7, "'y' is the"],
        [8, 'validationSplit + testSplit'],
      ],
    );
  });

  it('keeps MLLOOP_VERSION equal to package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
    assert.equal(MLLOOP_VERSION, pkg.version);
  });
});
