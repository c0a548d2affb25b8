import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbAutomationStore } from '../adapters/aws/automation-store/dynamodb-automation-store.js';
import type { AwsClients } from '../adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../adapters/aws/batch-store/dynamodb-batch-store.js';
import { DynamoDbDeliveryLedger } from '../adapters/aws/batch-store/dynamodb-delivery-ledger.js';
import { EventBridgePublisher } from '../adapters/aws/events/eventbridge-publisher.js';
import { DynamoDbJobStore } from '../adapters/aws/job-store/dynamodb-job-store.js';
import { SqsTaskQueue } from '../adapters/aws/queues/sqs-task-queue.js';
import type { StartedTracing } from '../adapters/otel/tracing-setup.js';
import { METRIC_CATALOG, METRIC_SERVICE } from '../core/metrics/metric-catalog.js';
import type { AutomationStore } from '../core/ports/automation-store.js';
import type { DeliveryLedger } from '../core/ports/delivery-ledger.js';
import type { EventPublisher } from '../core/ports/event-publisher.js';
import { AutomationCatalog } from '../core/services/automation-catalog.js';
import type { ServiceDependencies, ServiceEvent } from '../core/services/service-dependencies.js';
import type { HandlerConfig } from './config.js';
import { MetricEmitter } from './metric-emitter.js';

/** Automations are re-read at most this often per warm function. */
export const CATALOG_TTL_MS = 60_000;

/** Everything a handler uses, built once per cold start. */
export interface HandlerRuntime {
  readonly deps: ServiceDependencies;
  readonly automations: AutomationStore;
  /** Which object versions were delivered: the ingest handler admits each one once. */
  readonly deliveries: DeliveryLedger;
  readonly logger: Logger;
  /** Emits the catalogue's metrics; handlers call `publish()` before they return. */
  readonly metrics: MetricEmitter;
  /** Epoch ms: the one clock of this runtime, shared by its handlers, stores and queue. */
  readonly clock: () => number;
  /** Exports the spans that ended; handlers call it before they return. */
  flushTraces(): Promise<void>;
  /**
   * The enabled automations, cached for `catalogTtlMs` ({@link CATALOG_TTL_MS} by default);
   * `fresh` reads them now (and caches that), for a caller that must not act on a stale list.
   */
  catalog(now: number, options?: { readonly fresh?: boolean }): Promise<AutomationCatalog>;
}

export interface RuntimeOptions {
  /** Replaces the EventBridge publisher (local mode has no EventBridge). */
  readonly eventPublisher?: EventPublisher;
  readonly logger?: Logger;
  /** Powertools Metrics to emit through. @default the catalogue's namespace and service */
  readonly metrics?: Metrics;
  /** How long automations are cached; local mode re-reads them every second or so. @default CATALOG_TTL_MS */
  readonly catalogTtlMs?: number;
  /** Also receives every service event (local mode prints them as its live log). */
  readonly observe?: (event: ServiceEvent) => void;
  /**
   * Epoch ms now, for the handlers and every store and queue they use: one
   * clock, so an expiry written by one is read against the same time by another.
   * @default Date.now
   */
  readonly clock?: () => number;
  /** Spans of ingest and job submits, and how to export them (`startTracing`). @default none */
  readonly tracing?: Pick<StartedTracing, 'tracing' | 'flush'>;
}

/**
 * Wires the AWS adapters to the services. Clients are injected, so tests
 * and local mode point the same wiring at the local servers.
 *
 * @example
 * ```ts
 * const runtime = createHandlerRuntime(loadHandlerConfig(process.env), createAwsClients({ region }));
 * ```
 */
