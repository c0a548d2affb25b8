import { compileGlob } from '../lambdas/core/glob/glob.js';
import { GlobAutomaton } from '../lambdas/core/glob/glob-automaton.js';
import { parseGlob } from '../lambdas/core/glob/glob-parser.js';
import { isLinearRegex } from '../lambdas/core/glob/glob-regex.js';
import { type BenchSection, bestOf, fmt, measureThroughput, type Throughput } from './harness.js';

/** Length of the keys the backtracking RegExp is measured on: long enough to hurt, short enough to finish. */
const SHORT_KEY = 24;
/** The longest S3 key: the safe path alone is measured there, where the RegExp would not finish. */
const LONGEST_KEY = 1_024;

/**
 * Patterns a backtracking RegExp cannot test in linear time, each with the
 * key of a given length it is measured on. The first two are the issue's
 * patterns on `aaaa…`, which the safe path rejects on the literal suffix
 * alone; the keys of the others pass that check, so the automaton walks them.
 */
const BACKTRACKING_CASES: ReadonlyArray<{
  pattern: string;
  label?: string;
  key: (length: number) => string;
}> = [
  { pattern: '*a*a*a*a*a*a*b', key: (length) => 'a'.repeat(length) },
  { pattern: '**a**a**a**a**b', key: (length) => 'a'.repeat(length) },
  { pattern: '*a*a*a*a*a*a*b', key: (length) => `${'a'.repeat(length - 2)}/b` },
  { pattern: '**a**a**a**a**[b]', key: (length) => 'a'.repeat(length) },
  {
    pattern: `${'{a,a}'.repeat(16)}b`,
    label: '{a,a} ×16, then b',
    key: (length) => `${'a'.repeat(length - 1)}b`,
  },
];

/** Triggers as written in practice: `test` is the RegExp, so its ratio should be about 1. */
const TYPICAL_CASES: ReadonlyArray<{ pattern: string; key: string }> = [
  { pattern: 'teams/team-7/landsat/**/*.tif', key: 'teams/team-7/landsat/2024/06/x7f3.tif' },
  { pattern: 'data/**/raw/*.csv', key: 'data/2024/06/01/raw/readings-0042.csv' },
  { pattern: '**.{tif,tiff}', key: 'scenes/2024/06/01/tile-0042.tiff' },
];

/** Keys per measured call on short keys, so that a call is long enough to time. */
const SHORT_CALLS = 200;

/**
 * `CompiledGlob.test` (the safe path) against the backtracking RegExp: on
 * patterns that make the RegExp backtrack catastrophically, at 24-character
 * keys (where the RegExp still finishes) and, for `test` alone, at the
 * longest S3 key; and on typical patterns, where `test` is that RegExp.
 * Part of the `glob` suite.
 *
 * @example
 * ```ts
 * console.log(renderSection(backtrackingSection()));
 * ```
 */
export function backtrackingSection(): BenchSection {
  const rows: Array<Record<string, string | number>> = [];
  let worstPathological = Infinity;
  let worstLongKey = Infinity;
  for (const { pattern, label, key } of BACKTRACKING_CASES) {
    const glob = compileGlob(pattern);
    const short = key(SHORT_KEY);
    const safe = bestOf(() => measureRepeated(glob.test, short, SHORT_CALLS));
    // One call at a time: a single test of the RegExp can take milliseconds.
    const backtracking = bestOf(() => measureRepeated((k) => glob.regex.test(k), short, 1));
    const long = bestOf(() => measureRepeated(glob.test, key(LONGEST_KEY), 1));
    const ratio = safe.opsPerSecond / backtracking.opsPerSecond;
    worstPathological = Math.min(worstPathological, ratio);
    worstLongKey = Math.min(worstLongKey, long.opsPerSecond / backtracking.opsPerSecond);
    rows.push({
      pattern: label ?? pattern,
      'test() path': isLinearRegex(parseGlob(pattern)) ? 'RegExp' : 'automaton',
      key: abbreviate(short),
      'test() keys/s': fmt(safe.opsPerSecond),
      'RegExp keys/s': fmt(backtracking.opsPerSecond),
      'test() ÷ RegExp': `${fmt(ratio, 1)}×`,
      [`test() keys/s at ${fmt(LONGEST_KEY)} chars`]: fmt(long.opsPerSecond),
    });
  }
  let worstTypical = Infinity;
  for (const { pattern, key } of TYPICAL_CASES) {
    const glob = compileGlob(pattern);
    const automaton = new GlobAutomaton(parseGlob(pattern));
    const safe = bestOf(() => measureRepeated(glob.test, key, SHORT_CALLS));
    const regex = bestOf(() => measureRepeated((k) => glob.regex.test(k), key, SHORT_CALLS));
    const forced = bestOf(() => measureRepeated((k) => automaton.test(k), key, SHORT_CALLS));
    const ratio = safe.opsPerSecond / regex.opsPerSecond;
    worstTypical = Math.min(worstTypical, ratio);
    rows.push({
      pattern,
      'test() path': isLinearRegex(parseGlob(pattern)) ? 'RegExp' : 'automaton',
      key: abbreviate(key),
      'test() keys/s': fmt(safe.opsPerSecond),
      'RegExp keys/s': fmt(regex.opsPerSecond),
      'test() ÷ RegExp': `${fmt(ratio, 2)}×`,
      'automaton-only keys/s': fmt(forced.opsPerSecond),
    });
  }
  return {
    title: `glob triggers: CompiledGlob.test (safe path) vs the backtracking RegExp (${SHORT_KEY}-char keys; ${fmt(LONGEST_KEY)}-char keys for test() alone)`,
    rows,
    checks: [
      {
        name: `test() ≥ 50× the RegExp on every pathological pattern at ${SHORT_KEY} characters`,
        pass: worstPathological >= 50,
        detail: `worst ${fmt(worstPathological, 1)}×`,
      },
      {
        name: `test() on ${fmt(LONGEST_KEY)}-char keys beats the RegExp on ${SHORT_KEY}-char keys, every pathological pattern`,
        pass: worstLongKey > 1,
        detail: `worst ${fmt(worstLongKey, 1)}× (keys/s)`,
      },
      {
        name: 'test() ≥ 0.9× the RegExp on typical patterns',
        pass: worstTypical >= 0.9,
        detail: `worst ${fmt(worstTypical, 2)}×`,
      },
    ],
  };
}

/** Throughput of testing one key `calls` times per measured call. */
function measureRepeated(test: (key: string) => boolean, key: string, calls: number): Throughput {
  return measureThroughput(() => {
    let total = 0;
    for (let call = 0; call < calls; call++) if (test(key)) total++;
    return total;
  }, calls);
}

function abbreviate(key: string): string {
  return key.length <= 16 ? key : `${key.slice(0, 6)}…${key.slice(-8)}`;
}
