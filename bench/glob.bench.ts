import picomatch from 'picomatch';
import { compileGlob } from '../lambdas/core/glob/glob.js';
import { TriggerIndex } from '../lambdas/core/glob/trigger-index.js';
import { backtrackingSection } from './glob-backtracking.js';
import { type BenchSection, bestOf, fmt, keep, measureThroughput, seeded } from './harness.js';

const TRIGGER_COUNTS = [100, 1_000, 10_000] as const;
const KEY_COUNT = 4_000;
/** Keys checked against a brute-force loop for exactness (all triggers each). */
const EXACTNESS_KEYS = 1_000;
/** Matcher calls per baseline call, so that a call stays short even over 10,000 matchers. */
const LOOP_CALLS_PER_CALL = 100_000;

/**
 * Glob trigger matching: the trigger index against the obvious loop over
 * compiled picomatch matchers (`picomatch(pattern, { dot: true })`, the
 * baseline, measured in the same run) at 100, 1,000 and 10,000 triggers.
 * A loop over the dialect's own compiled RegExps is shown too: picomatch's
 * matcher functions do more per call than a bare `RegExp.test`, so that
 * loop is the stricter reference for what the index saves. A second
 * section measures `CompiledGlob.test` (the safe path) against the
 * backtracking RegExp on patterns that make the RegExp backtrack
 * catastrophically, and on typical patterns, where `test` is that RegExp.
 *
 * @example
 * ```ts
 * for (const section of await run()) console.log(renderSection(section));
 * ```
 */
export async function run(): Promise<BenchSection[]> {
  const rows: Array<Record<string, string | number>> = [];
  const perKeyNs = new Map<number, number>();
  const speedups = new Map<number, number>();
  const indexRates = new Map<number, number>();
  let exact = true;

  for (const count of TRIGGER_COUNTS) {
    const patterns = generateTriggers(count, 0x5eed + count);
    const keys = generateKeys(KEY_COUNT, count, 0xc0ffee + count);
    // The index is measured first, before the baselines fill the heap with thousands of matchers.
    const index = new TriggerIndex(patterns.map((pattern, value) => ({ pattern, value })));
    const indexed = bestOf(() =>
      measureThroughput(() => {
        let total = 0;
        for (const key of keys) total += index.match(key).length;
        return total;
      }, keys.length),
    );
    let matches = 0;
    for (const key of keys) matches += index.match(key).length;

    const globs = patterns.map((pattern) => compileGlob(pattern));
    for (const key of keys.slice(0, EXACTNESS_KEYS)) {
      const expected = globs.flatMap((glob, i) => (glob.test(key) ? [i] : []));
      if (index.match(key).join() !== expected.join()) exact = false;
    }
    const matchers = patterns.map((pattern) => picomatch(pattern, { dot: true }));
    const loop = bestOf(() => measureLoop(keys, matchers));
    const regexLoop = bestOf(() =>
      measureLoop(
        keys,
        globs.map((glob) => glob.test),
      ),
    );

    const speedup = indexed.opsPerSecond / loop.opsPerSecond;
    perKeyNs.set(count, 1e9 / indexed.opsPerSecond);
    speedups.set(count, speedup);
    indexRates.set(count, indexed.opsPerSecond);
    rows.push({
      triggers: fmt(count),
      'distinct patterns': fmt(new Set(patterns).size),
      'matches/key': fmt(matches / keys.length, 2),
      'index keys/s': fmt(indexed.opsPerSecond),
      'index ns/key': fmt(1e9 / indexed.opsPerSecond),
      'picomatch loop keys/s': fmt(loop.opsPerSecond),
      speedup: `${fmt(speedup, 1)}×`,
      'RegExp loop keys/s': fmt(regexLoop.opsPerSecond),
      'speedup vs RegExp loop': `${fmt(indexed.opsPerSecond / regexLoop.opsPerSecond, 1)}×`,
    });
  }

  const at1k = speedups.get(1_000) ?? 0;
  const rate1k = indexRates.get(1_000) ?? 0;
  const costRatio = (perKeyNs.get(10_000) ?? Infinity) / (perKeyNs.get(1_000) ?? 1);
  return [
    {
      title: 'glob triggers: trigger index vs a loop over picomatch matchers (key matches/s)',
      rows,
      checks: [
        {
          name: 'index returns exactly what testing every trigger returns',
          pass: exact,
          detail: exact ? 'same triggers, same order, every key' : 'MISMATCH',
        },
        {
          name: 'index ≥ 10× the picomatch loop at 1,000 triggers',
          pass: at1k >= 10,
          detail: `${fmt(at1k, 1)}×`,
        },
        {
          name: 'index ≥ 200,000 key matches/s at 1,000 triggers',
          pass: rate1k >= 200_000,
          detail: `${fmt(rate1k)} keys/s`,
        },
        {
          name: 'index cost at 10,000 triggers < 2× the cost at 1,000',
          pass: costRatio < 2,
          detail: `${fmt(costRatio, 2)}× (ns/key 10k ÷ 1k)`,
        },
      ],
    },
    backtrackingSection(),
  ];
}

