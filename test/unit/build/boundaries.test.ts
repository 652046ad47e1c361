import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', '..', 'scripts', 'check-boundaries.mjs');

function check(files: Record<string, string>): { code: number; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-boundaries-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    const r = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
    return { code: r.status ?? -1, out: r.stdout + r.stderr };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('the import-boundary check (scripts/check-boundaries.mjs)', () => {
  it('passes a tree that keeps the layers', () => {
    const r = check({
      'src/core/a.ts': "import { b } from './b';\nimport fs from 'node:fs';\n",
      'src/extension/e.ts': "import * as vscode from 'vscode';\nimport { a } from '../core/a';\n",
      'webview/p/page.ts': "import type { Store } from '../../src/core/store/types';\nimport { fmt } from '../../src/core/util/duration';\n",
    });
    assert.equal(r.code, 0, r.out);
  });

  it('names file, line and rule for each crossing: vscode in core, core → cli/extension, heavy code in a page', () => {
    const r = check({
      'src/core/a.ts': "// import x from 'vscode' in a comment is fine\nimport * as vscode from 'vscode';\nexport { main } from '../cli/main';\n",
      'src/runtime/index.ts': "const w = require('../worker/worker');\n",
      'webview/p/page.ts': "import * as tf from '@tensorflow/tfjs';\nimport { openSqliteStore } from '../../src/core/store/sqlite';\n",
    });
    assert.equal(r.code, 1);
    assert.match(r.out, /src\/core\/a\.ts:2: imports 'vscode'/);
    assert.match(r.out, /src\/core\/a\.ts:3: imports '\.\.\/cli\/main': core never imports the layers above it/);
    assert.match(r.out, /src\/runtime\/index\.ts:1: imports '\.\.\/worker\/worker'/);
    assert.match(r.out, /webview\/p\/page\.ts:1: imports '@tensorflow\/tfjs'/);
    assert.match(r.out, /webview\/p\/page\.ts:2: imports '\.\.\/\.\.\/src\/core\/store\/sqlite'/);
    assert.doesNotMatch(r.out, /a\.ts:1:/);
  });
});
