import type { BatchRecord, BatchStore } from '../ports/batch-store.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { JobStore } from '../ports/job-store.js';
import type { TaskQueue } from '../ports/task-queue.js';
import type { Tracing } from '../ports/tracing.js';

/** What the services call: the ports, which AWS (SQS, EventBridge) and local mode implement. */
export interface ServiceDependencies {
  readonly jobs: JobStore;
  readonly batches: BatchStore;
  /**
   * Sends tasks to their routes' queues (delay until `notBefore`) and reads a
   * route's message counts: the reconciler's test for lost sends.
   */
  readonly taskQueue: Pick<TaskQueue, 'send' | 'depth'>;
  /** Publishes `objects-batch-ready` events. */
  readonly eventPublisher: EventPublisher;
  /** Name of the batches table, put in the members reference of jobs whose keys do not fit their input. */
  readonly membersTable?: string | undefined;
  /** Receives what happened, for logs and metrics. */
  readonly observe?: (event: ServiceEvent) => void;
  /** Spans around ingest and job submits; none recorded when left out. */
  readonly tracing?: Tracing | undefined;
}

/** Why the reconciler sends tasks again (a bounded set: the `reason` dimension of TasksRequeued). */
export const REQUEUE_REASONS = ['lease-expired', 'unsent', 'pending-release'] as const;
export type RequeueReason = (typeof REQUEUE_REASONS)[number];

/** A notable thing a service did; handlers turn these into log lines and metrics. */
export type ServiceEvent =
  | {
      readonly type: 'job-submitted';
      readonly automation: string;
      readonly jobId: string;
      readonly created: boolean;
      readonly cause: string;
      /** The object of a storage job, as top-level keys of the log line. */
      readonly bucket?: string | undefined;
      readonly key?: string | undefined;
      /** The job's trace, when it was submitted traced. */
      readonly traceId?: string | undefined;
    }
  | { readonly type: 'batch-closed'; readonly automation: string; readonly batch: BatchRecord }
  | {
      readonly type: 'batch-dispatched';
      readonly automation: string;
      readonly batchId: string;
      readonly event: boolean;
      readonly jobId?: string | undefined;
    }
  | {
      readonly type: 'batch-dispatch-failed';
      readonly automation: string;
      readonly batchId: string;
      /** Failed attempts so far, this one included. */
      readonly attempts: number;
      /** Epoch ms when the sweep tries again. */
      readonly retryAt: number;
      readonly error: unknown;
    }
  | {
      /** Undispatched batches whose dispatch failed `STUCK_AFTER_ATTEMPTS` times or more, counted by each sweep. */
      readonly type: 'batches-stuck';
      readonly count: number;
    }
  | {
      readonly type: 'tasks-requeued';
      readonly reason: RequeueReason;
      readonly count: number;
    }
  | { readonly type: 'error'; readonly where: string; readonly error: unknown };
