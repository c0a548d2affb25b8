import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, handlerEntry, LAMBDA_ENTRY_MODULE } from '../lib/bundling.js';
import { type BenchSection, fmt } from './harness.js';

/** The entries the CDK stacks bundle: the handlers, and the Lambda runner before user tasks join it. */
const ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ...(['s3-ingest', 'batch-sweep', 'cron-tick', 'task-reconcile', 'config-apply'] as const).map(
    (name) => [name, handlerEntry(name)] as const,
  ),
  ['task-runner (bucketflow/lambda)', LAMBDA_ENTRY_MODULE],
];
/** Bundles above this size slow cold starts and deployments; the target of the issue. */
const MAX_BUNDLE_BYTES = 1.5 * 1024 * 1024;
const RUNS = 5;
/** The deployed functions run with NODE_OPTIONS=--enable-source-maps, which loads the map at init. */
const DEPLOYED_NODE_FLAGS = ['--enable-source-maps'];

const execFileAsync = promisify(execFile);

/** Milliseconds a fresh `node` process spends in `import()` of the module, the median of `RUNS`. */
async function importMs(file: string, flags: readonly string[]): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await execFileAsync(
      process.execPath,
      [...flags, '--input-type=module', '-e', script],
      {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    times.push(Number(stdout));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/**
 * Bundles every handler entry with the options the constructs use (`BUNDLE_OPTIONS`) and reports its size and the
 * time a fresh Node.js process takes to import it, against an empty ES
 * module imported the same way in the same run.
 */
export async function run(): Promise<BenchSection[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bucketflow-bundles-'));
  try {
    const empty = join(dir, 'empty.mjs');
    await writeFile(empty, 'export {};\n');
    const baseline = await importMs(empty, DEPLOYED_NODE_FLAGS);
    const rows: Record<string, string | number>[] = [
      {
        handler: 'baseline: empty ES module',
        'bundle KB': 0,
        'map KB': 0,
        'init ms': fmt(baseline, 1),
        'init vs baseline': '1.0x',
      },
    ];
    const sizes: Array<{ name: string; bytes: number }> = [];
    for (const [name, entry] of ENTRIES) {
      if (await isPlaceholder(entry)) continue;
      const outfile = join(dir, String(sizes.length), 'index.mjs');
      // The metafile only describes the output; it does not change it.
      const { metafile } = await build({
        ...BUNDLE_OPTIONS,
        entryPoints: [entry],
        outfile,
        metafile: true,
      });
      const bytes = (await stat(outfile)).size;
      const mapBytes = (await stat(`${outfile}.map`)).size;
      sizes.push({ name, bytes });
      const deployed = await importMs(outfile, DEPLOYED_NODE_FLAGS);
      const withoutMaps = await importMs(outfile, []);
      rows.push({
        handler: name,
        'bundle KB': fmt(bytes / 1024, 1),
        'map KB': fmt(mapBytes / 1024, 1),
        'init ms': fmt(deployed, 1),
        'init vs baseline': `${fmt(deployed / baseline, 1)}x`,
        'init ms, no source maps': fmt(withoutMaps, 1),
        'largest parts (KB)': largestParts(metafile?.outputs ?? {}, 3),
      });
    }
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a), { name: '-', bytes: 0 });
    return [
      {
        title: `Handler bundles (esbuild, CDK settings), import() in a fresh node, median of ${RUNS}`,
        rows,
        checks: [
          {
            name: 'no bundle over 1.5 MB',
            pass: sizes.length > 0 && largest.bytes <= MAX_BUNDLE_BYTES,
            detail: `largest ${largest.name} ${fmt(largest.bytes / 1024, 1)} KB (limit ${fmt(MAX_BUNDLE_BYTES / 1024)} KB), ${sizes.length} bundles`,
          },
        ],
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The packages (or `src` for the project's own code) that take the most bytes of the bundle. */
function largestParts(
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>,
  count: number,
): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const part = match?.[1] ?? 'src';
      bytes.set(part, (bytes.get(part) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([part, size]) => `${part} ${fmt(size / 1024)}`)
    .join(', ');
}

/** An entry that still only throws "not yet implemented" is not deployed code worth measuring. */
async function isPlaceholder(entry: string): Promise<boolean> {
  return /not yet implemented/i.test(await readFile(entry, 'utf8'));
}
