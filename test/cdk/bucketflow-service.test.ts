import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { BucketflowService } from '../../lib/bucketflow-service.js';
import { InvalidConstructPropsError } from '../../lib/errors.js';
import { actionsOf, policyStatements, resourcesOf, testStack } from './support.js';

/** A task module of the repository, as a user's project has its own. */
const TASK_MODULE = 'examples/tasks.ts';

describe('BucketflowService', () => {
  let template: Template;
  let service: BucketflowService;

  beforeAll(() => {
    // Prepare
    const stack = testStack();
    const raw = s3.Bucket.fromBucketName(stack, 'Raw', 'lab-raw-data');
    service = new BucketflowService(stack, 'Bucketflow', {
      sourceBuckets: [raw],
      ingestBatchSize: 200,
      ingestBatchWindow: Duration.seconds(30),
      cronPeriod: Duration.minutes(5),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(stack, 'EcsRunnerRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });

    // Act
    service.grantRunnerAccess(role);
    service.addTaskRunner('default', { taskModules: [TASK_MODULE] });
    service.addSourceBucket(s3.Bucket.fromBucketName(stack, 'Results', 'lab-results'), {
      keyPrefixes: ['instrument-a/', 'instrument-b/'],
      eventTypes: ['Object Created'],
    });
    template = Template.fromStack(stack);
  });

  it('creates one rule per source bucket, filtered by key prefix when asked', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        detail: { bucket: { name: ['lab-raw-data'] } },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: ['lab-results'] },
          object: { key: [{ prefix: 'instrument-a/' }, { prefix: 'instrument-b/' }] },
        },
      },
    });
  });

  it('applies the batching props to the ingest event source and the queue visibility timeout', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 200,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 60 + 30 });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('grants read on buckets added later to runners added earlier, and to external runners', () => {
    const readers = policyStatements(template).filter((statement) =>
      JSON.stringify(statement.Resource).includes('lab-results/*'),
    );
    // ingest, the default runner and the external runner role
    expect(readers).toHaveLength(3);
    for (const statement of readers) {
      expect(actionsOf(statement)).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    }
  });

  it('lets an external runner receive from and send to the task queues only', () => {
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    const roleId = Object.keys(roles).find((id) => id.startsWith('EcsRunnerRole'));
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).find((candidate) =>
      JSON.stringify(candidate.Properties?.Roles).includes(String(roleId)),
    );
    const document = policy?.Properties?.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const queueStatement = document?.Statement.find((statement) =>
      JSON.stringify(statement.Resource).includes('bucketflow-tasks-*'),
    );
    expect(queueStatement && actionsOf(queueStatement)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    );
  });

  it('honours the removal policy on the stateful resources', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
  });

  it('exposes the created resources', () => {
    expect(service.state.table('jobs')).toBeDefined();
    expect(service.engine.ingestFunction.function.runtime.name).toBe('nodejs22.x');
    expect(service.eventBus).toBe(service.state.eventBus);
  });
});

describe('BucketflowService wiring errors', () => {
  it('refuses the same source bucket twice', () => {
    const stack = testStack();
    const service = new BucketflowService(stack, 'Bucketflow');
    service.addSourceBucket(s3.Bucket.fromBucketName(stack, 'A', 'a-bucket'));
    expect(() => service.addSourceBucket(s3.Bucket.fromBucketName(stack, 'B', 'a-bucket'))).toThrow(
      'bucket: a-bucket is already a source bucket (add each bucket once)',
    );
  });

  it('refuses a cluster slug that cannot name an SQS queue', () => {
    const service = new BucketflowService(testStack(), 'Bucketflow');
    const tasks = ['Resize@v1.0'];
    expect(() => service.addTaskRunner('gpu/large', { tasks })).toThrow(InvalidConstructPropsError);
    expect(() => service.addTaskRunner('g'.repeat(60), { tasks })).toThrow(
      /cluster: "g{60}" is 60 characters long; .* allows at most 59/,
    );
  });

  it('refuses a runner with an entry of its own but no task identifiers, or a malformed one', () => {
    const service = new BucketflowService(testStack(), 'Bucketflow');
    expect(() => service.addTaskRunner('gpu', { entry: TASK_MODULE })).toThrow(
      /^tasks: is missing for cluster gpu: a runner with an entry of yours is fed by the queues of the tasks it registers/,
    );
    expect(() =>
      service.addTaskRunner('cpu', { entry: TASK_MODULE, tasks: ['Resize@v1'] }),
    ).toThrow(/^tasks\[0\]: "Resize@v1" is not a task identifier/);
  });

  it('refuses a second runner for the same cluster', () => {
    const service = new BucketflowService(testStack(), 'Bucketflow');
    service.addTaskRunner('default', { taskModules: [TASK_MODULE] });
    expect(() => service.addTaskRunner('default', { taskModules: [TASK_MODULE] })).toThrow(
      'cluster: default already has a runner',
    );
  });

  it('refuses a Lambda runner without task modules, saying what to add', () => {
    const service = new BucketflowService(testStack(), 'Bucketflow');
    expect(() => service.addTaskRunner('gpu')).toThrow(
      /^taskModules: is empty for cluster gpu, so its Lambda runner would have no task to run \(list the modules .*clusters\.gpu\.taskModules/,
    );
    expect(() => service.addTaskRunner('gpu', { taskModules: ['src/missing.ts'] })).toThrow(
      /^taskModules\[0\]: .*src\/missing\.ts does not exist/,
    );
  });

  it.each([
    [{ ingestBatchSize: 0 }, 'ingestBatchSize: must be an integer 1-10000'],
    [{ ingestBatchWindow: Duration.minutes(6) }, 'ingestBatchWindow: must be an integer 0-300'],
    [{ ingestBatchWindow: Duration.seconds(0) }, 'ingestBatchWindow: must be at least 1 second'],
    [
      { sweepPeriod: Duration.seconds(30) },
      'sweepPeriod: must be an integer 1-60 (whole minutes), got 0.5',
    ],
    [{ taskQueuePrefix: 'tasks/' }, 'taskQueuePrefix: must be letters'],
  ])('validates %o at synth time', (props, message) => {
    expect(() => new BucketflowService(testStack(), 'Bucketflow', props)).toThrow(message);
  });
});
