import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initProject } from '../../../src/core/project/init';
import { parseProject } from '../../../src/core/project/parse';

describe('mlloop init on hostile data (found by the fuzz harness)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-init-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a valid mlloop.yaml when a class name holds a line break (it used to end the comment listing the classes)', async () => {
    const rows = ['{"x": 1, "y": "a"}', '{"x": 2, "y": "b"}', '{"x": 3, "y": "virgi\\nica"}', '{"x": 4, "y": "a"}'];
    const file = path.join(dir, 'rows.jsonl');
    fs.writeFileSync(file, rows.join('\n'));
    const r = await initProject({ root: dir, dataFile: file, label: 'y' });
    const text = fs.readFileSync(r.file, 'utf8');
    assert.match(text, /# classes: a, b, "virgi\\nica"/);
    assert.equal(parseProject(text).ok, true);
  });
});
