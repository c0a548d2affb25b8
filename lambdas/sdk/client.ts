import { DynamoDbAutomationStore } from '../adapters/aws/automation-store/dynamodb-automation-store.js';
import {
  type AwsClients,
  type AwsEndpoints,
  createAwsClients,
} from '../adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../adapters/aws/batch-store/dynamodb-batch-store.js';
import { DynamoDbJobStore } from '../adapters/aws/job-store/dynamodb-job-store.js';
import { DynamoDbRunnerRegistry } from '../adapters/aws/job-store/dynamodb-runner-registry.js';
import { SqsTaskQueue } from '../adapters/aws/queues/sqs-task-queue.js';
import { S3ObjectStorage } from '../adapters/aws/storage/s3-object-storage.js';
import { LocalFolderStorage } from '../adapters/local/local-folder-storage.js';
import { DEFAULT_CLUSTER_SLUG } from '../core/automations/cluster-slug.js';
import type { StorageLocation } from '../core/automations/storage-location.js';
import { ValidationError } from '../core/errors.js';
import type { AutomationStore, Cluster } from '../core/ports/automation-store.js';
import type { BatchStore } from '../core/ports/batch-store.js';
import type { JobStore } from '../core/ports/job-store.js';
import type { ObjectStorage } from '../core/ports/object-storage.js';
import type { RunnerRegistry } from '../core/ports/runner-registry.js';
import type { TaskQueue } from '../core/ports/task-queue.js';
import { ClientAutomations } from './client-automations.js';
import { ClientBatches } from './client-batches.js';
import { ClientJobs } from './client-jobs.js';
import type { Connection } from './connection.js';
import { reconnectingLocalClients } from './local-reconnect.js';
import type { TaskClass } from './task.js';
import { TaskRegistry } from './task-registry.js';
import { TaskRunner, type TaskRunnerOptions } from './task-runner.js';
import { batchMembersReader, type TriggerStorage } from './triggers.js';

/** What a {@link Client} talks to; `storage` opens a registered location for reads. */
export interface ClientOptions {
  readonly jobs: JobStore;
  readonly automations: AutomationStore;
  readonly queue: TaskQueue;
  readonly storage?: ((location: StorageLocation) => ObjectStorage) | undefined;
  /** Where runners made by {@link Client.runner} keep job caches. */
  readonly cacheStorage?: ObjectStorage | undefined;
  /** Where runners announce the tasks they take; job views read it to say why a task waits. */
  readonly runners?: RunnerRegistry | undefined;
  /** The batches table: members of large batches for runners, stuck batches for `client.batches`. */
  readonly batches?: BatchStore | undefined;
}

/** Options of {@link Client.runner}: the tasks it runs, and any {@link TaskRunnerOptions} to override. */
export interface ClientRunnerOptions
  extends Partial<Omit<TaskRunnerOptions, 'jobs' | 'queue' | 'registry' | 'cluster'>> {
  /** Cluster slug whose queue the runner polls. @default 'default' */
  readonly cluster?: string | undefined;
  /** The task classes it may run (the version rule picks the class per submitted identifier). */
  readonly tasks: readonly TaskClass[];
}

/** Table names and the task queue prefix of one deployment, for {@link Client.fromEndpoints}. */
export interface ClientDeployment {
  readonly tables: {
    readonly jobs: string;
    readonly automations: string;
    readonly batches?: string;
  };
  readonly taskQueuePrefix?: string | undefined;
  /** maxReceiveCount of the task queues created on demand. @default the queue adapter's (5) */
  readonly taskQueueMaxReceiveCount?: number | undefined;
  /** S3 bucket of job caches, for runners made by {@link Client.runner}. */
  readonly cacheBucket?: string | undefined;
  /** Refuse non-loopback endpoints and use the local servers' credentials. @default false */
  readonly local?: boolean | undefined;
}

/**
 * The SDK clients for a connection: on a `bucketflow dev` read from its data
 * directory, clients that follow its restarts; otherwise plain ones.
 *
 * @example
 * ```ts
 * const clients = connectionClients(resolveConnection());
 * ```
 */
export function connectionClients(connection: Connection): AwsClients {
  if (connection.kind === 'local' && connection.dataDir !== undefined) {
    return reconnectingLocalClients(connection);
  }
  return createAwsClients(connection.endpoints, { local: connection.kind === 'local' });
}

/** Clusters, reached as `client.clusters`. */
export interface ClientClusters {
  create(name: string): Promise<Cluster>;
  list(): Promise<Cluster[]>;
  find(slug: string): Promise<Cluster | undefined>;
  delete(slug: string): Promise<boolean>;
  default(): Promise<Cluster>;
}

/** Storage locations, reached as `client.storageLocations`. */
export interface ClientStorageLocations {
  register(location: StorageLocation): Promise<StorageLocation>;
  list(): Promise<StorageLocation[]>;
  /** The object's bytes, read through the client's storage factory. */
  read(name: string, key: string): Promise<Uint8Array>;
}

/**
 * The programmatic entry point: submit and inspect jobs, manage clusters,
 * automations and storage locations. Deployments build it with
 * {@link Client.fromEndpoints}; tests inject ports directly.
 *
 * @example
 * ```ts
 * const client = Client.fromEndpoints({ region: 'eu-west-1' }, { tables: { jobs: 'bf-jobs', automations: 'bf-automations' } });
 * const cluster = await client.clusters.create('gpu');
 * await client.jobs.submit('one-off', new Resize({ key: 'a.png' }), { cluster: cluster.slug });
 * ```
 */