export function createHandlerRuntime(
  config: HandlerConfig,
  clients: AwsClients,
  options: RuntimeOptions = {},
): HandlerRuntime {
  const logger = options.logger ?? new Logger({ serviceName: METRIC_SERVICE });
  const metrics = new MetricEmitter(options.metrics);
  const clock = options.clock ?? Date.now;
  const jobs = new DynamoDbJobStore({
    client: clients.dynamodb,
    tableName: config.tables.jobs,
    clock,
  });
  const batches = new DynamoDbBatchStore({
    client: clients.dynamodb,
    tableName: config.tables.batches,
    clock,
  });
  const automations = new DynamoDbAutomationStore({
    client: clients.dynamodb,
    tableName: config.tables.automations,
    clock,
  });
  const queue = new SqsTaskQueue({
    client: clients.sqs,
    prefix: config.taskQueuePrefix,
    maxReceiveCount: config.taskQueueMaxReceiveCount,
    clock,
  });
  const publisher =
    options.eventPublisher ??
    new EventBridgePublisher({
      client: clients.eventbridge,
      eventBusName: config.eventBusName,
      membersTable: config.tables.batches,
    });
  const deps: ServiceDependencies = {
    jobs,
    batches,
    membersTable: config.tables.batches,
    taskQueue: queue,
    eventPublisher: {
      publishBatchReady: async (ready) => {
        await publisher.publishBatchReady(ready);
        metrics.emit(METRIC_CATALOG.batchReadyEvents, ready.length, {});
      },
    },
    observe: (event) => {
      observe(logger, metrics, event);
      options.observe?.(event);
    },
    tracing: options.tracing?.tracing,
  };
  const catalogTtlMs = options.catalogTtlMs ?? CATALOG_TTL_MS;
  let cached: { at: number; catalog: Promise<AutomationCatalog> } | undefined;
  const deliveries = new DynamoDbDeliveryLedger({
    client: clients.dynamodb,
    tableName: config.tables.batches,
  });
  return {
    deps,
    automations,
    deliveries,
    logger,
    metrics,
    clock,
    flushTraces: () => options.tracing?.flush() ?? Promise.resolve(),
    catalog(now, { fresh = false } = {}) {
      if (fresh || !cached || now - cached.at >= catalogTtlMs) {
        const catalog = Promise.all([automations.list(), automations.listLocations()]).then(
          ([list, locations]) => new AutomationCatalog(list, locations),
        );
        catalog.catch(() => {
          cached = undefined;
        });
        cached = { at: now, catalog };
      }
      return cached.catalog;
    },
  };
}

function observe(logger: Logger, metrics: MetricEmitter, event: ServiceEvent): void {
  switch (event.type) {
    case 'job-submitted':
      if (event.created) {
        metrics.emit(METRIC_CATALOG.jobsSubmitted, 1, { automation: event.automation });
      }
      logger.info(event.created ? 'job submitted' : 'job already submitted', { ...event });
      return;
    case 'batch-closed': {
      const dimensions = { automation: event.automation, closeReason: event.batch.reason };
      metrics.emit(METRIC_CATALOG.batchesClosed, 1, dimensions);
      metrics.emit(
        METRIC_CATALOG.batchAgeAtClose,
        event.batch.closedAt - event.batch.firstEventAt,
        dimensions,
      );
      logger.info('batch closed', {
        automation: event.automation,
        batchId: event.batch.batchId,
        bucket: event.batch.bucket,
        prefix: event.batch.prefix,
        count: event.batch.count,
        reason: event.batch.reason,
      });
      return;
    }
    case 'batch-dispatched':
      logger.info('batch dispatched', { ...event });
      return;
    case 'batch-dispatch-failed':
      metrics.emit(METRIC_CATALOG.batchDispatchFailures, 1, { automation: event.automation });
      logger.warn('batch dispatch failed; retried with backoff', {
        automation: event.automation,
        batchId: event.batchId,
        attempts: event.attempts,
        retryAt: new Date(event.retryAt).toISOString(),
        error: event.error instanceof Error ? event.error.message : String(event.error),
      });
      return;
    case 'batches-stuck':
      metrics.emit(METRIC_CATALOG.stuckBatches, event.count, {});
      if (event.count > 0) logger.warn('batches stuck', { count: event.count });
      return;
    case 'tasks-requeued':
      metrics.emit(METRIC_CATALOG.tasksRequeued, event.count, { reason: event.reason });
      logger.info('tasks re-queued', { ...event });
      return;
    case 'error':
      logger.error(
        `failed: ${event.where}`,
        event.error instanceof Error ? event.error : String(event.error),
      );
      return;
  }
}
