import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_AUTO,
  DEFAULT_CALIBRATION,
  DEFAULT_EVALUATION,
  DEFAULT_GATE,
  DEFAULT_LOGISTIC,
  DEFAULT_MLP,
  DEFAULT_MONITORING,
  DEFAULT_TRAINING,
  defaultGateFloors,
  defaultGateMetric,
  parseProject,
  projectSchema,
  resolveDefaults,
} from '../../../src/core/project/parse';
import { parseDuration } from '../../../src/core/util/schedule';
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
    assert.deepEqual(r.config.gate, { ...DEFAULT_GATE, metric: 'accuracy', floors: { accuracy: 0.75, f1_macro: 0.7, ece: 0.2 } });
    assert.deepEqual(r.config.monitoring, DEFAULT_MONITORING);
    assert.deepEqual(r.config.monitoring.retention, { predictions: '7d', history: '30d' });
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
    assert.equal(bad.problems[0].message, "'monitoring.retention.predictions' must be a duration: a number and a unit (ms, s, m, h, d, w), e.g. 7d or 36h, or forever.");
    const unknown = parseProject(MINIMAL + 'monitoring:\n  retension: {}\n');
    assert.equal(unknown.ok, false);
    assert.match(unknown.problems[0].message, /Unknown key 'retension'/);
  });

  it('accepts every duration the schema accepts, and only those (schema pattern = parseDuration)', () => {
    const pattern = new RegExp((projectSchema() as any).properties.monitoring.properties.retention.properties.predictions.pattern);
    const parses = (text: string) => {
      try {
        parseDuration(text);
        return true;
      } catch {
        return false;
      }
    };
    for (const text of ['7d', '36h', '90m', '1.5d', '2w', '45s', '250ms', '7', '7 days', '90 min', '-1d', '1.d', 'd']) assert.equal(pattern.test(text), parses(text), text);
  });

  it("gives the gate each task's defaults: binary F1 of the positive class, regression MAE and no floors", () => {
    const binary = parseProject('version: 1\ntask: binary\nlabel: y\nfeatures: [{name: a, type: numeric}]\n');
    assert.ok(binary.ok);
    assert.equal(binary.config.gate.metric, 'accuracy');
    assert.deepEqual(binary.config.gate.floors, { accuracy: 0.75, f1: 0.7, ece: 0.2 });
    const regression = parseProject('version: 1\ntask: regression\nlabel: y\nfeatures: [{name: a, type: numeric}]\n');
    assert.ok(regression.ok);
    assert.equal(regression.config.gate.metric, 'mae');
    assert.deepEqual(regression.config.gate.floors, {});
  });

  it('replaces the default floors with the written ones ({} for none), keeping the other gate defaults', () => {
    const r = parseProject(MINIMAL + 'gate:\n  metric: f1_macro\n  floors: { accuracy: 0.9, roc_auc: 0.8 }\n  slices:\n    - { name: long, feature: sepal_length, min: 6 }\n');
    assert.ok(r.ok, JSON.stringify(r.problems));
    assert.equal(r.config.gate.metric, 'f1_macro');
    assert.deepEqual(r.config.gate.floors, { accuracy: 0.9, roc_auc: 0.8 });
    assert.deepEqual(r.config.gate.slices, [{ name: 'long', feature: 'sepal_length', min: 6 }]);
    assert.equal(r.config.gate.margin, DEFAULT_GATE.margin);
    const none = parseProject(MINIMAL + 'gate: { floors: {} }\n');
    assert.ok(none.ok);
    assert.deepEqual(none.config.gate.floors, {});
  });

  it('resolves a resolved config to itself (a run stored with its gate reads back the same)', () => {
    for (const gate of ['', 'gate: { floors: { roc_auc: 0.8 }, slices: [{ name: s, feature: sepal_length, max: 5 }] }\n', 'gate: { floors: {} }\n']) {
      const r = parseProject(MINIMAL + gate);
      assert.ok(r.ok, JSON.stringify(r.problems));
      const again = resolveDefaults(JSON.parse(JSON.stringify(r.config)), 'other');
      assert.deepEqual(again, r.config, gate);
    }
  });

  it('rejects gate metrics and floors that do not fit the task, and slices without one clear condition, at their lines', () => {
    const r = parseProject(`version: 1
task: multiclass
label: species
features:
  - { name: sepal_length, type: numeric }
gate:
  metric: f1
  floors:
    accuracy: 75
    r2: 0.5
  slices:
    - { name: a, feature: x, equals: 1, min: 2 }
    - { name: b, feature: x, min: 5, max: 5 }
    - { name: b, feature: x }
`);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [
        [7, "'f1' is not a multiclass metric; the gate can compare one of accuracy, precision_macro, recall_macro, f1_macro, precision_weighted, recall_weighted, f1_weighted, f1_micro, roc_auc, roc_auc_weighted, log_loss, brier, mcc, ece, mce, classwise_ece."],
        [9, 'accuracy is between 0 and 1, so a floor of 75 is a mistake (for 75% write 0.75).'],
        [10, "'r2' is not a multiclass metric, so it cannot have a floor; use one of accuracy, precision_macro, recall_macro, f1_macro, precision_weighted, recall_weighted, f1_weighted, f1_micro, roc_auc, roc_auc_weighted, log_loss, brier, mcc, ece, mce, classwise_ece."],
        [12, "Slice 'a' needs exactly one condition on 'x': equals, in, or a range min/max (it has several)."],
        [13, "Slice 'b': max (5) must be greater than min (5); the range is min ≤ value < max."],
        [14, "Slice 'b' is listed twice (first at gate.slices[1])."],
        [14, "Slice 'b' needs exactly one condition on 'x': equals, in, or a range min/max."],
      ],
    );
  });

  it('rejects accuracy as a regression gate metric, and a ceiling on mae below 0', () => {
    const r = parseProject('version: 1\ntask: regression\nlabel: y\nfeatures: [{name: a, type: numeric}]\ngate: { metric: accuracy, floors: { mae: -1 } }\n');
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems.map((p) => p.message.split(';')[0].split(',')[0]), ["'accuracy' is not a regression metric", 'mae is at least 0']);
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
    const [auto, mlp, logistic] = s.properties.model.oneOf;
    assert.equal(auto.properties.refit.default, DEFAULT_AUTO.refit);
    for (const k of ['hidden', 'dropout', 'activation'] as const) if (mlp.properties[k].default !== undefined) assert.deepEqual(mlp.properties[k].default, DEFAULT_MLP[k]);
    assert.equal(logistic.properties.l2.default, DEFAULT_LOGISTIC.l2);
    for (const [k, v] of Object.entries(DEFAULT_CALIBRATION)) assert.deepEqual(s.properties.calibration.properties[k].default, v, `calibration.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_EVALUATION)) assert.deepEqual(s.properties.evaluation.properties[k].default, v, `evaluation.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_MONITORING.retention)) assert.deepEqual(s.properties.monitoring.properties.retention.properties[k].default, v, `monitoring.retention.${k}`);
    const gate = s.properties.gate.properties;
    for (const [k, v] of Object.entries(DEFAULT_GATE)) assert.deepEqual(gate[k].default, v, `gate.${k}`);
    // metric and floors depend on the task, so the schema states them in words: keep those equal too.
    assert.ok(gate.metric.description.includes(`${defaultGateMetric('binary')} by default for binary and multiclass, ${defaultGateMetric('regression')} for regression`), gate.metric.description);
    assert.equal(defaultGateMetric('multiclass'), defaultGateMetric('binary'));
    for (const task of ['binary', 'multiclass'] as const) {
      const words = `${task}: ${Object.entries(defaultGateFloors(task)).map(([m, b]) => `${m} ${b}`).join(', ')}`;
      assert.ok(gate.floors.description.includes(words), `floors description says '${words}'`);
    }
    assert.deepEqual(defaultGateFloors('regression'), {});
    assert.ok(gate.floors.description.includes('regression: none'));
    const feats = s.properties.features.items.oneOf;
    const byType = Object.fromEntries(feats.map((f: any) => [f.properties.type.const, f.properties]));
    const r = parseProject(`version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: b, type: boolean}\n  - {name: c, type: categorical}\n  - {name: d, type: text}\n`);
    assert.ok(r.ok);
    for (const f of r.config.features) {
      for (const [k, v] of Object.entries(f)) if (k !== 'name' && k !== 'type') assert.deepEqual(byType[f.type][k].default, v, `${f.type}.${k}`);
    }
  });

  it("keeps the monitor's defaults equal to the schema's `default` keywords, and resolves a resolved section to itself", () => {
    const mon = (projectSchema() as any).properties.monitoring.properties;
    const d = DEFAULT_MONITORING;
    assert.equal(mon.retention.properties.predictions.default, d.retention.predictions);
    assert.equal(mon.retention.properties.history.default, d.retention.history);
    assert.deepEqual(d.retention, { predictions: '7d', history: '30d' });
    assert.equal(mon.window.default, (d.window as { duration: string }).duration);
    assert.equal(mon.reference.default, d.reference);
    for (const k of ['minRows', 'minLabels', 'alpha', 'every', 'retrain'] as const) assert.deepEqual(mon[k].default, d[k], `monitoring.${k}`);
    assert.equal(mon.drift.properties.bins.default, d.drift.bins);
    assert.equal(mon.drift.properties.datasetShare.default, d.drift.datasetShare);
    for (const band of ['psi', 'wasserstein', 'jensenShannon'] as const) {
      for (const k of ['warning', 'critical'] as const) assert.equal(mon.drift.properties[band].properties[k].default, d.drift[band][k], `monitoring.drift.${band}.${k}`);
    }
    for (const k of ['cooldown', 'latencyP95Ms', 'noDataFor', 'championMaxAge', 'disabled'] as const) assert.deepEqual(mon.alerts.properties[k].default, d.alerts[k], `monitoring.alerts.${k}`);
    const r = parseProject(MINIMAL);
    assert.ok(r.ok);
    assert.deepEqual(r.config.monitoring, d);
    assert.deepEqual(resolveDefaults(JSON.parse(JSON.stringify(r.config)), 'x').monitoring, d);
  });

  it('reads monitoring.window as a duration or { last: N }, and checks bands, the pinned reference and live floors at their lines', () => {
    const ok = parseProject(MINIMAL + 'monitoring:\n  window: {last: 5000}\n  reference: {from: 2026-01-01T00:00:00Z, to: 2026-02-01T00:00:00Z}\n');
    assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.problems));
    assert.deepEqual(ok.config.monitoring.window, { last: 5000 });
    assert.deepEqual(ok.config.monitoring.reference, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    const bad = parseProject(MINIMAL + 'monitoring:\n  drift:\n    psi: {warning: 0.3, critical: 0.2}\n  reference: {from: 2026-02-01T00:00:00Z, to: 2026-01-01T00:00:00Z}\n  alerts:\n    floors: {r2: 0.5}\n');
    assert.equal(bad.ok, false);
    const messages = bad.problems.map((p) => `${p.line}: ${p.message}`);
    assert.ok(messages.some((m) => /^8: .*critical \(0.2\) must not be below warning \(0.3\)/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^9: .*to .* must be after from/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^11: 'r2' is not a multiclass metric/.test(m)), messages.join('\n'));
    const dur = parseProject(MINIMAL + 'monitoring:\n  window: 3 days\n');
    assert.equal(dur.ok, false);
  });

  it('names the line and column of each schema error, suggesting the name a typo was meant to be', () => {
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
      `2:7 'task' must be one of: "binary", "multiclass", "regression". Did you mean 'multiclass'?`,
      `5:30 Unknown key 'transfrm' in 'features.0'. Did you mean 'transform'?`,
      `6:5 'features.1': unknown type "txt"; expected numeric, boolean, categorical or text. Did you mean 'text'?`,
      `8:43 'model.dropout' must be < 1.`,
      `10:9 'training.seed' must be integer.`,
    ]);
  });

  it("says which model type a left-over key belongs to (init's refit after the type changed from auto)", () => {
    const r = parseProject('version: 1\ntask: binary\nlabel: y\nfeatures: [{name: a, type: numeric}]\nmodel:\n  type: logistic\n  refit: auto\n');
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => `${p.line}:${p.column} ${p.message}`),
      ["7:3 Unknown key 'refit' in 'model'. 'refit' belongs to type auto: remove it, or set that type."],
    );
    const typo = parseProject('version: 1\ntask: binary\nlabel: y\nfeatures: [{name: a, type: numeric}]\nmodel: {type: mlp, hiden: [8]}\n');
    assert.match(typo.ok ? '' : typo.problems[0].message, /Did you mean 'hidden'\?/, 'a key no type has keeps its did-you-mean');
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

