import { Heartbeat, PackageBatch, WordCount } from './examples/tasks.js';
import { defineConfig } from './lambdas/sdk/index.js';

/**
 * The demo `npm start` (bucketflow dev) applies: a bucket `demo` in the local
 * S3 server and a watched folder `inbox` (`.bucketflow/folders/inbox/`).
 * Restarting keeps what is unchanged; edit an automation here and the next
 * start replaces it and says what changed.
 *
 * `cdk deploy` (bin/app.ts) deploys the same config: `demo` is then the demo
 * bucket the stack creates, the default cluster's tasks run on a Lambda
 * function bundling examples/tasks.ts, and the folder `inbox` (local only)
 * and the automations on it are left out.
 */
export const config = defineConfig({
  clusters: {
    default: { runner: { kind: 'lambda' }, taskModules: ['examples/tasks.ts'] },
  },
  locations: {
    demo: { kind: 's3', bucket: 'demo' },
    inbox: { kind: 'local-folder' },
  },
  automations: [
    // Every new .txt object, in the bucket or dropped into the folder, gets one job.
    {
      kind: 'storage',
      name: 'word-count',
      task: new WordCount(),
      triggers: [
        ['demo', '**.txt'],
        ['inbox', '**.txt'],
      ],
    },
    // Objects grouped by their first two folders (runs/r1/...): a batch closes at
    // 5 objects or after 10 s without a new one; it emits objects-batch-ready
    // (see .bucketflow/events.jsonl) and submits a PackageBatch job.
    {
      kind: 'batch',
      name: 'demo-runs',
      location: 'demo',
      prefixDepth: 2,
      count: 5,
      quiet: 10,
      emitEvent: true,
      task: new PackageBatch(),
    },
    {
      kind: 'batch',
      name: 'inbox-runs',
      location: 'inbox',
      prefixDepth: 2,
      count: 5,
      quiet: 10,
      emitEvent: true,
      task: new PackageBatch(),
    },
    // Missed minutes while bucketflow dev was stopped are not replayed ('latest' fires one).
    {
      kind: 'cron',
      name: 'heartbeat',
      task: new Heartbeat(),
      schedules: ['* * * * *'],
      catchUp: 'latest',
    },
  ],
});
