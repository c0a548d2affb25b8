import type { ScenarioCost } from './support/cost-model.js';

/** One table of figures printed by `npm run bench`. */
export interface BenchSection {
  readonly title: string;
  readonly rows: ReadonlyArray<Record<string, string | number>>;
  /** Target checks: a line each, printed under the table and kept in the JSON. */
  readonly checks?: ReadonlyArray<{
    readonly name: string;
    readonly pass: boolean;
    readonly detail: string;
  }>;
  /** How to read the figures (machine limits, server quirks): a line each, after the checks. */
  readonly notes?: ReadonlyArray<string>;
  /** Per scenario, what one unit costs on AWS; `--json` gathers them under `costs`. */
  readonly costs?: Readonly<Record<string, ScenarioCost>>;
}

export interface Throughput {
  /** Operations per second over the measured window. */
  readonly opsPerSecond: number;
  readonly operations: number;
  readonly elapsedMs: number;
}

/**
 * Runs `fn` (which performs `opsPerCall` operations) repeatedly for at least
 * `minMs` after a warm-up, and returns the throughput. Figures are meant to be
 * compared with a baseline measured in the same run, never with constants.
 */
export function measureThroughput(
  fn: () => unknown,
  opsPerCall = 1,
  { minMs = 400, warmupMs = 100 }: { minMs?: number; warmupMs?: number } = {},
): Throughput {
  let sink: unknown;
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) sink = fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    sink = fn();
    calls++;
    now = performance.now();
  }
  keep(sink);
  const elapsedMs = now - start;
  const operations = calls * opsPerCall;
  return { opsPerSecond: (operations / elapsedMs) * 1000, operations, elapsedMs };
}

let blackhole: unknown;
/** Keeps a result alive so that the engine cannot drop the measured work. */
export function keep(value: unknown): void {
  blackhole = value;
}
export function lastKept(): unknown {
  return blackhole;
}

/** Formats a number with thousands separators and at most `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** Renders a section as an aligned text table. */
export function renderSection(section: BenchSection): string {
  const columns = [...new Set(section.rows.flatMap((row) => Object.keys(row)))];
  const cells = section.rows.map((row) => columns.map((column) => String(row[column] ?? '')));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (values: string[]) =>
    values.map((value, i) => value.padStart(widths[i] ?? 0)).join('  ');
  const out = [`\n## ${section.title}`, line(columns), line(widths.map((w) => '-'.repeat(w)))];
  for (const row of cells) out.push(line(row));
  for (const check of section.checks ?? []) {
    out.push(`${check.pass ? 'PASS' : 'MISS'}  ${check.name}: ${check.detail}`);
  }
  for (const note of section.notes ?? []) out.push(`note: ${note}`);
  return out.join('\n');
}

/** The best of `runs` measurements: the least disturbed by other work on the machine. */
export function bestOf(measure: () => Throughput, runs = 3): Throughput {
  let best = measure();
  for (let i = 1; i < runs; i++) {
    const next = measure();
    if (next.opsPerSecond > best.opsPerSecond) best = next;
  }
  return best;
}

/** mulberry32: a small seeded PRNG, so that every run measures the same workload. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
