/**
 * Counts per key for a large set of integer keys (up to 2^53), in typed arrays: open
 * addressing with linear probing, ~24 bytes per key at most (a Map<number, number> of a
 * million keys takes three to four times that). The import uses it to number repeated rows.
 */
export class CountTable {
  private keys: Float64Array;
  private counts: Uint32Array;
  private used = 0;

  /** @param capacity expected number of keys (the table grows past it). */
  constructor(capacity = 1024) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.keys = new Float64Array(size);
    this.counts = new Uint32Array(size);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.used;
  }

  /**
   * Adds one to `key`'s count.
   * @param key a non-negative safe integer.
   * @returns the count before this call (0 the first time).
   */
  increment(key: number): number {
    if (!(Number.isSafeInteger(key) && key >= 0)) throw new RangeError(`CountTable keys are non-negative safe integers (got ${key})`);
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    // Keys are stored +1 so that 0 marks an empty slot.
    const stored = key + 1;
    const mask = this.keys.length - 1;
    for (let i = hashSlot(stored) & mask; ; i = (i + 1) & mask) {
      if (this.keys[i] === stored) return this.counts[i]++;
      if (this.keys[i] === 0) {
        this.keys[i] = stored;
        this.counts[i] = 1;
        this.used++;
        return 0;
      }
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.counts = new Uint32Array(oldKeys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === 0) continue;
      let i = hashSlot(k) & mask;
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = k;
      this.counts[i] = oldCounts[j];
    }
  }
}

/** Mixes the high and low 26 bits of a key (keys here are already hash bits, so a light mix suffices). */
function hashSlot(k: number): number {
  const lo = k % 0x4000000;
  const hi = Math.floor(k / 0x4000000);
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0;
}
