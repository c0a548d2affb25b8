import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3EventBridgeEvent } from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { ensureTaskDeadLetterQueue } from '../../lambdas/adapters/aws/queues/queue-setup.js';
import { LocalTaskLog } from '../../lambdas/adapters/local/local-task-log.js';
import type { StorageLocation } from '../../lambdas/core/automations/storage-location.js';
import { normalizeEtag } from '../../lambdas/core/events/delivery-version.js';
import { createBatchSweepHandler } from '../../lambdas/handlers/batch-sweep.js';
import { createCronTickHandler } from '../../lambdas/handlers/cron-tick.js';
import type { HandlerRuntime } from '../../lambdas/handlers/runtime.js';
import type { SqsBatchResponse, SqsEvent } from '../../lambdas/handlers/sqs-event.js';
import { createTaskReconcileHandler } from '../../lambdas/handlers/task-reconcile.js';
import type { Client } from '../../lambdas/sdk/client.js';
import type { TaskClass } from '../../lambdas/sdk/task.js';
import { teeLogSink } from '../../lambdas/sdk/task-logger.js';
import { DeadLetterMonitor } from './dead-letter-monitor.js';
import {
  CACHE_BUCKET,
  CRON_PERIOD_MS,
  RECONCILE_PERIOD_MS,
  RUNNER_WAIT_SECONDS,
  SWEEP_PERIOD_MS,
} from './dev-constants.js';
import { DurableIngest } from './durable-ingest.js';
import { FolderWatcher } from './folder-watcher.js';
import { forwardS3Events } from './ingest-events.js';
import type { IngestJournal } from './ingest-journal.js';
import { IngestPump } from './ingest-pump.js';
import { JobTracker } from './job-tracker.js';
import type { LiveLog } from './live-log.js';
import type { LocalStack } from './stack-bootstrap.js';
import { startTimers } from './timers.js';

/** Receives at most made to empty the ingest queue on stop (what is left replays next start). */
const DRAIN_RECEIVES = 20;
/** In-process runners per cluster, each running one task at a time. */
const RUNNERS_PER_CLUSTER = 4;

export interface DevServicesOptions {
  readonly stack: LocalStack;
  readonly runtime: HandlerRuntime;
  /** A client on the local stack, for the in-process runners. */
  readonly client: Client;
  readonly log: LiveLog;
  /** Registered locations: the local folders among them are watched. */
  readonly locations: readonly StorageLocation[];
  readonly ingest: (event: SqsEvent) => Promise<SqsBatchResponse>;
  /** Task classes of the in-process runners. */
  readonly tasks: readonly TaskClass[];
  /** One runner per cluster slug; none with `--no-runner`. */
  readonly runnerClusters: readonly string[];
  readonly folderStateFile: string;
  /** The durable ingest journal of the data directory. */
  readonly journal: IngestJournal;
  /** Where the dead-letter queues' messages are kept across restarts. */
  readonly deadLettersFile: string;
  /** The data directory, whose task log the runners append to (read by `bucketflow jobs logs`). */
  readonly dataDir: string;
  /** Journal ids of ingested events, as the pump marks them done. */
  readonly onIngested?: (ids: readonly string[]) => void;
}

/** The running parts; `stop()` stops them in order and waits for each. */
export interface DevServices {
  readonly tracker: JobTracker;
  /** Journals and sends events (the S3 forwarder's, the watcher's, backfills'). */
  readonly durableIngest: DurableIngest;
  /** Journal ids restored into the ingest DLQ at start (not replayed). */
  readonly parked: ReadonlySet<string>;
  /** The dead letters of every queue, as last looked at. */
  readonly deadLetters: DeadLetterMonitor;
  stop(): Promise<void>;
}

/**
 * Starts what runs while `bucketflow dev` is up: the dead letters saved by
 * the last run (restored first), the durable ingest (journal and sender,
 * which replays what the journal holds), the S3 event forwarder and the
 * folder watcher (sources), the ingest pump, the dead-letter monitor, the
 * sweep, cron and reconcile timers, the job tracker of the live log, and
 * the runners. On stop the sources stop first, the ingest queue is emptied
 * as far as it goes quickly, then the timers, and the runners finish their tasks.
 *
 * @example
 * ```ts
 * const services = await startDevServices(options);
 * await services.stop();
 * ```
 */
