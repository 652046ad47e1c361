/**
 * The server's metrics, kept in memory and rendered for GET /metrics in the Prometheus text
 * exposition format (version 0.0.4): `# HELP` and `# TYPE` lines, then one sample per line,
 * `name{label="value",…} number`; histograms as cumulative `_bucket{le="…"}` counts with
 * `_sum` and `_count`. Counters start at the server's start (Prometheus handles restarts).
 *
 * Also the recent window the dashboard reads (requests per second and latency percentiles
 * over the last minute), which Prometheus would compute from the histogram itself.
 */

type Labels = Record<string, string>;

/** Escapes a label value: backslash, double quote and line feed (the format's rule). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}` : '';
}

/** A number as Prometheus reads it (+Inf, -Inf, NaN spelled out). */
function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Family {
  readonly type = 'counter';
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const v = this.values.get(key);
    if (v) v.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  /** Every labelled value (for derived gauges). */
  entries(): Array<{ labels: Labels; value: number }> {
    return [...this.values.values()];
  }
  render(): string[] {
    return [...this.values.values()].map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`);
  }
}

export class Gauge implements Family {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Array<{ labels: Labels; value: number }>,
  ) {}
  render(): string[] {
    return this.read().map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`);
  }
}

export class Histogram implements Family {
  readonly type = 'histogram';
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  /** @param buckets upper bounds, ascending (the +Inf bucket is added). */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }
  render(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => out.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(le) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** The metrics families, rendered in the order they were added. */
export class MetricsRegistry {
  private readonly families: Family[] = [];
  add<T extends Family>(family: T): T {
    this.families.push(family);
    return family;
  }
  /** The exposition text (ends with a newline). */
  render(): string {
    const lines: string[] = [];
    for (const f of this.families) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return lines.join('\n') + '\n';
  }
}

/**
 * Latencies of the last `windowMs` (a ring of at most `capacity` samples): requests per
 * second and percentiles for the dashboard, computed when asked.
 */
export class RecentWindow {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private size = 0;
  constructor(
    private readonly windowMs = 60_000,
    private readonly capacity = 1 << 17,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }
  add(atMs: number, value: number): void {
    this.times[this.next] = atMs;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }
  /**
   * Over the samples of the last windowMs before `nowMs` (or since `sinceMs`, when later):
   * their rate per second and the 50th and 99th percentiles of their values (nearest rank;
   * null without samples). When the ring is full, the rate is of the span the ring covers.
   */
  summary(nowMs: number, sinceMs: number): { perSecond: number; p50: number | null; p99: number | null; count: number } {
    const from = Math.max(nowMs - this.windowMs, sinceMs);
    const picked: number[] = [];
    let oldest = nowMs;
    for (let i = 0; i < this.size; i++) {
      if (this.times[i] >= from && this.times[i] <= nowMs) {
        picked.push(this.values[i]);
        if (this.times[i] < oldest) oldest = this.times[i];
      }
    }
    const span = (this.size === this.capacity && picked.length === this.size ? nowMs - oldest : nowMs - from) / 1000;
    picked.sort((a, b) => a - b);
    const rank = (q: number) => (picked.length ? picked[Math.min(picked.length - 1, Math.max(0, Math.ceil(q * picked.length) - 1))] : null);
    return { perSecond: span > 0 ? picked.length / span : 0, p50: rank(0.5), p99: rank(0.99), count: picked.length };
  }
}
