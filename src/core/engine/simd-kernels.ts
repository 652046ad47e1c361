/**
 * The arithmetic of dense-layer training as WebAssembly SIMD kernels, assembled here from
 * their instructions (no compiler, no binary file): a matrix product with an optional bias,
 * ReLU, elementwise factor and gate fused into its store, an Adam step, and the dropout masks
 * of DropoutMaskSource.
 *
 * Why: for the small MLPs ML Loop trains, a step is ~10k multiply-adds per row. Scalar
 * JavaScript reaches ~1 GMAC/s (one lane, no fused ops), and tfjs-backend-wasm spends tens
 * of microseconds of bookkeeping per kernel. 128-bit SIMD computes four lanes per
 * instruction, and one call per product keeps the per-step overhead to a few calls.
 *
 * Numbers are float32, as in tfjs. Every kernel is deterministic: the same inputs give the
 * same bits (no threads, a fixed order of additions).
 *
 * Layout conventions (all offsets in bytes into the module's memory, 16-byte aligned):
 * - {@link SimdKernels.gemm}: C[rows × n] = A ⊗ B where B is [inner × n] row-major with rows of
 *   n floats, and A is read as A(i, p) = a[i·aRowStride + p·aInnerStride] (bytes), so one
 *   kernel does A·B (aRowStride = inner·4, aInnerStride = 4), Aᵀ·B (aRowStride = 4,
 *   aInnerStride = rows_of_A·4) and 1ᵀ·B (a column sum: aRowStride = aInnerStride = 0 on a 1).
 *   n must be a multiple of 4.
 *
 * Pure: no Node built-ins (WebAssembly is a JavaScript global).
 */

/** Options of {@link SimdKernels.gemm}, fused into the store of each result. */
export const GEMM = {
  /** Start each row from `bias` (n floats) instead of 0. */
  BIAS: 1,
  /** max(result, 0). */
  RELU: 2,
  /** result × M (elementwise; M is [rows × n], e.g. a dropout mask). */
  MULTIPLY: 4,
  /** result × scale where M > 0, else 0 (the ReLU/dropout gradient gate). */
  GATE: 8,
} as const;

/**
 * The part of the WebAssembly JavaScript API used here. Declared locally because the
 * project's TypeScript libs (ES2022, no DOM) do not declare it, though Node and browsers have it.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The compiled kernels and the memory they work in. */
export interface SimdKernels {
  memory: WasmMemory;
  /** See the file doc. `m` is the byte offset of M for MULTIPLY / GATE (else ignored). */
  gemm(a: number, b: number, c: number, bias: number, rows: number, inner: number, n: number, aRowStride: number, aInnerStride: number, flags: number, m: number, scale: number): void;
  /**
   * Dropout masks: the values DropoutMaskSource.drawInto(…, rows, units, rate, stride) writes
   * (mulberry32 from `state`, two 16-bit draws per output, 0 when a draw is below `threshold`
   * = round(rate·65536), else `keep`), written at byte offset `target`; returns the new state.
   */
  dropout(target: number, rows: number, units: number, stride: number, threshold: number, keep: number, state: number): number;
  /**
   * One Adam step on `count` floats (a multiple of 4): m ← m + (g − m)·oneMinusBeta1,
   * v ← v + (g² − v)·oneMinusBeta2, p ← p − stepSize·m / (√v + epsilon).
   */
  adam(p: number, g: number, m: number, v: number, count: number, oneMinusBeta1: number, oneMinusBeta2: number, stepSize: number, epsilon: number): void;
}

// ---------------------------------------------------------------------------------------------
// A minimal WebAssembly binary writer: just what the two kernels need.

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A function body being written: locals by index, instructions appended in order. */
class Body {
  readonly bytes: number[] = [];
  private readonly extraLocals: number[] = [];

  constructor(private readonly paramCount: number) {}

