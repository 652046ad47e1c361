import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { canonicalJson, checkInboxObject, contentHash, inboxLineSchema, jsonDepthExceeds, parseInboxLine } from '../../../src/core/loop/inboxLine';
import { fromCsvRow } from '../../../src/core/loop/history';

const binary = { task: 'binary' as const };
const regression = { task: 'regression' as const };
const T = '2026-12-01T08:00:00Z';
const pred = (over: Record<string, unknown> = {}) => ({ kind: 'prediction', id: 'p1', model: 'v3', time: T, input: { a: 1 }, output: { label: 'spam', confidence: 0.9 }, ...over });

function reason(value: unknown, config: { task: 'binary' | 'multiclass' | 'regression' } = binary): string {
  const r = checkInboxObject(value, config);
  assert.equal(r.ok, false, `expected a rejection of ${JSON.stringify(value)}`);
  return (r as { reason: string }).reason;
}

describe('inbox lines', () => {
  it('ships a JSON Schema that is valid draft-07 and accepts each kind exactly as the issue writes it', () => {
    const ajv = new Ajv({ discriminator: true, strict: true, strictTypes: false, strictRequired: false });
    // strict: unknown keywords and formats, ignored keywords … are errors (anyOf-of-required, the "label or value" rule, is allowed).
    const validate = ajv.compile(inboxLineSchema() as object);
    const good = [
      pred({ entity: 'user-1', variant: 'B', latency_ms: 3.5 }),
      { kind: 'feedback', prediction: 'p1', time: T, label: 'ham', accepted: false, by: 'ana', duration_ms: 1200 },
      { kind: 'feedback', prediction: 'p1', time: T, accepted: true },
      { kind: 'outcome', prediction: 'p1', time: T, label: 'spam' },
      { kind: 'outcome', prediction: 'p1', time: T, value: 3.5 },
      { kind: 'example', record: { a: 1, spam: 'yes' } },
      { kind: 'example', time: T, record: {} },
    ];
    for (const g of good) assert.ok(validate(g), `${JSON.stringify(g)}: ${JSON.stringify(validate.errors)}`);
  });

  it('names the field and what was wrong', () => {
    assert.equal(reason({ kinds: 'x' }), "missing 'kind'");
    assert.equal(reason({ kind: 'guess' }), "'kind' must be prediction, feedback, outcome or example (got 'guess')");
    assert.equal(reason({ kind: 3 }), "'kind' must be a string (got 3)");
    assert.equal(reason(pred({ id: undefined })), "missing 'id'");
    assert.equal(reason(pred({ id: '' })), "'id' is empty");
    assert.equal(reason(pred({ output: { label: 'x', confidence: -0.1 } })), "'output.confidence' must be ≥ 0 (got -0.1)");
    assert.equal(reason(pred({ output: { label: 'x', confidence: '0.5' } })), "'output.confidence' must be a number (got '0.5')");
    assert.equal(reason(pred({ output: { confidence: 0.5 } })), "'output' needs 'label' or 'value'");
    assert.equal(reason(pred({ output: { label: 'x', score: 1 } })), "unknown field 'output.score'");
    assert.equal(reason(pred({ input: [1] })), "'input' must be an object (got [1])");
    assert.equal(reason(pred({ entity: 1.5 })), "'entity' must be a string or a whole number (got 1.5)");
    assert.equal(reason(pred({ time: '01/12/2026' })), "'time': '01/12/2026' is not an ISO-8601 time (e.g. 2026-12-01T08:00:00Z)");
    assert.equal(reason(pred({ time: '2026-02-30T00:00:00Z' })), "'time': '2026-02-30T00:00:00Z' is not a valid point in time");
    assert.equal(reason({ kind: 'feedback', prediction: 'p1', time: T }), "a feedback line needs 'label' or 'accepted'");
    assert.equal(reason({ kind: 'feedback', prediction: 'p1', time: T, accepted: 'yes' }), "'accepted' must be a boolean (got 'yes')");
    assert.equal(reason({ kind: 'outcome', prediction: 'p1', time: T }), "an outcome line needs 'label' or 'value'");
    assert.equal(reason({ kind: 'example' }), "missing 'record'");
    assert.equal(reason('text'), "a line must be a JSON object, not 'text'");
  });

  it('checks a line against the task: classification needs a label, regression a value and numeric labels', () => {
    assert.equal(reason(pred({ output: { value: 2 } })), "'output' needs 'label': the project's task is binary");
    assert.equal(reason(pred(), regression), "'output' needs 'value': the project's task is regression");
    assert.equal(reason({ kind: 'feedback', prediction: 'p', time: T, label: 'cheap' }, regression), "'label': 'cheap' is not a number (the project's task is regression)");
    assert.equal(reason({ kind: 'feedback', prediction: 'p', time: T, label: '  ' }), "'label' is empty");
    const r = checkInboxObject({ kind: 'feedback', prediction: 'p', time: T, label: '4.5' }, regression);
    assert.ok(r.ok && r.item.kind === 'feedback' && r.item.feedback.label === 4.5);
  });

  it('normalises times to UTC and labels to text, and keys feedback by its normalised content', () => {
    const a = parseInboxLine(JSON.stringify({ kind: 'feedback', prediction: 'p1', time: '2026-12-01T09:00:00+01:00', label: true, by: 'ana' }), binary);
    const b = parseInboxLine(JSON.stringify({ by: 'ana', label: 'true', time: '2026-12-01T08:00:00.000Z', prediction: 'p1', kind: 'feedback' }), binary);
    assert.ok(a.ok && b.ok && a.item.kind === 'feedback' && b.item.kind === 'feedback');
    assert.equal(a.item.feedback.time, '2026-12-01T08:00:00.000Z');
    assert.equal(a.item.feedback.label, 'true');
    assert.equal(a.item.feedback.hash, b.item.feedback.hash, 'the same event written twice is one');
    const c = parseInboxLine(JSON.stringify({ kind: 'feedback', prediction: 'p1', time: '2026-12-01T08:00:00.001Z', label: true, by: 'ana' }), binary);
    assert.ok(c.ok && c.item.kind === 'feedback' && c.item.feedback.hash !== a.item.feedback.hash, 'a millisecond later is another event');
    const p = parseInboxLine(JSON.stringify(pred({ output: { label: 7 }, entity: 42 })), binary);
    assert.ok(p.ok && p.item.kind === 'prediction');
    assert.deepEqual([p.item.prediction.output.label, p.item.prediction.entity, p.item.prediction.time], ['7', '42', '2026-12-01T08:00:00.000Z']);
  });

  it('keeps the exactly-once keys stable (stored hashes must keep matching)', () => {
    // Pinned: these are the keys stored rows carry. A change here makes every re-read inbox line count as new.
    assert.equal(contentHash('feedback', { prediction: 'p1', time: '2026-12-01T08:00:00.000Z', label: 'spam' }), '619cd182047e158933639592ce1ccbae7e71b3ce');
    assert.equal(contentHash('feedback', { label: 'spam', time: '2026-12-01T08:00:00.000Z', prediction: 'p1' }), '619cd182047e158933639592ce1ccbae7e71b3ce', 'key order does not matter');
    assert.equal(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x', u: undefined }), '{"a":"x","b":[2,{"c":null,"d":1}]}');
    const e1 = parseInboxLine('{"kind":"example","record":{"a":1,"b":2}}', binary);
    const e2 = parseInboxLine('{"record":{"b":2,"a":1},"kind":"example"}', binary);
    const e3 = parseInboxLine('{"kind":"example","time":"2026-12-01","record":{"a":1,"b":2}}', binary);
    assert.ok(e1.ok && e2.ok && e3.ok && e1.item.kind === 'example' && e2.item.kind === 'example' && e3.item.kind === 'example');
    assert.equal(e1.item.hash, e2.item.hash);
    assert.notEqual(e1.item.hash, e3.item.hash, 'a time tells repeats apart');
    assert.equal(e1.item.hash, '3ba8f54c1ddd2a1bb8ffa9dc35e0a1abfc5d8e14');
  });

  it('refuses text that is not JSON, or nested too deep, before parsing it', () => {
    assert.match((parseInboxLine('{"kind":', binary) as { reason: string }).reason, /^not JSON: /);
    assert.equal(jsonDepthExceeds('[[[]]]', 3), false);
    assert.equal(jsonDepthExceeds('[[[[]]]]', 3), true);
    assert.equal(jsonDepthExceeds('{"a":"[[[[[[[["}', 3), false, 'brackets inside strings do not count');
    assert.equal(jsonDepthExceeds('{"a":"\\"[[[["}', 1), false, 'nor after an escaped quote');
    assert.equal((parseInboxLine('['.repeat(100000), binary) as { reason: string }).reason, 'nested deeper than 32 levels');
  });

  it('reads history CSV rows: dotted columns nested, numbers and booleans from text, empty cells absent', () => {
    assert.deepEqual(fromCsvRow({ id: 'p1', model: 'v1', time: T, 'input.words': '3', 'input.sender': '', 'output.label': 'yes', 'output.confidence': '0.75', 'output.probabilities.yes': '0.75', latency_ms: '12', entity: '', variant: 'B' }), {
      id: 'p1',
      model: 'v1',
      time: T,
      input: { words: '3', sender: '' },
      output: { label: 'yes', confidence: 0.75, probabilities: { yes: 0.75 } },
      latency_ms: 12,
      variant: 'B',
    });
    assert.deepEqual(fromCsvRow({ prediction: 'p1', time: T, accepted: 'yes', duration_ms: '1.5e3', label: '', by: 'ana' }), { prediction: 'p1', time: T, accepted: true, duration_ms: 1500, by: 'ana' });
    assert.deepEqual(fromCsvRow({ input: '{"words": 3}', output: '{"label": "no"}', 'output.confidence': '0.5' }), { input: { words: 3 }, output: { label: 'no', confidence: 0.5 } });
    assert.deepEqual(fromCsvRow({ value: 'n/a' }), { value: 'n/a' }, 'left as text: the schema then names it');
  });
});
