import { strict as assert } from 'node:assert';
import { assertTrainingMemory, modelWeightCount, trainingMemoryNeeds, WASM_DEVICE_LIMIT_BYTES, type TrainingMemoryInput } from '../../../src/core/engine/memory';
import { UserError } from '../../../src/core/util/errors';

const mlp = { type: 'mlp' as const, hidden: [64, 32], dropout: 0.1, activation: 'relu' as const };
const limits = { hostBytes: 8 * 1024 ** 3, wasmBytes: WASM_DEVICE_LIMIT_BYTES };

function input(width: number, rows = { train: 195, validation: 45, test: 60 }): TrainingMemoryInput {
  return { inputWidth: width, featureWidths: [{ name: 'title', width }], rows, outputs: 1, model: mlp, batchSize: 32 };
}

describe('training memory estimate (issue 12, item 7)', () => {
  it('counts the weights of the dense stack', () => {
    assert.equal(modelWeightCount(10, 3, mlp), 10 * 64 + 64 + 64 * 32 + 32 + 32 * 3 + 3);
    assert.equal(modelWeightCount(10, 1, { type: 'logistic', l2: 0 }), 11);
  });

  it("refuses a text feature 1,048,576 wide on wasm before training, with the estimate, the limit and what to change", () => {
    assert.throws(
      () => assertTrainingMemory(trainingMemoryNeeds(input(1_048_576)), 'wasm', limits),
      (e: unknown) =>
        e instanceof UserError &&
        e.message.startsWith("The model is too large to train on the wasm backend: 1,048,576 input columns from 1 feature (widest: 'title' 1,048,576 columns) make 67,111,041 weights, which need about 10.5 GB") &&
        e.message.includes('the wasm backend can use at most 3.0 GB') &&
        e.message.includes('a smaller first hidden layer (model.hidden[0] is 64)'),
    );
  });

  it('refuses feature matrices larger than the host allows, before they are allocated', () => {
    assert.throws(() => assertTrainingMemory(trainingMemoryNeeds(input(300_000, { train: 7000, validation: 1500, test: 1500 })), undefined, limits), /The data is too large to train on: 10,000 rows × 300,000 input columns .* need about 12\.9 GB as 32-bit floats, and at most 8\.0 GB/);
  });

  it("accepts the schema's largest text dimensions (262,144) with the default model, which trains in 2.7 GB of wasm heap", () => {
    assert.doesNotThrow(() => assertTrainingMemory(trainingMemoryNeeds(input(262_144)), 'wasm', limits));
    assert.doesNotThrow(() => assertTrainingMemory(trainingMemoryNeeds(input(4)), 'wasm', limits));
  });

  it("gives non-wasm backends the host's memory instead of the wasm limit", () => {
    const needs = trainingMemoryNeeds(input(524_288));
    assert.throws(() => assertTrainingMemory(needs, 'wasm', limits), /wasm backend/);
    assert.doesNotThrow(() => assertTrainingMemory(needs, 'tensorflow', limits));
  });
});