describe('hostile project files (issue 12, item 11)', () => {
  const head = 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n';

  it('reports a YAML alias bomb as a problem at the line of the first alias, not as an internal error', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const r = parseProject(head + lines.join('\n') + '\n');
    assert.equal(r.ok, false);
    assert.equal(r.problems.length, 1);
    assert.deepEqual([r.problems[0].line, r.problems[0].column], [7, 8]);
    assert.match(r.problems[0].message, /^YAML aliases expand into too much data here .* write the values out\.$/);
  });

  it('reports lists nested 20,000 levels deep as a syntax problem with a place', () => {
    const r = parseProject(head + 'x: ' + '['.repeat(20_000) + ']'.repeat(20_000) + '\n');
    assert.equal(r.ok, false);
    assert.equal(r.problems[0].message, 'YAML syntax: lists or maps are nested too deeply here to read (hundreds of levels inside each other).');
    assert.equal(r.problems[0].line, 6);
  });

  it("suggests the key an unknown one was meant to be, at the root and inside a feature", () => {
    const r = parseProject(head.replace('features:', 'featurs: 1\nfeatures:') + 'trainig: {epochs: 3}\n');
    assert.deepEqual(
      r.problems.map((p) => p.message),
      ["Unknown key 'featurs' in the project file. Did you mean 'features'?", "Unknown key 'trainig' in the project file. Did you mean 'training'?"],
    );
  });
});
