import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import type { Connection } from './connection.js';
import { NoConnectionError } from './errors.js';
import {
  CONNECTION_OUTPUT_DESCRIPTION,
  type StackConnection,
  stackConnectionSchema,
} from './stack-outputs.js';

/** Which deployed stack to talk to, and as whom. */
export interface StackConnectionOptions {
  /** Name (or id) of the stack holding the BucketflowService or BucketflowEngine. */
  readonly stack: string;
  /** @default the SDK's region chain: AWS_REGION, then the profile's region in ~/.aws/config */
  readonly region?: string | undefined;
  /** Named profile of the AWS config files. @default the SDK's chain (AWS_PROFILE, then `default`) */
  readonly profile?: string | undefined;
  /** A CloudFormation client of your own (tests, a proxy). */
  readonly client?: CloudFormationClient | undefined;
}

/** A deployed stack's connection and the rest of its bucketflow output. */
export interface ResolvedStack {
  readonly connection: Connection;
  readonly outputs: StackConnection;
  readonly region: string;
}

/**
 * Finds a deployed bucketflow by its stack: the table, queue and bucket
 * names come from the stack's `Connection` output (CloudFormation
 * DescribeStacks), the region and credentials from the SDK's default chains,
 * so `AWS_PROFILE` (or `profile`) with a region in the AWS config file is all
 * it takes.
 *
 * @throws NoConnectionError naming what is missing (region, stack, output) and how to fix it.
 * @example
 * ```ts
 * const { connection } = await resolveStackConnection({ stack: 'LabPipeline', profile: 'lab' });
 * const client = Client.fromConnection(connection);
 * ```
 */
export async function resolveStackConnection(
  options: StackConnectionOptions,
): Promise<ResolvedStack> {
  const cloudformation =
    options.client ??
    new CloudFormationClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    });
  const region = await resolvedRegion(cloudformation, options.profile);
  let stacks: Stack[] | undefined;
  try {
    ({ Stacks: stacks } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: options.stack }),
    ));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') {
      throw new NoConnectionError(
        '--stack',
        `stack ${options.stack} does not exist in ${region} (${(error as Error).message})`,
        'check the stack name, --region and --profile',
        { cause: error },
      );
    }
    throw error;
  } finally {
    if (!options.client) cloudformation.destroy();
  }
  const outputs = (stacks?.[0]?.Outputs ?? []).filter(
    (output) => output.Description === CONNECTION_OUTPUT_DESCRIPTION,
  );
  if (outputs.length !== 1) {
    throw new NoConnectionError(
      '--stack',
      outputs.length === 0
        ? `stack ${options.stack} has no bucketflow connection output`
        : `stack ${options.stack} holds ${outputs.length} bucketflow deployments (${outputs.map((o) => o.OutputKey).join(', ')})`,
      'name the stack that holds the BucketflowService (for the stock app: BucketflowStateless), deployed with this version of bucketflow',
    );
  }
  const parsed = stackConnectionSchema.safeParse(safeJson(outputs[0]?.OutputValue));
  if (!parsed.success) {
    throw new NoConnectionError(
      '--stack',
      `the bucketflow output of stack ${options.stack} is not a connection (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      'redeploy the stack with this version of bucketflow',
    );
  }
  const stack = parsed.data;
  return {
    region,
    outputs: stack,
    connection: {
      kind: 'aws',
      endpoints: { region, ...(options.profile ? { profile: options.profile } : {}) },
      tables: stack.tables,
      taskQueuePrefix: stack.taskQueuePrefix,
      cacheBucket: stack.cacheBucket,
      ...(stack.taskLogGroups ? { taskLogGroups: stack.taskLogGroups } : {}),
    },
  };
}

async function resolvedRegion(client: CloudFormationClient, profile: string | undefined) {
  try {
    return await client.config.region();
  } catch (error) {
    throw new NoConnectionError(
      '--region',
      `is not given and no region is configured${profile ? ` for profile ${profile}` : ''}`,
      'pass --region, set AWS_REGION, or set region in the profile of ~/.aws/config',
      { cause: error },
    );
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