export async function startDevServices(options: DevServicesOptions): Promise<DevServices> {
  const { stack, runtime, log } = options;
  let stopping = false;
  const onError = (where: string) => (error: unknown) => {
    // A terminal's Ctrl-C also reaches DynamoDB Local (same process group), so while
    // stopping, refused connections are expected and not worth a line each.
    if (stopping && (error as NodeJS.ErrnoException)?.code === 'ECONNREFUSED') return;
    log.line('error', `${where}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const { sqs, s3 } = stack.clients;
  const monitor = new DeadLetterMonitor({
    sqs,
    sources: {
      ingestQueueUrl: stack.ingestQueueUrl,
      taskQueuePrefix: stack.config.taskQueuePrefix,
    },
    file: options.deadLettersFile,
    onDeadLetter: (line) => log.line('dead', line),
    ensureTaskDeadLetterQueue: async (name) => {
      await ensureTaskDeadLetterQueue(sqs, name);
    },
    onError: onError('dead letters'),
  });
  const parked = await monitor.restore();

  const tracker = new JobTracker({
    jobs: runtime.deps.jobs,
    onFinished: (job) => log.jobFinished(job),
    onError: onError('job tracker'),
  });
  log.follow({
    jobs: runtime.deps.jobs,
    onJobSubmitted: (jobId) => tracker.track(jobId),
    onTaskFinished: (jobId) => void tracker.check(jobId),
  });
  tracker.start();

  const durableIngest = new DurableIngest({
    journal: options.journal,
    sqs,
    queueUrl: stack.ingestQueueUrl,
    complete: (event) => withEtag(s3, event),
    onError: onError('ingest journal'),
  });
  durableIngest.start({ parked });

  const pump = new IngestPump({
    sqs,
    queueUrl: stack.ingestQueueUrl,
    handler: options.ingest,
    journal: options.journal,
    onIngested: options.onIngested,
    onError: onError('ingest'),
  });
  pump.start();
  monitor.start();

  const forwarder = forwardS3Events({
    emitter: stack.servers.s3Events,
    accept: (events) => durableIngest.accept(events),
    skipBuckets: new Set([CACHE_BUCKET]),
    onEvent: (event) => log.objectEvent(event, 's3'),
    onError: onError('S3 events'),
  });
  const watcher = new FolderWatcher({
    folders: options.locations.flatMap((location) =>
      location.kind === 'local-folder' ? [{ name: location.name, path: location.path }] : [],
    ),
    send: async (events) => {
      durableIngest.accept(events);
    },
    stateFile: options.folderStateFile,
    onEvent: (event) => log.objectEvent(event, 'folder'),
    onError: onError('folder watcher'),
  });
  await watcher.start();

  const timers = startTimers(
    [
      { name: 'sweep', periodMs: SWEEP_PERIOD_MS, run: createBatchSweepHandler(runtime) },
      { name: 'cron', periodMs: CRON_PERIOD_MS, run: createCronTickHandler(runtime) },
      {
        name: 'reconcile',
        periodMs: RECONCILE_PERIOD_MS,
        run: createTaskReconcileHandler(runtime),
      },
    ],
    (name, error) => onError(name)(error),
  );

  const { client } = options;
  const abort = new AbortController();
  const logSink = teeLogSink(
    (record) => log.runnerRecord(record),
    new LocalTaskLog(options.dataDir).sink,
  );
  // Several runners of one task each rather than one of several: the local SQS server ends
  // a long poll for N messages only once N arrived or the wait is over, so a runner asking
  // for one message is woken at once.
  const runners = options.runnerClusters.flatMap((cluster) =>
    Array.from({ length: RUNNERS_PER_CLUSTER }, () =>
      client
        .runner({
          cluster,
          tasks: options.tasks,
          concurrency: 1,
          waitSeconds: RUNNER_WAIT_SECONDS,
          logSink,
        })
        .runForever({ signal: abort.signal }),
    ),
  );

  return {
    tracker,
    durableIngest,
    parked,
    deadLetters: monitor,
    async stop() {
      stopping = true;
      forwarder.stop();
      await watcher.stop();
      await durableIngest.stop();
      await pump.stop();
      // Ingest what the sources sent last; anything left is replayed from the journal next start.
      for (let receive = 0; receive < DRAIN_RECEIVES; receive++) {
        const result = await pump.pumpOnce(0).catch((error: unknown) => {
          onError('ingest')(error);
          return { received: 0 };
        });
        if (result.received === 0) break;
      }
      await monitor.stop();
      await monitor.check().catch(onError('dead letters'));
      await timers.stop();
      abort.abort();
      await Promise.all(runners);
      await tracker.stop();
    },
  };
}

/** The S3 server's copy records carry no ETag; S3's EventBridge events do. */
async function withEtag(
  s3: LocalStack['clients']['s3'],
  event: S3EventBridgeEvent,
): Promise<S3EventBridgeEvent> {
  if (event['detail-type'] !== 'Object Created' || event.detail.object.etag !== undefined) {
    return event;
  }
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: event.detail.bucket.name, Key: event.detail.object.key }),
  );
  if (!head.ETag) return event;
  return {
    ...event,
    detail: { ...event.detail, object: { ...event.detail.object, etag: normalizeEtag(head.ETag) } },
  };
}