/** Throughput of testing every matcher against each key, walking the keys round-robin. */
function measureLoop(keys: readonly string[], matchers: ReadonlyArray<(key: string) => boolean>) {
  const keysPerCall = Math.max(1, Math.round(LOOP_CALLS_PER_CALL / matchers.length));
  let offset = 0;
  const throughput = measureThroughput(() => {
    let total = 0;
    for (let k = 0; k < keysPerCall; k++) {
      const key = keys[(offset + k) % keys.length] as string;
      for (const matcher of matchers) if (matcher(key)) total++;
    }
    offset += keysPerCall;
    return total;
  }, keysPerCall);
  keep(offset);
  return throughput;
}

type Random = () => number;
const below = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[below(random, items.length)] as T;

/**
 * How many teams, sources, ... a deployment with `count` triggers has. Specific
 * triggers grow with the deployment (more teams, more sources), so each name
 * keeps about the same number of triggers at every size.
 */
function pools(count: number) {
  return {
    teams: Math.max(2, Math.round(count / 40)),
    sources: Math.max(2, Math.round(count / 10)),
    raws: Math.max(2, Math.round(count / 6)),
    exports: Math.max(2, Math.round(count / 12)),
  };
}

const PROJECTS = ['sentinel-2', 'landsat', 'modis', 'aerial', 'lidar', 'sar', 'dem', 'clouds'];
const RASTER_EXTENSIONS = ['tif', 'tiff', 'jp2', 'nc'];
/**
 * Broad triggers (any-depth extensions, root-only wildcards): a deployment has
 * a few of them whatever its size, since each one fires on a large share of
 * all keys; only the specific triggers grow with the deployment.
 */
const BROAD_TRIGGERS = [
  '**.csv',
  '**/*.tif',
  '**.{tif,tiff}',
  '**/_SUCCESS',
  '*',
  '*.json',
  '*/*',
  '*/*.md',
];

/** A realistic trigger set: per-team, per-source and per-export triggers plus a few broad ones. */
function generateTriggers(count: number, seed: number): string[] {
  const random = seeded(seed);
  const pool = pools(count);
  const triggers = BROAD_TRIGGERS.slice(0, Math.min(BROAD_TRIGGERS.length, count / 10));
  while (triggers.length < count) {
    const roll = random();
    if (roll < 0.4) {
      const team = below(random, pool.teams);
      const project = pick(random, PROJECTS);
      triggers.push(`teams/team-${team}/${project}/**/*.${pick(random, RASTER_EXTENSIONS)}`);
    } else if (roll < 0.65) {
      triggers.push(`incoming/source-${below(random, pool.sources)}/*.json`);
    } else if (roll < 0.82) {
      triggers.push(`raw/${below(random, pool.raws)}/**`);
    } else {
      triggers.push(`exports/export-${below(random, pool.exports)}/{daily,hourly}/*.parquet`);
    }
  }
  return triggers;
}

/** Keys shaped like the triggers' targets, with names a little outside the pools so that some miss. */
function generateKeys(total: number, count: number, seed: number): string[] {
  const random = seeded(seed);
  const pool = pools(count);
  const file = () => `${below(random, 10_000).toString(36)}`;
  const keys: string[] = [];
  while (keys.length < total) {
    const roll = random();
    if (roll < 0.3) {
      const team = below(random, Math.ceil(pool.teams * 1.2));
      const ext = pick(random, [...RASTER_EXTENSIONS, 'xml']);
      keys.push(`teams/team-${team}/${pick(random, PROJECTS)}/2024/06/${file()}.${ext}`);
    } else if (roll < 0.5) {
      const ext = pick(random, ['json', 'json', 'csv']);
      keys.push(`incoming/source-${below(random, Math.ceil(pool.sources * 1.2))}/${file()}.${ext}`);
    } else if (roll < 0.65) {
      keys.push(`raw/${below(random, Math.ceil(pool.raws * 1.2))}/${file()}/${file()}.bin`);
    } else if (roll < 0.8) {
      const cadence = pick(random, ['daily', 'hourly', 'weekly']);
      const name = `export-${below(random, Math.ceil(pool.exports * 1.2))}`;
      keys.push(`exports/${name}/${cadence}/part-${file()}.parquet`);
    } else if (roll < 0.9) {
      keys.push(pick(random, [`${file()}.json`, `${file()}.csv`, 'README.md', 'docs/README.md']));
    } else {
      keys.push(`logs/2024/06/${file()}/app-${file()}.log`);
    }
  }
  return keys;
}