  /** A new local of `type`; returns its index. */
  local(type: number): number {
    this.extraLocals.push(type);
    return this.paramCount + this.extraLocals.length - 1;
  }

  get(index: number): this {
    return this.emit(0x20, ...unsignedLeb(index));
  }

  set(index: number): this {
    return this.emit(0x21, ...unsignedLeb(index));
  }

  i32(value: number): this {
    return this.emit(0x41, ...signedLeb(value));
  }

  /** i32 binary operator (add 0x6a, mul 0x6c, lt_s 0x48, le_s 0x4c, …). */
  i32op(opcode: number): this {
    return this.emit(opcode);
  }

  /** SIMD instruction 0xfd + opcode (+ memarg for loads and stores). */
  simd(opcode: number, memarg?: { align: number; offset: number }): this {
    this.emit(0xfd, ...unsignedLeb(opcode));
    if (memarg) this.emit(...unsignedLeb(memarg.align), ...unsignedLeb(memarg.offset));
    return this;
  }

  /** Runs `body` while `condition` (which pushes an i32) holds: block { loop { !cond → exit; body; continue } }. */
  while(condition: () => void, body: () => void): this {
    this.emit(0x02, 0x40, 0x03, 0x40);
    condition();
    this.emit(0x45, 0x0d, 0x01); // i32.eqz; br_if 1 (out of the block)
    body();
    this.emit(0x0c, 0x00, 0x0b, 0x0b); // br 0 (loop again); end loop; end block
    return this;
  }

  /** Runs `body` when the i32 `condition` pushes is non-zero. */
  when(condition: () => void, body: () => void): this {
    condition();
    this.emit(0x04, 0x40);
    body();
    return this.emit(0x0b);
  }

  emit(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  /** The encoded body: locals (one entry each) + code + end. */
  encode(): number[] {
    const locals = [...unsignedLeb(this.extraLocals.length), ...this.extraLocals.flatMap((t) => [0x01, t])];
    const code = [...locals, ...this.bytes, 0x0b];
    return [...unsignedLeb(code.length), ...code];
  }
}

// SIMD opcodes (WebAssembly SIMD proposal, final numbering).
const V128_LOAD = 0x00;
const V128_LOAD32_SPLAT = 0x09;
const V128_STORE = 0x0b;
const F32X4_SPLAT = 0x13;
const F32X4_GT = 0x44;
const V128_AND = 0x4e;
const F32X4_SQRT = 0xe3;
const F32X4_ADD = 0xe4;
const F32X4_SUB = 0xe5;
const F32X4_MUL = 0xe6;
const F32X4_DIV = 0xe7;
const F32X4_MAX = 0xe9;
const ALIGNED = (offset: number) => ({ align: 4, offset });
const ANY_ALIGN = { align: 0, offset: 0 };

const ADD = 0x6a;
const MUL = 0x6c;
const LT_S = 0x48;
const LE_S = 0x4c;

/**
 * gemm(a, b, c, bias, rows, inner, n, aRowStride, aInnerStride, m, scale) with the options in
 * `flags` (GEMM bits) built in: one function per combination, so the loops test no flag.
 */
function gemmBody(flags: number): Body {
  const [a, b, c, bias, rows, inner, n, aRowStride, aInnerStride, m, scale] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const fused = (flag: number, emit: () => void) => {
    if (flags & flag) emit();
  };
  const f = new Body(11);
  const i = f.local(I32);
  const j = f.local(I32);
  const p = f.local(I32);
  const rowBytes = f.local(I32);
  const aPtr = f.local(I32);
  const bPtr = f.local(I32);
  const cRow = f.local(I32);
  const mRow = f.local(I32);
  const av = f.local(V128);
  const zero = f.local(V128);
  const scaleV = f.local(V128);
  const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];

  f.get(n).i32(4).i32op(MUL).set(rowBytes);
  f.get(scale).simd(F32X4_SPLAT).set(scaleV);
  f.i32(0).set(i);

