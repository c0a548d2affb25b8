import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { destroyAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { LocalEventBus } from '../../lambdas/adapters/local/local-event-bus.js';
import { startTracing } from '../../lambdas/adapters/otel/tracing-setup.js';
import { formatTaskIdentifier } from '../../lambdas/core/jobs/task-identifier.js';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../../lambdas/core/metrics/metric-catalog.js';
import { createHandlerRuntime } from '../../lambdas/handlers/runtime.js';
import { createS3IngestHandler } from '../../lambdas/handlers/s3-ingest.js';
import { Client } from '../../lambdas/sdk/client.js';
import { type BucketflowConfig, configTaskClasses } from '../../lambdas/sdk/config.js';
import {
  type Connection,
  LOCAL_CONNECTION_FILE,
  writeLocalConnection,
} from '../../lambdas/sdk/connection.js';
import { identifierOf, type TaskClass } from '../../lambdas/sdk/task.js';
import { loadTaskModules } from '../commands/runner-tasks.js';
import { formatBanner } from './banner.js';
import { applyConfig } from './config-apply.js';
import { loadConfigFile } from './config-loading.js';
import { localConsoleSources } from './console/console-local-sources.js';
import { startConsoleServer } from './console/console-server.js';
import { assertNotRunning } from './data-dir-lock.js';
import { CACHE_BUCKET, DATA_FILES, LOCAL_CATALOG_TTL_MS } from './dev-constants.js';
import { startDevServices } from './dev-services.js';
import { choosePorts, loadEndpointMemory, saveEndpointMemory } from './endpoint-memory.js';
import { IngestJournal } from './ingest-journal.js';
import { LiveLog } from './live-log.js';
import { Recovery } from './recovery.js';
import { resendQueuedTasks } from './requeue-on-start.js';
import { bootstrapStack, ensureBuckets } from './stack-bootstrap.js';

export interface DevOptions {
  /** Absolute data directory: DynamoDB and S3 files, folders, local.json. */
  readonly dataDir: string;
  /** Absolute path of the config module. */
  readonly configPath: string;
  /** Whether the path was given (`--config`): then a missing file is an error. */
  readonly configExplicit: boolean;
  /** Run in-process runners for the config's tasks. */
  readonly runner: boolean;
  readonly ports: {
    readonly dynamodb?: number | undefined;
    readonly sqs?: number | undefined;
    readonly s3?: number | undefined;
    readonly console?: number | undefined;
  };
  /** Working directory, for shorter paths in the banner. */
  readonly cwd: string;
  /** Epoch ms the command started, for the start-up time. @default now */
  readonly startedAt?: number | undefined;
  /** Where the live log and the banner go. @default process.stdout */
  readonly write?: ((text: string) => void) | undefined;
}

/** A running local stack. */
export interface DevStack {
  /** From the command's start to `local.json` written, in ms. */
  readonly startupMs: number;
  /** Stops everything in order, removes `local.json`, stops the servers. */
  stop(): Promise<void>;
}

/**
 * Starts the whole service on this machine: the local servers on the data
 * directory, the stack's tables and queues, the config's clusters, locations
 * and automations, the ingest path (S3 server events and watched folders →
 * ingest queue → s3-ingest handler), the sweep, cron and reconcile timers,
 * in-process runners and the live log; re-sends the tasks that were waiting
 * when it last stopped; then writes `local.json` and prints the banner.
 *
 * @example
 * ```ts
 * const dev = await startDev({ dataDir, configPath, configExplicit: false, runner: true, ports: {}, cwd });
 * await dev.stop();
 * ```
 */
export async function startDev(options: DevOptions): Promise<DevStack> {
  const startedAt = options.startedAt ?? Date.now();
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const { dataDir } = options;
  const log = new LiveLog({ write });
  await assertNotRunning(dataDir);
  const loaded = await loadConfigFile(options.configPath, { explicit: options.configExplicit });
  // Metrics would be printed as EMF JSON lines; there is no CloudWatch to read them locally.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const memory = await loadEndpointMemory(dataDir);
  const { ports, reused } = await choosePorts(options.ports, memory.ports);

  const stack = await bootstrapStack({
    dataDir,
    ports,
    credentials: memory.credentials,
    onListenerError: (error) => log.line('error', `S3 event listener: ${String(error)}`),
  });
  const { clients, config: handlerConfig, servers } = stack;
  // Run in reverse order on stop; the servers go last.
  const stops: Array<() => Promise<void>> = [
    () => servers.stop(),
    async () => destroyAwsClients(clients),
  ];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => log.line('error', `while stopping: ${String(error)}`));
    }
  };
  try {
    const bus = new LocalEventBus({
      file: join(dataDir, DATA_FILES.events),
      membersTable: handlerConfig.tables.batches,
    });
    // The live log replaces the handlers' JSON logs; local mode has no CloudWatch for metrics.
    const logger = new Logger({ serviceName: METRIC_SERVICE, logLevel: 'SILENT' });
    // One trace per object: ingest, job and task attempts, in the data directory's trace file
    // (and over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set). Registered for the in-process
    // runners too; shut down after them, so their last spans are written.
    const tracing = startTracing({
      serviceName: 'bucketflow-dev',
      file: join(dataDir, DATA_FILES.traces),
      env: process.env,
    });
    stops.push(() => tracing.shutdown());
    const runtime = createHandlerRuntime(handlerConfig, clients, {
      tracing,
      eventPublisher: bus,
      logger,
      metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE, logger }),
      catalogTtlMs: LOCAL_CATALOG_TTL_MS,
      observe: (event) => log.serviceEvent(event),
    });

    const applied = await applyConfig({
      store: runtime.automations,
      config: loaded.config,
      foldersRoot: join(dataDir, DATA_FILES.folders),
      stateFile: join(dataDir, DATA_FILES.appliedConfig),
    });
    for (const change of applied.changes) log.line('config', change);
    const locations = await runtime.automations.listLocations();
    await ensureBuckets(
      clients.s3,
      locations.flatMap((location) => (location.kind === 's3' ? [location.bucket] : [])),
    );
    const resentTasks = await resendQueuedTasks(runtime.deps, runtime.clock());

    const tasks = [
      ...new Set([
        ...configTaskClasses(loaded.config),
        ...(await clusterTaskClasses(loaded.config, options.cwd)),
      ]),
    ];
    const runnerClusters = options.runner && tasks.length > 0 ? applied.clusters : [];
    const connection: Connection = {
      kind: 'local',
      endpoints: servers.endpoints,
      tables: handlerConfig.tables,
      taskQueuePrefix: handlerConfig.taskQueuePrefix,
      cacheBucket: CACHE_BUCKET,
      ingestQueueUrl: stack.ingestQueueUrl,
      folders: Object.fromEntries(
        locations.flatMap((location) =>
          location.kind === 'local-folder' ? [[location.name, location.path]] : [],
        ),
      ),
      pid: process.pid,
    };
    const client = Client.fromConnection(connection, clients);
    const journal = IngestJournal.open(join(dataDir, DATA_FILES.ingestJournal));
    stops.push(async () => journal.close());
    const recovery = new Recovery({ log, startedAt, replayed: journal.pending() });
    const services = await startDevServices({
      stack,
      runtime,
      client,
      log,
      locations,
      tasks,
      runnerClusters,
      ingest: createS3IngestHandler(runtime),
      folderStateFile: join(dataDir, DATA_FILES.folderState),
      journal,
      deadLettersFile: join(dataDir, DATA_FILES.deadLetters),
      dataDir,
      onIngested: (ids) => recovery.ingested(ids),
    });
    stops.push(services.stop);
    recovery.forget(services.parked);

    const consoleServer = await startConsoleServer({
      client,
      batches: runtime.deps.batches,
      deadLetters: async () => services.deadLetters.letters(),
      ...localConsoleSources({
        clients,
        jobsTable: handlerConfig.tables.jobs,
        dataDir,
        queueDepth: (route) => runtime.deps.taskQueue.depth(route),
      }),
      port: ports.console,
      onError: (error) => log.line('error', `console: ${String(error)}`),
    });
    stops.push(() => consoleServer.stop());

    const ready: Connection = { ...connection, console: consoleServer.url };
    await saveEndpointMemory(dataDir, { ports, credentials: memory.credentials });
    await writeLocalConnection(dataDir, ready);
    stops.push(() => rm(join(dataDir, LOCAL_CONNECTION_FILE), { force: true }));
    const startupMs = Date.now() - startedAt;
    write(
      formatBanner({
        connection: ready,
        dataDir,
        cwd: options.cwd,
        startupMs,
        configPath: loaded.path,
        automations: applied.automations.length,
        locations,
        runnerClusters,
        taskNames: tasks.map((task) => formatTaskIdentifier(identifierOf(task))),
        resentTasks,
        reusedPorts: reused.length === 4,
        journaled: journal.size,
      }),
    );
    // After the banner: recovery runs while the stack already serves.
    const recovering = recovery.backfill({
      clients,
      connection: ready,
      locations,
      ingest: services.durableIngest,
    });
    stops.push(() => recovering);
    return {
      startupMs,
      async stop() {
        log.line('stop', 'stopping: finishing running tasks, then stopping the servers');
        await stopAll();
        log.line('stop', 'stopped; all state is kept in the data directory');
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The classes of every cluster's task modules (paths relative to `cwd`): the
 * in-process runners run on every cluster what the deployed runners run on theirs.
 */
async function clusterTaskClasses(config: BucketflowConfig, cwd: string): Promise<TaskClass[]> {
  const classes: TaskClass[] = [];
  for (const [slug, cluster] of Object.entries(config.clusters ?? {})) {
    const modules = cluster.taskModules ?? [];
    if (modules.length === 0) continue;
    classes.push(...(await loadTaskModules(modules, cwd, `clusters.${slug}.taskModules:`)));
  }
  return classes;
}
