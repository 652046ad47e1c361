/**
 * `npm run demo` is what the README offers a new user first: the loop in a screenful. This runs
 * the script as `npm run demo` does (after the build) and checks that each step of the story
 * happened: a first champion, the inbox taken in, the monitor finding the drift, a promoted
 * challenger, a rejected one — and that it stays a screenful.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, requireBuild } from './helpers';

describe('npm run demo: the loop in a screenful', function () {
  this.timeout(300_000);
  before(requireBuild);

  it('trains a first champion, takes in feedback, finds the drift, promotes the fix and rejects a worse model', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'demo.mjs')], { encoding: 'utf8', timeout: 280_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = r.stdout;
    assert.match(out, /2\. retrain: first champion v1, promoted/);
    assert.match(out, /ingest: 500 predictions, 500 feedback, 500 new training examples/);
    assert.match(out, /4\. monitor: 500 logged predictions .*x2 critical/);
    assert.match(out, /live accuracy of the logged predictions 0\.\d+ \(critical\)/);
    assert.match(out, /5\. retrain: challenger v2 vs champion v1 .*→ PROMOTED/);
    assert.match(out, /6\. retrain with x2 dropped from the features: v3 REJECTED: Accuracy fell/);
    assert.match(out, /Champion v2\. History: v1 promoted → v2 promoted → v3 rejected/);
    assert.doesNotMatch(out + r.stderr, /no result|internal error|at .*\.js:\d+/);
    assert.ok(out.trim().split('\n').length <= 24, `a screenful, not ${out.trim().split('\n').length} lines`);
  });
});
