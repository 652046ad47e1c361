import { strict as assert } from 'node:assert';
import { plural } from '../../../src/core/util/plural';

describe('plural: counts in messages (issue 12, item 19)', () => {
  it('uses the singular for exactly one, the plural otherwise (including zero), and a given irregular plural', () => {
    assert.equal(plural(1, 'unreadable row'), '1 unreadable row');
    assert.equal(plural(2, 'unreadable row'), '2 unreadable rows');
    assert.equal(plural(0, 'epoch'), '0 epochs');
    assert.equal(plural(1, 'class', 'classes'), '1 class');
    assert.equal(plural(3, 'class', 'classes'), '3 classes');
  });
});