  /** Accumulators for columns j … j + 4·width − 1 of row i, then the fused store. */
  const block = (width: number) => {
    for (let q = 0; q < width; q++) {
      fused(GEMM.BIAS, () => f.get(bias).get(j).i32(4).i32op(MUL).i32op(ADD).simd(V128_LOAD, ALIGNED(16 * q)).set(acc[q]));
    }
    // aPtr = a + i·aRowStride; bPtr = b + j·4
    f.get(a).get(i).get(aRowStride).i32op(MUL).i32op(ADD).set(aPtr);
    f.get(b).get(j).i32(4).i32op(MUL).i32op(ADD).set(bPtr);
    f.i32(0).set(p);
    f.while(
      () => f.get(p).get(inner).i32op(LT_S),
      () => {
        f.get(aPtr).simd(V128_LOAD32_SPLAT, { align: 2, offset: 0 }).set(av);
        for (let q = 0; q < width; q++) {
          f.get(acc[q]).get(av).get(bPtr).simd(V128_LOAD, ALIGNED(16 * q)).simd(F32X4_MUL).simd(F32X4_ADD).set(acc[q]);
        }
        f.get(aPtr).get(aInnerStride).i32op(ADD).set(aPtr);
        f.get(bPtr).get(rowBytes).i32op(ADD).set(bPtr);
        f.get(p).i32(1).i32op(ADD).set(p);
      },
    );
    for (let q = 0; q < width; q++) {
      const at = (base: number) => f.get(base).get(j).i32(4).i32op(MUL).i32op(ADD);
      fused(GEMM.RELU, () => f.get(acc[q]).get(zero).simd(F32X4_MAX).set(acc[q]));
      fused(GEMM.MULTIPLY, () => {
        f.get(acc[q]);
        at(mRow).simd(V128_LOAD, ALIGNED(16 * q)).simd(F32X4_MUL).set(acc[q]);
      });
      fused(GEMM.GATE, () => {
        f.get(acc[q]).get(scaleV).simd(F32X4_MUL);
        at(mRow).simd(V128_LOAD, ALIGNED(16 * q)).get(zero).simd(F32X4_GT).simd(V128_AND).set(acc[q]);
      });
      at(cRow).get(acc[q]).simd(V128_STORE, ALIGNED(16 * q));
    }
  };

  f.while(
    () => f.get(i).get(rows).i32op(LT_S),
    () => {
      f.get(c).get(i).get(rowBytes).i32op(MUL).i32op(ADD).set(cRow);
      f.get(m).get(i).get(rowBytes).i32op(MUL).i32op(ADD).set(mRow);
      f.i32(0).set(j);
      // Blocks of 16 columns (4 accumulators hide the add latency), then of 4.
      f.while(
        () => f.get(j).i32(16).i32op(ADD).get(n).i32op(LE_S),
        () => {
          for (const q of acc) f.get(zero).set(q);
          block(4);
          f.get(j).i32(16).i32op(ADD).set(j);
        },
      );
      f.while(
        () => f.get(j).i32(4).i32op(ADD).get(n).i32op(LE_S),
        () => {
          f.get(zero).set(acc[0]);
          block(1);
          f.get(j).i32(4).i32op(ADD).set(j);
        },
      );
      f.get(i).i32(1).i32op(ADD).set(i);
    },
  );
  return f;
}

