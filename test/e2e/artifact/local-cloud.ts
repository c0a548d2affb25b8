import { randomUUID } from 'node:crypto';
import {
  type AwsClients,
  createAwsClients,
  destroyAwsClients,
} from '../../../lambdas/adapters/aws/aws-clients.js';
import {
  notificationToEventBridge,
  s3NotificationRecordSchema,
} from '../../../lambdas/adapters/aws/events/s3-event-parsing.js';
import type { LocalServers } from '../../../lambdas/adapters/local/local-servers.js';
import { LocalEventRules } from './local-event-sources.js';
import { type LocalFunction, localFunctions } from './local-functions.js';
import { type QueuePoller, queuePollers } from './local-queue-poller.js';
import {
  createLocalResources,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type LocalResources,
} from './local-resources.js';
import { IntrinsicResolver, resourcesOfType, type SynthesizedStack } from './template.js';

export interface LocalCloudOptions {
  readonly stack: SynthesizedStack;
  readonly servers: LocalServers;
  /** Endpoint of a PutEvents fake: there is no local EventBridge for the functions to publish to. */
  readonly eventBridgeUrl: string;
  /** How long one minute of a schedule expression lasts here. */
  readonly msPerMinute: number;
}

export type CustomResourceRequest = 'Create' | 'Update' | 'Delete';

/**
 * A synthesized stack deployed onto the local servers and run as AWS runs
 * it: the template's tables, queues and buckets created, each function's
 * bundle run with its own environment (AWS endpoints pointed at the local
 * servers through the SDK's `AWS_ENDPOINT_URL_*` variables), the event
 * source mappings polling their queues, S3 object events of the local S3
 * server matched against the rules of the default bus, the schedules on a
 * timer, and custom resources driven through their Provider framework's
 * `onEvent` function.
 */
export class LocalCloud {
  readonly stack: SynthesizedStack;
  readonly clients: AwsClients;
  readonly resolver: IntrinsicResolver;
  readonly resources: LocalResources;
  readonly functions: Map<string, LocalFunction>;
  readonly pollers: Map<string, QueuePoller>;
  readonly rules: LocalEventRules;
  readonly errors: unknown[] = [];
  #events: Promise<unknown> = Promise.resolve();
  /** Physical ids the custom resources returned, by logical id. */
  readonly #physicalIds = new Map<string, string>();
  readonly #onS3Event: (notification: { Records?: unknown[] }) => void;
  readonly #servers: LocalServers;

