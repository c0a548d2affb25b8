import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBucketflowContext } from '../../lib/config.js';
import { InvalidContextError } from '../../lib/errors.js';

const parse = (context: Record<string, unknown>) => parseBucketflowContext(context);
const messageOf = (context: Record<string, unknown>) => {
  try {
    parse(context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidContextError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidContextError');
};

describe('parseBucketflowContext', () => {
  it('fills in the documented defaults when no bucketflow key is set', () => {
    // Act
    const config = parse({ '@aws-cdk/core:checkSecretUsage': true });

    // Assess
    expect(config).toEqual({
      sourceBuckets: [],
      createDemoBucket: false,
      ingestBatchSize: 1000,
      ingestBatchWindowSeconds: 10,
      sweepPeriodMinutes: 1,
      cronPeriodMinutes: 1,
      reconcilePeriodMinutes: 1,
      logRetentionDays: 30,
      eventArchiveRetentionDays: 30,
      ingestAgeAlarmSeconds: 300,
      alarmTopicArn: undefined,
      config: 'bucketflow.config.ts',
      removalPolicy: 'retain',
      taskQueuePrefix: 'bucketflow-tasks-',
      dlqMaxReceiveCount: 5,
    });
  });

  it('reads cdk.json JSON types', () => {
    // Act
    const config = parse({
      'bucketflow:sourceBuckets': ['raw-data', 'lab.results'],
      'bucketflow:createDemoBucket': true,
      'bucketflow:ingestBatchSize': 500,
      'bucketflow:logRetentionDays': 90,
    });

    // Assess
    expect(config.sourceBuckets).toEqual(['raw-data', 'lab.results']);
    expect(config.createDemoBucket).toBe(true);
    expect(config.ingestBatchSize).toBe(500);
    expect(config.logRetentionDays).toBe(90);
  });

  it('reads the strings that `cdk synth -c key=value` passes', () => {
    // Act
    const config = parse({
      'bucketflow:sourceBuckets': 'raw-data, lab-results',
      'bucketflow:config': 'infra/bucketflow.config.ts',
      'bucketflow:createDemoBucket': 'false',
      'bucketflow:ingestBatchSize': '250',
    });

    // Assess
    expect(config.sourceBuckets).toEqual(['raw-data', 'lab-results']);
    expect(config.config).toBe('infra/bucketflow.config.ts');
    expect(config.createDemoBucket).toBe(false);
    expect(config.ingestBatchSize).toBe(250);
  });

  it('names the key, the value and a fix when the batch size is out of range', () => {
    expect(messageOf({ 'bucketflow:ingestBatchSize': 0 })).toBe(
      'bucketflow:ingestBatchSize: must be an integer 1-10000 (SQS batch size limit), got 0 (set "bucketflow:ingestBatchSize": 1000 in cdk.json, or pass -c bucketflow:ingestBatchSize=...)',
    );
  });

  it('accepts exactly the integers of the batch size range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20_000, max: 20_000 }), (size) => {
        const valid = size >= 1 && size <= 10_000;
        // A window keeps batches above 10 legal, so only the size decides.
        const act = () => parse({ 'bucketflow:ingestBatchSize': size });
        if (valid) expect(act()).toMatchObject({ ingestBatchSize: size });
        else expect(act).toThrow(/^bucketflow:ingestBatchSize: must be an integer 1-10000/);
      }),
    );
  });

  it.each([
    [{ 'bucketflow:ingestBatchSize': 2.5 }, 'bucketflow:ingestBatchSize: must be an integer'],
    [{ 'bucketflow:ingestBatchSize': 'many' }, 'bucketflow:ingestBatchSize: must be an integer'],
    [
      { 'bucketflow:sweepPeriodMinutes': 0 },
      'bucketflow:sweepPeriodMinutes: must be an integer 1-60 (EventBridge rates start at 1 minute), got 0',
    ],
    [
      { 'bucketflow:logRetentionDays': 10 },
      'bucketflow:logRetentionDays: must be one of the CloudWatch Logs retention periods 1, 3, 5, 7, 14, 30',
    ],
    [
      { 'bucketflow:createDemoBucket': 'yes' },
      'bucketflow:createDemoBucket: must be true or false, got "yes"',
    ],
    [
      { 'bucketflow:sourceBuckets': ['My_Bucket'] },
      'bucketflow:sourceBuckets: "My_Bucket" is not a valid S3 bucket name',
    ],
    [
      { 'bucketflow:sourceBuckets': ['a-bucket', 'a-bucket'] },
      'bucketflow:sourceBuckets: lists a-bucket twice',
    ],
    [{ 'bucketflow:sourceBuckets': '192.168.1.1' }, 'formatted as an IP address'],
    [
      { 'bucketflow:sourceBuckets': 42 },
      'bucketflow:sourceBuckets: must be a list of S3 bucket names',
    ],
    [
      { 'bucketflow:lambdaRunnerClusters': ['gpu'] },
      "bucketflow:lambdaRunnerClusters: is no longer a bucketflow setting (Lambda runners are declared in the config: clusters: { <slug>: { runner: { kind: 'lambda' }",
    ],
    [
      { 'bucketflow:config': 'bucketflow.yaml' },
      'bucketflow:config: must be the path of a .ts or .js',
    ],
    [
      { 'bucketflow:alarmTopicArn': 'ops-alarms' },
      'bucketflow:alarmTopicArn: must be an SNS topic ARN',
    ],
    [
      { 'bucketflow:removalPolicy': 'snapshot' },
      'bucketflow:removalPolicy: must be "retain" or "destroy"',
    ],
    [
      { 'bucketflow:taskQueuePrefix': 'tasks.' },
      "bucketflow:taskQueuePrefix: must be letters, digits, '-' and '_'",
    ],
  ])('rejects %j with a message naming the key', (context, expected) => {
    expect(messageOf(context)).toContain(expected);
  });

  it('requires a batching window for batches above 10 and says which keys to change', () => {
    expect(
      messageOf({ 'bucketflow:ingestBatchSize': 11, 'bucketflow:ingestBatchWindowSeconds': 0 }),
    ).toBe(
      'bucketflow:ingestBatchWindowSeconds: must be at least 1 when bucketflow:ingestBatchSize is above 10 (Lambda needs a batching window for SQS batches larger than 10), got 0 (set bucketflow:ingestBatchWindowSeconds to 10 or bucketflow:ingestBatchSize to 10 or less)',
    );
  });

  it('allows no batching window for batches of 10 or less', () => {
    const config = parse({
      'bucketflow:ingestBatchSize': 10,
      'bucketflow:ingestBatchWindowSeconds': 0,
    });
    expect(config.ingestBatchWindowSeconds).toBe(0);
  });

  it('rejects an unknown bucketflow key and suggests the closest one', () => {
    expect(messageOf({ 'bucketflow:ingestBatchsize': 10 })).toBe(
      'bucketflow:ingestBatchsize: is not a bucketflow setting (did you mean bucketflow:ingestBatchSize?)',
    );
  });

  it('lists the known keys when nothing is close', () => {
    expect(messageOf({ 'bucketflow:vpc': 'vpc-1' })).toContain(
      'known keys: bucketflow:sourceBuckets, bucketflow:createDemoBucket',
    );
  });

  it('ignores context keys of other tools', () => {
    expect(() =>
      parse({ '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true, foo: 1 }),
    ).not.toThrow();
  });
});