/** adam(p, g, m, v, count, oneMinusBeta1, oneMinusBeta2, stepSize, epsilon). */
function adamBody(): Body {
  const [p, g, m, v, count, b1, b2, step, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const f = new Body(9);
  const at = f.local(I32);
  const end = f.local(I32);
  const gv = f.local(V128);
  const mv = f.local(V128);
  const vv = f.local(V128);
  const b1v = f.local(V128);
  const b2v = f.local(V128);
  const stepV = f.local(V128);
  const epsV = f.local(V128);
  f.get(b1).simd(F32X4_SPLAT).set(b1v);
  f.get(b2).simd(F32X4_SPLAT).set(b2v);
  f.get(step).simd(F32X4_SPLAT).set(stepV);
  f.get(eps).simd(F32X4_SPLAT).set(epsV);
  f.get(count).i32(4).i32op(MUL).set(end);
  f.i32(0).set(at);
  const addr = (base: number) => f.get(base).get(at).i32op(ADD);
  f.while(
    () => f.get(at).get(end).i32op(LT_S),
    () => {
      addr(g).simd(V128_LOAD, ANY_ALIGN).set(gv);
      // m + (g − m)·(1 − β₁)
      addr(m).simd(V128_LOAD, ANY_ALIGN).set(mv);
      f.get(mv).get(gv).get(mv).simd(F32X4_SUB).get(b1v).simd(F32X4_MUL).simd(F32X4_ADD).set(mv);
      addr(m).get(mv).simd(V128_STORE, ANY_ALIGN);
      // v + (g² − v)·(1 − β₂)
      addr(v).simd(V128_LOAD, ANY_ALIGN).set(vv);
      f.get(vv).get(gv).get(gv).simd(F32X4_MUL).get(vv).simd(F32X4_SUB).get(b2v).simd(F32X4_MUL).simd(F32X4_ADD).set(vv);
      addr(v).get(vv).simd(V128_STORE, ANY_ALIGN);
      // p − (m·step) / (√v + ε)
      addr(p);
      addr(p).simd(V128_LOAD, ANY_ALIGN);
      f.get(mv).get(stepV).simd(F32X4_MUL).get(vv).simd(F32X4_SQRT).get(epsV).simd(F32X4_ADD).simd(F32X4_DIV).simd(F32X4_SUB);
      f.simd(V128_STORE, ANY_ALIGN);
      f.get(at).i32(16).i32op(ADD).set(at);
    },
  );
  return f;
}

/** dropout(target, rows, units, stride, threshold, keep, state) → state; see SimdKernels.dropout. */
function dropoutBody(): Body {
  const [target, rows, units, stride, threshold, keep, a] = [0, 1, 2, 3, 4, 5, 6];
  const f = new Body(7);
  const size = f.local(I32);
  const k = f.local(I32);
  const column = f.local(I32);
  const at = f.local(I32);
  const t = f.local(I32);
  const XOR = 0x73;
  const OR = 0x72;
  const AND = 0x71;
  const SHR_U = 0x76;
  const LT_U = 0x49;
  const EQ = 0x46;
  const F32_STORE = 0x38;
  const SELECT = 0x1b;
  f.get(rows).get(units).i32op(MUL).set(size);
  f.get(target).set(at);
  /** Stores select(0, keep, draw < threshold) at at + 4·column, then moves to the next slot. */
  const put = (draw: () => void) => {
    f.get(at).get(column).i32(4).i32op(MUL).i32op(ADD);
    f.emit(0x43, 0, 0, 0, 0).get(keep); // f32.const 0, keep
    draw();
    f.get(threshold).i32op(LT_U).emit(SELECT).emit(F32_STORE, 2, 0);
    f.get(column).i32(1).i32op(ADD).set(column);
    f.when(
      () => f.get(column).get(units).i32op(EQ),
      () => {
        f.i32(0).set(column);
        f.get(at).get(stride).i32(4).i32op(MUL).i32op(ADD).set(at);
      },
    );
  };
  f.while(
    () => f.get(k).get(size).i32op(LT_S),
    () => {
      // mulberry32, as src/core/util/random.ts
      f.get(a).i32(0x6d2b79f5).i32op(ADD).set(a);
      f.get(a).set(t);
      f.get(t).get(t).i32(15).i32op(SHR_U).i32op(XOR).get(t).i32(1).i32op(OR).i32op(MUL).set(t);
      f.get(t).get(t).get(t).get(t).i32(7).i32op(SHR_U).i32op(XOR).get(t).i32(61).i32op(OR).i32op(MUL).i32op(ADD).i32op(XOR).set(t);
      f.get(t).get(t).i32(14).i32op(SHR_U).i32op(XOR).set(t);
      put(() => f.get(t).i32(0xffff).i32op(AND));
      f.when(
        () => f.get(k).i32(1).i32op(ADD).get(size).i32op(LT_S),
        () => put(() => f.get(t).i32(16).i32op(SHR_U)),
      );
      f.get(k).i32(2).i32op(ADD).set(k);
    },
  );
  f.get(a);
  return f;
}

/** The module: imports env.memory, exports the gemm variants, dropout and adam. */
function moduleBytes(): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...unsignedLeb(content.length), ...content];
  const vec = (items: number[][]) => [...unsignedLeb(items.length), ...items.flat()];
  const name = (s: string) => [...unsignedLeb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const funcType = (params: number[], results: number[] = []) => [0x60, ...vec(params.map((t) => [t])), ...vec(results.map((t) => [t]))];
  const types = vec([
    funcType([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F32]),
    funcType([I32, I32, I32, I32, I32, F32, F32, F32, F32]),
    funcType([I32, I32, I32, I32, I32, F32, I32], [I32]),
  ]);
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]); // memory, min 1 page
  // Functions 0 … GEMM_VARIANTS − 1: gemm with those flags; then adam, then dropout.
  const functions = vec([...Array.from({ length: GEMM_VARIANTS }, () => [0x00]), [0x01], [0x02]]);
  const exports = vec([
    ...Array.from({ length: GEMM_VARIANTS }, (_, v) => [...name(`gemm${v}`), 0x00, ...unsignedLeb(v)]),
    [...name('adam'), 0x00, ...unsignedLeb(GEMM_VARIANTS)],
    [...name('dropout'), 0x00, ...unsignedLeb(GEMM_VARIANTS + 1)],
  ]);
  const code = vec([...Array.from({ length: GEMM_VARIANTS }, (_, v) => gemmBody(v).encode()), adamBody().encode(), dropoutBody().encode()]);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** Every combination of the GEMM flags. */
