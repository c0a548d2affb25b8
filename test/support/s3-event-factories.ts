/**
 * Event factories shaped after the examples in the AWS documentation: the
 * EventBridge "Object Created" event and the S3 event notification record.
 */
export function objectCreatedEvent(
  overrides: {
    bucket?: string;
    key?: string;
    time?: string;
    sequencer?: string;
    size?: number;
    etag?: string;
  } = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: overrides.time ?? '2021-11-12T00:00:00Z',
    region: 'ca-central-1',
    resources: [`arn:aws:s3:::${overrides.bucket ?? 'DOC-EXAMPLE-BUCKET1'}`],
    detail: {
      version: '0',
      bucket: { name: overrides.bucket ?? 'DOC-EXAMPLE-BUCKET1' },
      object: {
        key: overrides.key ?? 'example-key',
        size: overrides.size ?? 5,
        etag: overrides.etag ?? 'b1946ac92492d2347c6235b4d2611184',
        sequencer: overrides.sequencer ?? '617f08299329d189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  };
}

export function objectDeletedEvent(
  overrides: { bucket?: string; key?: string; time?: string; sequencer?: string } = {},
) {
  const event = objectCreatedEvent(overrides);
  const detail = event.detail as Record<string, unknown>;
  const object = detail.object as Record<string, unknown>;
  delete object.size;
  delete object.etag;
  return {
    ...event,
    'detail-type': 'Object Deleted',
    detail: { ...detail, reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' },
  };
}

export function s3NotificationRecord(
  overrides: { bucket?: string; key?: string; eventName?: string } = {},
) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-west-2',
    eventTime: '1970-01-01T00:00:00.000Z',
    eventName: overrides.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AIDAJDPLRKLG7UEXAMPLE' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'testConfigRule',
      bucket: {
        name: overrides.bucket ?? 'amzn-s3-demo-bucket',
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: 'arn:aws:s3:::amzn-s3-demo-bucket',
      },
      object: {
        key: overrides.key ?? 'HappyFace.jpg',
        size: 1024,
        eTag: 'd41d8cd98f00b204e9800998ecf8427e',
        versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
        sequencer: '0055AED6DCD90281E5',
      },
    },
  };
}
