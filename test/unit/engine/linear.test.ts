import { strict as assert } from 'node:assert';
import fixture from '../../fixtures/sklearn/linear.json';
import { fitLinear, sparseRows } from '../../../src/core/engine/linear';

function dense(rows: number[][]): { x: Float32Array; n: number; d: number } {
  return { x: Float32Array.from(rows.flat()), n: rows.length, d: rows[0].length };
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('exact linear models (L-BFGS)', () => {
  const { x, n, d } = dense(fixture.x);
  const weights = Float32Array.from(fixture.weights);

  it("reaches scikit-learn's multinomial LogisticRegression(C) optimum with sample weights", async () => {
    const c = fixture.cases[0];
    const fit = await fitLinear(sparseRows(x, n, d), Float32Array.from(fixture.y), { task: 'multiclass', outputs: 3, l2: c.l2, rowWeight: weights });
    assert.ok(fit.converged);
    // scikit-learn's softmax weights are defined up to a shift per feature; with an L2
    // penalty the optimum has Σ_classes W = 0, and so does ours.
    assertClose(fit.kernel, c.kernel.flat(), 2e-4, 'kernel');
    assertClose(fit.bias, c.bias, 2e-4, 'bias');
  });

  it("reaches scikit-learn's binary LogisticRegression(C) optimum with sample weights", async () => {
    const c = fixture.cases[1];
    const fit = await fitLinear(sparseRows(x, n, d), Float32Array.from(c.y!), { task: 'binary', outputs: 1, l2: c.l2, rowWeight: weights });
    assertClose(fit.kernel, c.kernel.flat(), 2e-4, 'kernel');
    assertClose(fit.bias, c.bias, 2e-4, 'bias');
  });

  it("reaches scikit-learn's Ridge(alpha) solution on sparse rows", async () => {
    const r = fixture.ridge;
    const m = dense(r.x);
    const rows = sparseRows(m.x, m.n, m.d);
    assert.ok(rows.values.length < m.n * m.d / 2, 'the copy keeps only the non-zeros');
    const fit = await fitLinear(rows, Float32Array.from(r.y), { task: 'regression', outputs: 1, l2: r.l2 });
    assertClose(fit.kernel, r.kernel.flat(), 1e-5, 'kernel');
    assertClose(fit.bias, r.bias, 1e-5, 'bias');
  });

  it('reaches the same optimum from the dense copy (preconditioned) as from the sparse rows', async () => {
    const cases = [
      { task: 'multiclass' as const, outputs: 3, y: Float32Array.from(fixture.y), l2: fixture.cases[0].l2 },
      { task: 'binary' as const, outputs: 1, y: Float32Array.from(fixture.cases[1].y!), l2: fixture.cases[1].l2 },
    ];
    for (const c of cases) {
      const options = { task: c.task, outputs: c.outputs, l2: c.l2, rowWeight: weights };
      const viaDense = await fitLinear(sparseRows(x, n, d), c.y, { ...options, layout: 'dense' });
      const viaSparse = await fitLinear(sparseRows(x, n, d), c.y, { ...options, layout: 'sparse' });
      assertClose(viaDense.kernel, Array.from(viaSparse.kernel), 2e-4, `${c.task} kernel`);
      assertClose(viaDense.bias, Array.from(viaSparse.bias), 2e-4, `${c.task} bias`);
      assert.ok(Math.abs(viaDense.objective - viaSparse.objective) <= 1e-9 * Math.abs(viaSparse.objective), `${c.task} objective`);
      // The curvature bound takes the correlations between columns out of every step.
      assert.ok(viaDense.iterations < viaSparse.iterations, `${c.task}: ${viaDense.iterations} iterations preconditioned, ${viaSparse.iterations} not`);
    }
  });

  it('solves ridge regression from the dense copy in a Newton step', async () => {
    const r = fixture.ridge;
    const m = dense(r.x);
    const fit = await fitLinear(sparseRows(m.x, m.n, m.d), Float32Array.from(r.y), { task: 'regression', outputs: 1, l2: r.l2, layout: 'dense' });
    assertClose(fit.kernel, r.kernel.flat(), 1e-5, 'kernel');
    assertClose(fit.bias, r.bias, 1e-5, 'bias');
    // For squared error the bound is the exact Hessian: one step, then the stopping rule.
    assert.ok(fit.iterations <= 3, `${fit.iterations} iterations`);
  });

  it('starts from a previous fit (warm start) and reaches the same optimum in fewer iterations', async () => {
    const y = Float32Array.from(fixture.y);
    const rows = sparseRows(x, n, d);
    const weak = { task: 'multiclass' as const, outputs: 3, l2: 1e-3 };
    const previous = await fitLinear(rows, y, { ...weak, l2: 1e-2 });
    const cold = await fitLinear(rows, y, weak);
    const warm = await fitLinear(rows, y, { ...weak, start: previous });
    assertClose(warm.kernel, Array.from(cold.kernel), 2e-4, 'kernel');
    assert.ok(Math.abs(warm.objective - cold.objective) <= 1e-8, `objective ${warm.objective} vs ${cold.objective}`);
    assert.ok(warm.iterations < cold.iterations, `${warm.iterations} warm vs ${cold.iterations} cold`);
  });

  it('stops with a CancelledError when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(fitLinear(sparseRows(x, n, d), Float32Array.from(fixture.y), { task: 'multiclass', outputs: 3, l2: 1e-3, signal: controller.signal }), /cancelled/i);
  });
});
