import { type BenchSection, renderSection } from './harness.js';

/** Each suite measures one area; suites run one after the other so they do not compete for cores. */
const suites: Array<{ name: string; load: () => Promise<{ run: () => Promise<BenchSection[]> }> }> =
  [
    { name: 'glob', load: () => import('./glob.bench.js') },
    { name: 'cron', load: () => import('./cron.bench.js') },
    { name: 'batching', load: () => import('./batching.bench.js') },
    { name: 'batch-store', load: () => import('./batch-store.bench.js') },
    { name: 'request-cost', load: () => import('./request-cost.bench.js') },
    { name: 'costs', load: () => import('./costs.bench.js') },
    { name: 'partitions', load: () => import('./partitions.bench.js') },
    { name: 'bundles', load: () => import('./bundles.bench.js') },
    { name: 'task-runners', load: () => import('./task-runners.bench.js') },
    { name: 'dispatch-speed', load: () => import('./dispatch-speed.bench.js') },
    { name: 'dynamodb-local', load: () => import('./dynamodb-local.bench.js') },
  ];

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((arg) => !arg.startsWith('--'));

const results: Array<{ suite: string; sections: BenchSection[] }> = [];
for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  const sections = await (await suite.load()).run();
  results.push({ suite: suite.name, sections });
  if (!json) for (const section of sections) process.stdout.write(`${renderSection(section)}\n`);
}
if (json) {
  // Today's per-suite figures, and each scenario's AWS cost per unit under one key.
  const costs = Object.assign({}, ...results.flatMap((r) => r.sections.map((s) => s.costs ?? {})));
  process.stdout.write(`${JSON.stringify({ suites: results, costs }, null, 2)}\n`);
}