export class Client {
  readonly jobs: ClientJobs;
  readonly automations: ClientAutomations;
  readonly clusters: ClientClusters;
  readonly storageLocations: ClientStorageLocations;
  /** Closed batches: the stuck ones, and the members of any. */
  readonly batches: ClientBatches;
  readonly #options: ClientOptions;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.batches = new ClientBatches(options.batches);
    const store = options.automations;
    this.jobs = new ClientJobs(options.jobs, store, options.queue, options.runners);
    this.automations = new ClientAutomations(store, this.jobs);
    this.clusters = {
      create: (name) => store.createCluster(name),
      list: () => store.listClusters(),
      find: (slug) => store.findCluster(slug),
      delete: (slug) => store.deleteCluster(slug),
      default: () => store.defaultCluster(),
    };
    const storage = options.storage;
    this.storageLocations = {
      register: (location) => store.registerLocation(location),
      list: () => store.listLocations(),
      read: async (name, key) => {
        if (storage === undefined) {
          throw new ValidationError(
            'storage',
            'this client has no storage factory',
            'pass options.storage, or build the client with Client.fromEndpoints',
          );
        }
        const location = await store.findLocation(name);
        if (location === undefined) {
          throw new ValidationError(
            'name',
            `unknown storage location '${name}'`,
            'register it first with client.storageLocations.register(location)',
          );
        }
        return storage(location).read(key);
      },
    };
  }

  /**
   * A task runner for `cluster` on this client's job store and queue, with
   * job caches and storage event triggers wired to the client's storage.
   * Call `runForever()` (stops on `stop()` or its signal) or `runAll()`.
   */
  runner(options: ClientRunnerOptions): TaskRunner {
    return new TaskRunner(this.runnerOptions(options));
  }

  /**
   * The composition root of every runner, in a process or on Lambda: the
   * options of a runner for `cluster` on this client's job store and queue,
   * with job caches in the client's cache storage and trigger tasks reading
   * their storage location through the client's storage factory.
   *
   * @example
   * ```ts
   * const deps = runnerDependencies(client.runnerOptions({ cluster: 'default', tasks: [WordCount] }));
   * ```
   */
  runnerOptions(options: ClientRunnerOptions): TaskRunnerOptions {
    const { cluster, tasks, ...overrides } = options;
    const { jobs, queue, automations, storage, cacheStorage, runners, batches } = this.#options;
    const triggerStorage = (name: string): TriggerStorage => ({
      read: async (key) => {
        const location = await automations.findLocation(name);
        if (location === undefined || storage === undefined) {
          throw new ValidationError(
            'trigger.location',
            `storage location '${name}' is not registered or this client has no storage factory`,
            'register it with client.storageLocations.register(location)',
          );
        }
        return storage(location).read(key);
      },
    });
    return {
      jobs,
      queue,
      registry: new TaskRegistry(tasks),
      cluster: cluster ?? DEFAULT_CLUSTER_SLUG,
      cacheStorage,
      triggerEnvironment: {
        storage: triggerStorage,
        ...(batches ? { batchMembers: batchMembersReader(batches) } : {}),
      },
      announcements: runners,
      ...overrides,
    };
  }

  /**
   * A client for a {@link Connection}: a running `bucketflow dev` (whose
   * restarts it follows, see `reconnectingLocalClients`), or a deployed stack.
   */
  static fromConnection(connection: Connection, clients?: AwsClients): Client {
    const deployment = {
      tables: connection.tables,
      taskQueuePrefix: connection.taskQueuePrefix,
      cacheBucket: connection.cacheBucket,
      local: connection.kind === 'local',
    };
    return Client.fromClients(clients ?? connectionClients(connection), deployment);
  }

  /** A client on the AWS adapters (DynamoDB, SQS, S3) at `endpoints`. */
  static fromEndpoints(endpoints: AwsEndpoints, deployment: ClientDeployment): Client {
    return Client.fromClients(
      createAwsClients(endpoints, { local: deployment.local ?? false }),
      deployment,
    );
  }

  /** A client on the AWS adapters over SDK clients you already have (shared connections, request accounting). */
  static fromClients(clients: AwsClients, deployment: ClientDeployment): Client {
    return new Client({
      cacheStorage: deployment.cacheBucket
        ? new S3ObjectStorage({ client: clients.s3, bucket: deployment.cacheBucket })
        : undefined,
      jobs: new DynamoDbJobStore({ client: clients.dynamodb, tableName: deployment.tables.jobs }),
      automations: new DynamoDbAutomationStore({
        client: clients.dynamodb,
        tableName: deployment.tables.automations,
      }),
      queue: new SqsTaskQueue({
        client: clients.sqs,
        prefix: deployment.taskQueuePrefix,
        // The local SQS server ends a long poll for N messages only once N arrived.
        partialLongPolls: !(deployment.local ?? false),
        maxReceiveCount: deployment.taskQueueMaxReceiveCount,
      }),
      runners: new DynamoDbRunnerRegistry({
        client: clients.dynamodb,
        tableName: deployment.tables.jobs,
      }),
      batches: deployment.tables.batches
        ? new DynamoDbBatchStore({ client: clients.dynamodb, tableName: deployment.tables.batches })
        : undefined,
      storage: (location) =>
        location.kind === 's3'
          ? new S3ObjectStorage({ client: clients.s3, bucket: location.bucket })
          : new LocalFolderStorage({ root: location.path }),
    });
  }
}
