/**
 * Seeded pseudo-random numbers. Every random choice in ML Loop (splits, shuffles,
 * bootstrap resamples, permutations) goes through one of these so that the same seed and
 * data give the same result on every machine.
 */

/**
 * mulberry32: a small, fast 32-bit generator with good statistical quality for our uses
 * (shuffles, resampling). Returns a function giving floats in [0, 1).
 * @param seed any integer; only the low 32 bits are used.
 */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n) from a generator made by {@link createRng}. */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/** In-place Fisher–Yates shuffle; returns the same array for chaining. */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: () => number): typeof items {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** The permutation 0..n-1 in a seeded random order. */
export function permutation(n: number, rng: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  shuffleInPlace(idx, rng);
  return idx;
}
