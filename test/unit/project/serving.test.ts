/**
 * The serving sections of mlloop.yaml (runtime:, serve:, experiment:, shadow:): defaults equal
 * to the schema's, and the checks the schema cannot make, each at its line.
 */
import * as assert from 'node:assert/strict';
import { parseProject, projectSchema } from '../../../src/core/project/parse';
import { DEFAULT_EXPERIMENT, DEFAULT_RUNTIME, DEFAULT_SERVE, DEFAULT_SHADOW, isLoopbackHost } from '../../../src/core/project/serving';

const BASE = ['version: 1', 'task: binary', 'label: y', 'features:', '  - {name: x, type: numeric}'];

function parse(...lines: string[]) {
  return parseProject([...BASE, ...lines, ''].join('\n'));
}

function problemsOf(...lines: string[]) {
  const r = parse(...lines);
  assert.equal(r.ok, false, 'expected problems');
  return r.problems;
}

describe('mlloop.yaml: runtime, serve, experiment, shadow', () => {
  it('fills the defaults: threshold 0.5, loopback with a token, no experiment and no shadow', () => {
    const r = parse();
    assert.ok(r.ok);
    assert.deepEqual(r.config.runtime, DEFAULT_RUNTIME);
    assert.deepEqual(r.config.serve, DEFAULT_SERVE);
    assert.equal(r.config.experiment, undefined);
    assert.equal(r.config.shadow, undefined);
  });

  it("keeps the code's defaults equal to the schema's `default` keywords", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = (projectSchema() as any).properties;
    for (const [k, v] of Object.entries(DEFAULT_RUNTIME)) assert.deepEqual(p.runtime.properties[k].default, v, `runtime.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_SERVE)) assert.deepEqual(p.serve.properties[k].default, v, `serve.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_EXPERIMENT)) assert.deepEqual(p.experiment.properties[k].default, v, `experiment.${k}`);
    for (const [k, v] of Object.entries(DEFAULT_SHADOW)) assert.deepEqual(p.shadow.properties[k].default, v, `shadow.${k}`);
  });

  it('resolves an experiment: control defaults to the fallback arm, a rate to minEffect 0.05', () => {
    const r = parse('experiment:', '  name: ml-vs-rules', '  variants: {champion: 50, fallback: 50}');
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.deepEqual(r.config.experiment, { name: 'ml-vs-rules', variants: { champion: 50, fallback: 50 }, control: 'fallback', outcome: 'rate', goal: 'maximize', minEffect: 0.05, power: 0.8, alpha: 0.05, srmAlpha: 0.001 });
    const c = parse('experiment: {name: e, variants: {champion: 1, challenger: 1}, challenger: v3}');
    assert.ok(c.ok);
    assert.equal(c.config.experiment!.control, 'champion');
  });

  it('refuses an experiment with one weighted arm, a challenger arm without its version, a control that is not an arm — at their lines', () => {
    const one = problemsOf('experiment:', '  name: e', '  variants: {champion: 1, fallback: 0}');
    assert.ok(one.some((p) => p.line === 8 && /at least two arms/.test(p.message)), JSON.stringify(one));
    assert.ok(one.some((p) => /'fallback' has weight 0/.test(p.message)));
    const noVersion = problemsOf('experiment:', '  name: e', '  variants: {champion: 1, challenger: 1}');
    assert.ok(noVersion.some((p) => /needs the version it serves/.test(p.message)), JSON.stringify(noVersion));
    const orphan = problemsOf('experiment:', '  name: e', '  variants: {champion: 1, fallback: 1}', '  challenger: v2');
    assert.ok(orphan.some((p) => p.line === 9 && /no challenger arm/.test(p.message)), JSON.stringify(orphan));
    const control = problemsOf('experiment:', '  name: e', '  variants: {champion: 1, fallback: 1}', '  control: challenger');
    assert.ok(control.some((p) => p.line === 9 && /not an arm/.test(p.message)), JSON.stringify(control));
  });

  it('a mean outcome needs minEffect; a rate minEffect is below 1; success is for rates', () => {
    assert.ok(problemsOf('experiment: {name: e, variants: {champion: 1, fallback: 1}, outcome: mean}').some((p) => /needs minEffect/.test(p.message)));
    assert.ok(problemsOf('experiment: {name: e, variants: {champion: 1, fallback: 1}, minEffect: 5}').some((p) => /below 1/.test(p.message)));
    assert.ok(problemsOf('experiment: {name: e, variants: {champion: 1, fallback: 1}, outcome: mean, minEffect: 2, success: yes}').some((p) => /rate only/.test(p.message)));
    assert.ok(parse('experiment: {name: e, variants: {champion: 1, fallback: 1}, outcome: mean, minEffect: 2}').ok);
  });

  it('refuses serve.auth: false on a non-loopback host, and an unknown arm name', () => {
    const open = problemsOf('serve: {host: 0.0.0.0, auth: false}');
    assert.ok(open.some((p) => p.path === '/serve/auth' && /refused with host 0.0.0.0/.test(p.message)), JSON.stringify(open));
    assert.ok(parse('serve: {host: localhost, auth: false}').ok);
    const unknown = problemsOf('experiment: {name: e, variants: {champion: 1, rules: 1}}');
    assert.ok(unknown.some((p) => /Unknown key 'rules'/.test(p.message)), JSON.stringify(unknown));
  });

  it('a shadow model is not also the challenger arm', () => {
    const p = problemsOf('experiment: {name: e, variants: {champion: 1, challenger: 1}, challenger: v4}', 'shadow: {model: v4}');
    assert.ok(p.some((x) => x.path === '/shadow/model'), JSON.stringify(p));
    const ok = parse('shadow: {model: v4}');
    assert.ok(ok.ok);
    assert.deepEqual(ok.config.shadow, { model: 'v4', sample: 1 });
  });

  it('tells loopback hosts from the others', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  });
});
