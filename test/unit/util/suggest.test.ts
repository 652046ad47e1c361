import { strict as assert } from 'node:assert';
import { closestName, didYouMean, editDistance } from '../../../src/core/util/suggest';

describe('did you mean (issue 12, item 19)', () => {
  it('counts edits case-insensitively, a swap of neighbours as one', () => {
    assert.equal(editDistance('feautres', 'features'), 1);
    assert.equal(editDistance('Species', 'species'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests a close name, and nothing for a far one or for an exact match', () => {
    assert.equal(closestName('featurs', ['version', 'features', 'label']), 'features');
    assert.equal(closestName('trian', ['init', 'train', 'runs']), 'train');
    assert.equal(closestName('xyz', ['features', 'label']), undefined);
    assert.equal(closestName('label', ['label', 'labels']), undefined);
    assert.equal(didYouMean('evalute', ['evaluate', 'explain']), " Did you mean 'evaluate'?");
    assert.equal(didYouMean('a', ['b']), '');
  });
});
