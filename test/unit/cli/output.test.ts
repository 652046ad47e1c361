import { strict as assert } from 'node:assert';
import { terminalSafe } from '../../../src/cli/output';

describe('terminal output of text from data (issue 12, item 19)', () => {
  it('shows escape sequences, bells, carriage returns and bidi overrides as \\u escapes instead of obeying them', () => {
    assert.equal(terminalSafe('label \x1b[31mred\x1b[0m'), 'label \\u001b[31mred\\u001b[0m');
    assert.equal(terminalSafe('a\x07b\rc\u202ed\x9b'), 'a\\u0007b\\u000dc\\u202ed\\u009b');
  });

  it('keeps line breaks, tabs and ordinary text', () => {
    assert.equal(terminalSafe('a\tb\nc é ✓'), 'a\tb\nc é ✓');
  });
});
