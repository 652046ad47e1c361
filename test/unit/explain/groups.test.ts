import * as assert from 'node:assert/strict';
import { assertValidGroups, groupColumns, singleColumnGroups } from '../../../src/core/explain/groups';

describe('explain/groups', () => {
  it('groups one-hot and hashed text columns under the feature that produced them, in order of first appearance', () => {
    const groups = groupColumns([
      { feature: 'age', column: 'age' },
      { feature: 'color', column: 'color=blue' },
      { feature: 'color', column: 'color=red' },
      { feature: 'color', column: 'color=(other)' },
      { feature: 'title', column: 'title#0' },
      { feature: 'title', column: 'title#1' },
      { feature: 'done', column: 'done' },
    ]);
    assert.deepEqual(groups, [
      { feature: 'age', columns: [0] },
      { feature: 'color', columns: [1, 2, 3] },
      { feature: 'title', columns: [4, 5] },
      { feature: 'done', columns: [6] },
    ]);
  });

  it('collects columns of one feature that are not adjacent into one group', () => {
    const groups = groupColumns([
      { feature: 'a', column: 'a=x' },
      { feature: 'b', column: 'b' },
      { feature: 'a', column: 'a=y' },
    ]);
    assert.deepEqual(groups, [
      { feature: 'a', columns: [0, 2] },
      { feature: 'b', columns: [1] },
    ]);
  });

  it('gives no groups for no columns', () => {
    assert.deepEqual(groupColumns([]), []);
  });

  it('makes one named group per column for a bare matrix', () => {
    assert.deepEqual(singleColumnGroups(2), [
      { feature: 'x0', columns: [0] },
      { feature: 'x1', columns: [1] },
    ]);
    assert.deepEqual(singleColumnGroups(1, ['age']), [{ feature: 'age', columns: [0] }]);
    assert.throws(() => singleColumnGroups(2, ['age']), /1 names for 2 columns/);
  });

  it('rejects a column outside the matrix and a column claimed by two groups', () => {
    assert.doesNotThrow(() => assertValidGroups([{ feature: 'a', columns: [0] }], 3));
    assert.throws(() => assertValidGroups([{ feature: 'a', columns: [3] }], 3), /'a' has column 3, outside 0…2/);
    assert.throws(() => assertValidGroups([{ feature: 'a', columns: [0.5] }], 3), /column 0.5/);
    assert.throws(
      () =>
        assertValidGroups(
          [
            { feature: 'a', columns: [0, 1] },
            { feature: 'b', columns: [1] },
          ],
          3,
        ),
      /Column 1 belongs to both feature groups 'a' and 'b'/,
    );
  });
});
