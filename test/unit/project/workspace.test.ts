import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProject } from '../../../src/core/project/workspace';
import { UserError } from '../../../src/core/util/errors';

describe('loadProject on a badly broken mlloop.yaml (found by the fuzz harness)', () => {
  it('lists the first 20 problems and says how many more there are, instead of a thousand lines', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-workspace-'));
    const unknown = Array.from({ length: 30 }, (_, i) => `unknown_${i}: 1`).join('\n');
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), `version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n${unknown}\n`);
    try {
      assert.throws(() => loadProject(dir), (e: unknown) => {
        assert.ok(e instanceof UserError);
        const lines = e.message.split('\n');
        assert.equal(lines.length, 22);
        assert.match(lines[1], /mlloop\.yaml:6:1: error: Unknown key 'unknown_0'/);
        assert.equal(lines[21], '… and 10 more problems after these.');
        assert.deepEqual([e.location?.line, e.location?.column], [6, 1]);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
