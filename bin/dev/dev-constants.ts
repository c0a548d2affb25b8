// Names and periods of the local stack `bucketflow dev` runs. The AWS stack's
// limits live in lib/constants.ts, which imports aws-cdk-lib (a few seconds of
// start-up); the values local mode shares with it are repeated here.

/** Physical table name of a TableDefinition id: `bucketflow-jobs`, ... */
export const LOCAL_TABLE_PREFIX = 'bucketflow-';
/** The ingest queue (the EventBridge rule's target on AWS) and its DLQ. */
export const INGEST_QUEUE_NAME = 'bucketflow-ingest';
export const INGEST_DLQ_NAME = 'bucketflow-ingest-dlq';
/** As DLQ_MAX_RECEIVE_COUNT of the stack: a poison event reaches the DLQ after 5 receives. */
export const INGEST_MAX_RECEIVE_COUNT = 5;
/**
 * The stack derives 370 s from the ingest function's timeout; the local pump
 * handles a receive in well under a second, so a batch that failed as a whole
 * is retried after 30 s instead of six minutes.
 */
export const INGEST_VISIBILITY_SECONDS = 30;
/** Messages per receive of the ingest pump (the SQS maximum) and its long poll. */
export const INGEST_RECEIVE_MAX = 10;
export const INGEST_WAIT_SECONDS = 1;
/** Bucket of job caches in the local S3 server; its object events are not ingested. */
export const CACHE_BUCKET = 'bucketflow-cache';
/** The custom bus name handlers are configured with; local mode publishes to a JSON Lines file instead. */
export const LOCAL_EVENT_BUS_NAME = 'bucketflow-local';

/** Timers standing in for the EventBridge schedules (every minute on AWS). */
export const SWEEP_PERIOD_MS = 1_000;
export const CRON_PERIOD_MS = 5_000;
export const RECONCILE_PERIOD_MS = 5_000;
/** Automations created in a second terminal take effect within this long. */
export const LOCAL_CATALOG_TTL_MS = 1_000;
/** How often watched folders are scanned. */
export const FOLDER_SCAN_MS = 500;
/** How often the live log checks the state of jobs it saw submitted. */
export const JOB_POLL_MS = 1_000;
/** Long poll of the in-process runners: a stop waits at most this long for an idle poll. */
export const RUNNER_WAIT_SECONDS = 1;

/** Files in the data directory. */
export const DATA_FILES = {
  /** `objects-batch-ready` events, one JSON per line. */
  events: 'events.jsonl',
  /** What the folder watcher has ingested, so a restart does not ingest it again. */
  folderState: 'folder-watcher.json',
  /** Names of the automations the config created, so removing one from the config deletes it. */
  appliedConfig: 'applied-config.json',
  /** Last start's ports and the local servers' credentials (mode 0600), reused by the next start. */
  endpoints: 'endpoints.json',
  /** Object events not yet ingested, one JSON per line: replayed after a crash. */
  ingestJournal: 'ingest-journal.jsonl',
  /** What the dead-letter queues held when last looked at (the SQS server keeps them in memory). */
  deadLetters: 'dead-letters.json',
  /** Every runner's log lines, one JSON per line (`LOCAL_TASK_LOG_FILE`), read by `bucketflow jobs logs`. */
  taskLogs: 'task-logs.jsonl',
  /** Every span of the stack and its runners, one JSON per line (`LOCAL_TRACE_FILE`), read by `bucketflow jobs trace`. */
  traces: 'traces.jsonl',
  folders: 'folders',
} as const;