  private constructor(
    options: LocalCloudOptions,
    clients: AwsClients,
    resolver: IntrinsicResolver,
    resources: LocalResources,
  ) {
    this.stack = options.stack;
    this.#servers = options.servers;
    this.clients = clients;
    this.resolver = resolver;
    this.resources = resources;
    const { endpoints } = options.servers;
    this.functions = localFunctions(options.stack, resolver, {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      // The S3 server checks signatures against the servers' own key pair.
      AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: String(endpoints.dynamodb),
      AWS_ENDPOINT_URL_SQS: String(endpoints.sqs),
      AWS_ENDPOINT_URL_S3: String(endpoints.s3),
      AWS_ENDPOINT_URL_EVENTBRIDGE: options.eventBridgeUrl,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    this.pollers = queuePollers(options.stack, resolver, resources, this.functions, clients.sqs);
    this.rules = new LocalEventRules(
      options.stack,
      resolver,
      resources,
      this.functions,
      clients.sqs,
    );
    this.#onS3Event = (notification) => {
      for (const record of notification?.Records ?? []) {
        const parsed = s3NotificationRecordSchema.safeParse(record);
        if (!parsed.success) continue;
        const event = notificationToEventBridge(parsed.data, {
          // The local S3 server writes keys raw in its records, as real S3 does not.
          keyEncoding: 'raw',
          account: LOCAL_ACCOUNT,
          region: LOCAL_REGION,
        });
        this.#events = this.#events
          .then(() => this.rules.publish(event as unknown as Record<string, unknown>))
          .catch((error: unknown) => this.errors.push(error));
      }
    };
  }

  /** Creates the stack's resources and starts its event sources and schedules. */
  static async deploy(options: LocalCloudOptions): Promise<LocalCloud> {
    const clients = createAwsClients(options.servers.endpoints, { local: true });
    const resolver = new IntrinsicResolver(options.stack.name, LOCAL_REGION, LOCAL_ACCOUNT);
    const resources = await createLocalResources(options.stack, clients, resolver);
    const cloud = new LocalCloud(options, clients, resolver, resources);
    for (const poller of cloud.pollers.values()) poller.start();
    cloud.rules.startSchedules(options.msPerMinute, (error) => cloud.errors.push(error));
    options.servers.s3Events.on('event', cloud.#onS3Event);
    return cloud;
  }

  /** The function a `Ref` or ARN names. */
  functionNamed(reference: string): LocalFunction {
    const fn = [...this.functions.values()].find(
      ({ definition }) =>
        reference === definition.logicalId ||
        reference.endsWith(`:function:${definition.logicalId}`),
    );
    if (!fn) throw new Error(`no local function ${reference}`);
    return fn;
  }

  /**
   * Sends CloudFormation's request for the custom resource of `type` to its
   * Provider framework's user `onEvent` function, as the framework passes it
   * on: `Update` carries the properties of `updatedStack` and the deployed
   * ones as `OldResourceProperties`.
   */
  async customResource(
    type: string,
    request: CustomResourceRequest,
    updatedStack?: SynthesizedStack,
  ): Promise<unknown> {
    const propertiesOf = (stack: SynthesizedStack) => {
      const [found] = resourcesOfType(stack, type);
      if (!found) throw new Error(`${stack.name} has no ${type}`);
      return { logicalId: found[0], properties: this.resolver.resolve(found[1].Properties ?? {}) };
    };
    const deployed = propertiesOf(this.stack);
    const next = updatedStack ? propertiesOf(updatedStack) : deployed;
    const token = String((next.properties as { ServiceToken?: unknown }).ServiceToken);
    const framework = this.functionNamed(token);
    const onEvent = framework.definition.environment.USER_ON_EVENT_FUNCTION_ARN;
    if (!onEvent) throw new Error(`${token} is not a CDK Provider framework function`);
    const physicalId = this.#physicalIds.get(next.logicalId);
    const response = (await this.functionNamed(onEvent).invoke({
      RequestType: request,
      ServiceToken: token,
      ResponseURL: 'http://127.0.0.1/not-used-by-on-event',
      StackId: this.resolver.ref('AWS::StackId'),
      RequestId: randomUUID(),
      LogicalResourceId: next.logicalId,
      ResourceType: type,
      ResourceProperties: next.properties,
      ...(request === 'Update' ? { OldResourceProperties: deployed.properties } : {}),
      ...(physicalId === undefined ? {} : { PhysicalResourceId: physicalId }),
    })) as { PhysicalResourceId?: unknown } | null;
    if (request !== 'Delete' && typeof response?.PhysicalResourceId !== 'string') {
      throw new Error(`${type} answered ${request} without a PhysicalResourceId`);
    }
    if (typeof response?.PhysicalResourceId === 'string') {
      if (physicalId !== undefined && response.PhysicalResourceId !== physicalId) {
        // CloudFormation would now delete the resource of the old id.
        throw new Error(`${type} changed its physical id on ${request}: the stack would delete it`);
      }
      this.#physicalIds.set(next.logicalId, response.PhysicalResourceId);
    }
    return response;
  }

  /** The value of the output with this description, resolved against the local resources. */
  output(description: string): unknown {
    const found = Object.values(this.stack.outputs).filter((o) => o.Description === description);
    if (found.length !== 1) throw new Error(`${found.length} outputs described "${description}"`);
    return this.resolver.resolve(found[0]?.Value);
  }

  /** Every function's logs, for a failing test's message. */
  logs(): string {
    return [...this.functions.values()]
      .filter((fn) => fn.output !== '')
      .map((fn) => `--- ${fn.definition.logicalId}\n${fn.output.slice(-4000)}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    this.#servers.s3Events.off('event', this.#onS3Event);
    await this.#events;
    await this.rules.stop();
    await Promise.all([...this.pollers.values()].map((poller) => poller.stop()));
    await Promise.all([...this.functions.values()].map((fn) => fn.stop()));
    destroyAwsClients(this.clients);
  }
}
