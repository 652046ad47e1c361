import * as assert from 'node:assert/strict';
import { coalesced } from '../../../src/extension/state/coalesce';

/** A load that waits until released, counting how often it started. */
function gatedLoad() {
  const gates: Array<() => void> = [];
  let started = 0;
  const load = () => {
    started++;
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  const releaseNext = async () => {
    // Let the coalescer chain the next load before it is released.
    for (let i = 0; i < 5 && gates.length === 0; i++) await Promise.resolve();
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { load, releaseNext, started: () => started };
}

describe('coalesced (the extension state holders\' "read again")', () => {
  it('runs one load at a time and folds every call made during it into one more load', async () => {
    const g = gatedLoad();
    const ask = coalesced(g.load);
    const first = ask();
    await new Promise((r) => setImmediate(r));
    assert.equal(g.started(), 1);
    const during = [ask(), ask(), ask()];
    assert.equal(during[0], during[1]);
    assert.equal(during[1], during[2]);
    await g.releaseNext();
    await first;
    assert.equal(g.started(), 2, 'the three calls made during the first load share one load');
    await g.releaseNext();
    await Promise.all(during);
    assert.equal(g.started(), 2);
  });

  it('starts a new load for a call made after the waiting one began', async () => {
    const g = gatedLoad();
    const ask = coalesced(g.load);
    const a = ask();
    await new Promise((r) => setImmediate(r));
    const b = ask();
    await g.releaseNext();
    await a;
    // b's load is running now: a later call must not share it (it could miss what changed).
    const c = ask();
    assert.notEqual(b, c);
    await g.releaseNext();
    await b;
    await g.releaseNext();
    await c;
    assert.equal(g.started(), 3);
  });

  it('reports a failing load to onError and keeps serving later calls', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let loads = 0;
    const ask = coalesced(async () => {
      loads++;
      if (fail) throw new Error('store gone');
    }, (e) => errors.push(e));
    await ask();
    fail = false;
    await ask();
    assert.equal(loads, 2);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['store gone']);
  });
});