const GEMM_VARIANTS = 16;

let compiled: object | null = null;
let available: boolean | null = null;

/** True when this JavaScript engine runs WebAssembly SIMD (Node ≥ 16.4, current browsers). */
export function simdAvailable(): boolean {
  if (available === null) {
    try {
      available = wasmApi !== undefined && wasmApi.validate(moduleBytes());
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * Instantiates the kernels over a fresh memory of at least `bytes` bytes (synchronously: the
 * module is a few hundred bytes). The caller lays out its buffers in `memory`.
 * @throws Error when WebAssembly SIMD is not available (see {@link simdAvailable}).
 */
export function createSimdKernels(bytes: number): SimdKernels {
  if (!wasmApi || !simdAvailable()) throw new Error('WebAssembly SIMD is not available in this JavaScript engine');
  compiled ??= new wasmApi.Module(moduleBytes());
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new wasmApi.Instance(compiled, { env: { memory } });
  type Gemm = (a: number, b: number, c: number, bias: number, rows: number, inner: number, n: number, aRowStride: number, aInnerStride: number, m: number, scale: number) => void;
  const variants = Array.from({ length: GEMM_VARIANTS }, (_, v) => instance.exports[`gemm${v}`] as Gemm);
  return {
    memory,
    gemm: (a, b, c, bias, rows, inner, n, aRowStride, aInnerStride, flags, m, scale) => variants[flags](a, b, c, bias, rows, inner, n, aRowStride, aInnerStride, m, scale),
    adam: instance.exports.adam as SimdKernels['adam'],
    dropout: instance.exports.dropout as SimdKernels['dropout'],
  };
}
